package io.github.buffercore.stress.scenario;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerPool;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamSource;
import io.github.buffercore.UpstreamTarget;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code TunerIsAConnection} scenario on the real data path: a registry (tuner limit 1, no grace)
 * whose upstream source counts connections opened and not yet closed, an open in progress included,
 * and remembers the most ever open at once. Channel {@code a} is playing when the scenario starts;
 * one actor ends it (its connection closes on its pump thread afterwards) while the other starts
 * channel {@code b}. r1 = the most connections open at once, r2 = 1 if {@code b} started, 0 if it was
 * refused.
 */
public final class ConnectionLimitScenario {

  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final PlaylistRegistry registry;
  private final ClientLease playing;

  /**
   * Builds the registry and starts channel {@code a}, returning once its connection is open.
   *
   * @param pool the tuner pool to test, or {@code null} for the registry's default
   */
  public ConnectionLimitScenario(TunerPool pool) {
    UpstreamSource counting = request -> {
      maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      return new CountedConnection();
    };
    PlaylistRegistry.Builder builder = PlaylistRegistry.builder()
        .upstream(counting, (p, s) -> UpstreamTarget.of(URI.create("counting:" + s)))
        .streamGrace(Duration.ZERO)
        .startBehind(0)
        .reconnectPolicy(ReconnectPolicy.none());
    if (pool != null) {
      builder.tunerPool(pool);
    }
    registry = builder.build();
    playing = registry.acquire("p", "a", id -> PlaylistSettings.withTuners(1));
    while (open.get() == 0) {
      Thread.onSpinWait(); // set-up only: the scenario starts with a's connection open
    }
  }

  /** Ends channel {@code a}. */
  public void stopPlaying() {
    playing.close();
  }

  /**
   * Starts channel {@code b} and ends it again.
   *
   * @return 1 if it started, 0 if it was refused
   */
  public int startOther() {
    try (ClientLease other = registry.acquire("p", "b")) {
      return other.streamId().equals("b") ? 1 : -1;
    } catch (TunerLimitExceededException refused) {
      return 0;
    }
  }

  /**
   * The most connections that were open at once; closes the registry.
   *
   * @return the most connections open at once
   */
  public int arbiter() {
    registry.close();
    return maxOpen.get();
  }

  private final class CountedConnection implements UpstreamConnection {
    private boolean closed; // guarded by this

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      synchronized (this) {
        if (closed) {
          throw new IOException("closed");
        }
      }
      LockSupport.parkNanos(100_000);
      int n = Math.min(len, 188);
      buf[off] = 0x47;
      return n;
    }

    /** Open until close returns; a close takes a round trip to the upstream (FIN, TLS close_notify). */
    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        LockSupport.parkNanos(2_000_000);
        open.decrementAndGet();
      }
    }
  }
}
