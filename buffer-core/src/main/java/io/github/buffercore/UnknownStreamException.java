package io.github.buffercore;

/**
 * Thrown by {@link PlaylistRegistry#acquire} when the registry's {@link UpstreamResolver} does not know
 * the stream. Nothing changed. An HTTP front end answers 404.
 */
public final class UnknownStreamException extends BufferCoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param playlistId the playlist id
   * @param streamId the unknown stream id
   */
  public UnknownStreamException(String playlistId, String streamId) {
    super("Playlist '" + playlistId + "' has no stream '" + streamId + "'", playlistId, streamId, null);
  }
}
