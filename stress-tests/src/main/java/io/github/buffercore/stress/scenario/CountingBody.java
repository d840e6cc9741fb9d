package io.github.buffercore.stress.scenario;

import io.github.buffercore.UpstreamConnection;
import java.util.concurrent.atomic.AtomicInteger;

/** An HTTP body stand-in for the {@code HlsBodyClosed} tests: counts its {@link #close()} calls. */
public final class CountingBody implements UpstreamConnection {

  private final AtomicInteger closes = new AtomicInteger();

  @Override
  public int read(byte[] buf, int off, int len) {
    return -1;
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }

  /**
   * Returns whether {@link #close()} was called at least once ({@code close} is idempotent for a
   * real body, so how often does not matter).
   *
   * @return 1 if closed, 0 if not
   */
  public int closed() {
    return closes.get() > 0 ? 1 : 0;
  }
}
