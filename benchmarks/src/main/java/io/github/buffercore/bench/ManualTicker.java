package io.github.buffercore.bench;

import io.github.buffercore.Ticker;

/** A ticker the benchmark sets by hand, so cleanup finds exactly the clients it made stale. */
public final class ManualTicker implements Ticker {

  private volatile long now;

  public ManualTicker(long start) {
    this.now = start;
  }

  public void set(long nanos) {
    this.now = nanos;
  }

  @Override
  public long read() {
    return now;
  }
}
