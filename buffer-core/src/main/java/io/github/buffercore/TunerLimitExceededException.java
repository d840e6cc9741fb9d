package io.github.buffercore;

import java.util.List;

/**
 * Thrown by {@link PlaylistRegistry#acquire} when a client asks for a stream that is not running yet
 * and every tuner of the playlist is busy with other streams. The registry was not changed. An HTTP
 * front end typically answers 503 with a {@code Retry-After} header and {@link #getMessage()}.
 */
public final class TunerLimitExceededException extends BufferCoreException {

  private static final long serialVersionUID = 1L;

  /** The tuner limit at the time of the refusal. */
  private final int tunerLimit;
  /** The streams that held the tuners. */
  private final List<String> activeStreams;

  /**
   * Creates the exception.
   *
   * @param playlistId the playlist whose tuners are all busy
   * @param streamId the stream that could not be started
   * @param tunerLimit the playlist's tuner limit
   * @param activeStreams the streams holding the tuners
   */
  public TunerLimitExceededException(
      String playlistId, String streamId, int tunerLimit, List<String> activeStreams) {
    super("All " + tunerLimit + " tuner(s) of playlist '" + playlistId + "' are in use by "
        + activeStreams + "; cannot start stream '" + streamId + "'",
        playlistId, streamId, null);
    this.tunerLimit = tunerLimit;
    this.activeStreams = List.copyOf(activeStreams);
  }

  /**
   * Returns the playlist's tuner limit at the time of the refusal.
   *
   * @return the tuner limit
   */
  public int tunerLimit() {
    return tunerLimit;
  }

  /**
   * Returns the ids of the streams that held the tuners at the time of the refusal.
   *
   * @return an immutable list of stream ids
   */
  public List<String> activeStreams() {
    return activeStreams;
  }
}
