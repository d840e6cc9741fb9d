package io.github.buffercore;

/**
 * Delivered to every reader of a stream when its upstream fails for good: the connection could not
 * be opened, it answered with an HTTP status of 400 or more, it ended, or it sent no data within the
 * start timeout, after every reconnect attempt and backup URL was tried. The {@linkplain #getCause()
 * cause} is the last underlying failure, if there was one. The stream's tuner is freed before any
 * reader sees this exception.
 */
public final class UpstreamException extends BufferCoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param playlistId the playlist of the stream
   * @param streamId the stream whose upstream failed
   * @param message what failed, in words a viewer's log can show
   * @param cause the underlying failure, or {@code null}
   */
  public UpstreamException(String playlistId, String streamId, String message, Throwable cause) {
    super("Upstream of stream '" + streamId + "' in playlist '" + playlistId + "' failed: " + message,
        playlistId, streamId, cause);
  }
}
