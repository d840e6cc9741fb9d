package io.github.buffercore;

import java.util.Objects;

/**
 * The state of one stream at the instant of a {@link PlaylistRegistry#snapshot()}.
 *
 * @param streamId the stream id
 * @param generation unique to this start of the stream; a stream that stops and starts again gets a
 *     new generation
 * @param clients how many clients hold a lease on it; {@code 0} while it waits out its grace period
 * @param stats the counters of its data path ({@link StreamStats#NONE} without an upstream)
 */
public record StreamSnapshot(String streamId, long generation, int clients, StreamStats stats) {

  /**
   * Checks the components.
   *
   * @param streamId the stream id
   * @param generation unique to this start of the stream; a stream that stops and starts again gets
   *     a new generation
   * @param clients how many clients hold a lease on it; {@code 0} while it waits out its grace
   *     period
   * @param stats the counters of its data path ({@link StreamStats#NONE} without an upstream)
   */
  public StreamSnapshot {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(stats, "stats");
  }

  /**
   * Returns whether the stream has no clients and is waiting out its grace period.
   *
   * @return {@code true} if idle
   */
  public boolean idle() {
    return clients == 0;
  }
}
