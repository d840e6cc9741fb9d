package io.github.buffercore;

import java.time.Duration;
import java.util.Objects;

/**
 * One request for a tuner slot, as the registry hands it to a {@link TunerPool}.
 *
 * @param playlistId the playlist (the provider account) whose limit applies
 * @param streamId the stream (channel) that wants to open an upstream connection
 * @param tunerLimit the playlist's tuner limit as this node knows it; at least 1
 * @param maxWait how long the pool may wait for a slot that is being released; zero or positive
 */
public record TunerRequest(String playlistId, String streamId, int tunerLimit, Duration maxWait) {

  /**
   * Validates the request.
   *
   * @param playlistId the playlist (the provider account) whose limit applies
   * @param streamId the stream (channel) that wants to open an upstream connection
   * @param tunerLimit the playlist's tuner limit as this node knows it; at least 1
   * @param maxWait how long the pool may wait for a slot that is being released; zero or positive
   * @throws NullPointerException if an id or {@code maxWait} is {@code null}
   * @throws IllegalArgumentException if {@code tunerLimit < 1} or {@code maxWait} is negative
   */
  public TunerRequest {
    Objects.requireNonNull(playlistId, "playlistId");
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(maxWait, "maxWait");
    if (tunerLimit < 1) {
      throw new IllegalArgumentException("tunerLimit must be at least 1 but was " + tunerLimit
          + " (playlist '" + playlistId + "')");
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative but was " + maxWait
          + " (playlist '" + playlistId + "')");
    }
  }
}
