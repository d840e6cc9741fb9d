package io.github.buffercore.stress.scenario;

import io.github.buffercore.ClientLease;
import io.github.buffercore.StreamReader;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ReaderUnderTest} on the real registry with a data path: stream {@code a} with one client;
 * every other state releases the lease by {@code close()}, the others by a cleanup that finds it
 * stale (staleAfter one nanosecond, the ticker moves a second per reading) unless the stall sweep
 * sees a reader with nothing to read, which counts as active.
 */
public final class LeaseReaderRace implements ReaderUnderTest {

  private static final AtomicLong STATES = new AtomicLong();

  private final boolean evict = (STATES.getAndIncrement() & 1) == 1;
  private final DataPath path = new DataPath(1, Duration.ZERO, evict ? Duration.ofNanos(1) : Duration.ofDays(1), 0L);
  private final ClientLease lease = path.acquire("a");
  private volatile StreamReader reader;

  @Override
  public int reader() {
    try {
      reader = lease.reader();
      return 1;
    } catch (IllegalStateException released) {
      return 0;
    }
  }

  @Override
  public void release() {
    if (evict) {
      path.cleanup();
    } else {
      lease.close();
    }
  }

  @Override
  public int released() {
    return lease.isOpen() ? 0 : 1;
  }

  @Override
  public int readerClosed() {
    StreamReader r = reader;
    return r != null && r.isClosed() ? 1 : 0;
  }

  @Override
  public void dispose() {
    path.quiesceAndClose();
  }
}
