package io.github.buffercore;

/**
 * Ends the reader of a lease whose client switched to another stream of the same playlist: the same
 * {@link ClientKey} acquired another stream while this lease was open, so the registry ended this
 * lease and handed its tuner to the new stream. Not a failure of the stream: the viewer is watching
 * the other channel now, so an HTTP server just ends this response.
 */
public final class StreamSwitchedException extends BufferCoreException {

  private static final long serialVersionUID = 1L;

  /** The stream the client switched to. */
  private final String switchedTo;

  /**
   * Creates the signal.
   *
   * @param playlistId the playlist of both streams
   * @param streamId the stream the client left
   * @param switchedTo the stream the client switched to
   * @param clientId the id of the ended lease
   */
  public StreamSwitchedException(String playlistId, String streamId, String switchedTo, long clientId) {
    super("Client " + clientId + " switched from stream '" + streamId + "' to stream '" + switchedTo
        + "' in playlist '" + playlistId + "'", playlistId, streamId, null);
    this.switchedTo = switchedTo;
  }

  /**
   * Returns the stream the client switched to.
   *
   * @return its id
   */
  public String switchedTo() {
    return switchedTo;
  }
}
