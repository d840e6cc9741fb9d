package io.github.buffercore.stress;

import io.github.buffercore.Ticker;
import java.time.Duration;

/** A {@link Ticker} that only moves when a test advances it; no test depends on wall-clock time. */
public final class ManualTicker implements Ticker {

  private volatile long nanos;

  @Override
  public long read() {
    return nanos;
  }

  /**
   * Moves the time forward.
   *
   * @param duration how far
   */
  public void advance(Duration duration) {
    nanos += duration.toNanos();
  }
}
