package io.github.buffercore;

/**
 * Thrown when a {@link TunerPool} cannot decide whether a tuner is free (for example its shared store
 * is unreachable). The pool fails closed: no slot was taken and the stream was not started. An HTTP
 * front end answers it like a busy tuner ({@code 503} with {@code Retry-After}).
 */
public final class TunerPoolUnavailableException extends BufferCoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param playlistId the playlist whose tuner was asked for
   * @param streamId the stream that could not be started
   * @param cause why the pool could not decide
   */
  public TunerPoolUnavailableException(String playlistId, String streamId, Throwable cause) {
    super("The tuner pool of playlist '" + playlistId + "' cannot decide for stream '" + streamId
        + "' (" + cause + "); refusing to start it", playlistId, streamId, cause);
  }
}
