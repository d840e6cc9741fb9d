package io.github.buffercore.stress.broken;

import io.github.buffercore.Ticker;
import java.time.Duration;

/**
 * A lease close that checks its "open" flag and then clears it, two steps: two threads closing the
 * same lease (a request handler's {@code finally} and a write error callback, say) both pass the
 * check and both decrement the stream's client count, which then counts one client too few (and
 * goes negative when it was the only one). Violates {@code IdempotentRelease}.
 */
public final class NonIdempotentClose extends SketchRegistry {

  public NonIdempotentClose(Duration streamGrace, Duration idleGrace, Ticker ticker,
      Runnable window) {
    super(streamGrace, idleGrace, ticker, window);
  }

  @Override
  protected void closeLease(SketchLease lease) {
    if (lease.open.get()) { // BUG: check ...
      window.run();
      lease.open.set(false); // ... then act: not a compareAndSet
      release(lease.playlistId(), lease.streamId());
    }
  }
}
