package io.github.buffercore.stress.kit;

import io.github.buffercore.TunerPool;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import io.github.buffercore.internal.InProcessTunerPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tuner pool of its own class that forwards to buffer-core's in-process pool and counts the slots
 * it handed out: the kit's example of "buffer-core built with another tuner pool". Run the proofs
 * with it through {@code -Dbuffercore.stress.tunerPool=io.github.buffercore.stress.kit.WrappingTunerPool}
 * (see the stress-tests README); a registry built with an external pool goes through the pool SPI
 * path ({@code PlaylistRegistry.Builder#tunerPool}) instead of the built-in default.
 */
public final class WrappingTunerPool implements TunerPool {

  private final TunerPool delegate = new InProcessTunerPool();
  private final AtomicLong granted = new AtomicLong();

  /** A pool with no slot held. */
  public WrappingTunerPool() {
    // the delegate keeps the books
  }

  @Override
  public TunerSlot acquire(TunerRequest request) throws InterruptedException {
    TunerSlot slot = delegate.acquire(request);
    granted.incrementAndGet();
    return slot;
  }

  /**
   * How many slots this pool granted.
   *
   * @return the number of granted slots
   */
  public long granted() {
    return granted.get();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
