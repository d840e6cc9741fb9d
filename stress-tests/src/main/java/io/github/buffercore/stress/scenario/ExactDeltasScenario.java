package io.github.buffercore.stress.scenario;

import io.github.buffercore.ClientLease;
import io.github.buffercore.InProcessUpstreamSource;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.StreamStats;
import io.github.buffercore.UpstreamTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * The {@code ExactDeltas} invariant of {@code io.github.buffercore.micrometer}: two threads refresh
 * one binder at once (both call {@code monitor}, which refreshes), over a stream whose upstream has
 * delivered exactly {@link #BYTES} bytes and then stays silent; the stats-fed counter
 * {@code buffercore.received} must then hold exactly {@link #BYTES}, not twice that.
 *
 * <p>The stream is shared by every state (a registry per state would cost a pump thread and a wait
 * per sample): its stats are stable, and each state has its own binder and meter registry, so states
 * share nothing that changes.
 */
public final class ExactDeltasScenario {

  /** What the shared stream's upstream delivers before it goes silent: 64 TS packets. */
  public static final int BYTES = 188 * 64;

  /** The playlist and stream the counter is tagged with. */
  public static final String PLAYLIST = "p1";

  /** The shared registry, one stream with one client whose upstream delivered {@link #BYTES}. */
  public static final PlaylistRegistry REGISTRY = sharedStream();

  /** A binder under test: a refresh, and the counter it feeds. */
  public interface Books {
    /** Sets the source (the first time) and refreshes, as {@code BufferCoreMetrics.monitor} does. */
    void monitor(PlaylistRegistry registry);

    /** The meter registry the books write to. */
    SimpleMeterRegistry meters();
  }

  private final Books books;

  /**
   * Creates the scenario.
   *
   * @param books the binder under test, bound to its own meter registry and not monitoring yet
   */
  public ExactDeltasScenario(Books books) {
    this.books = books;
  }

  /** One refreshing thread. */
  public void refresh() {
    books.monitor(REGISTRY);
  }

  /**
   * Reports the counter in units of {@link #BYTES}: 1 is exact, 2 counted the bytes twice.
   *
   * @param r the result
   */
  public void arbiter(J_Result r) {
    Counter received = books.meters().find("buffercore.received").tag("playlist", PLAYLIST).counter();
    double bytes = received == null ? 0 : received.count();
    r.r1 = bytes % BYTES == 0 ? (long) (bytes / BYTES) : -1;
  }

  private static PlaylistRegistry sharedStream() {
    // The upstream's code lives in its own class: a lambda here would run a method of this class on
    // the pump thread while this class is still initializing, and wait for it forever.
    SilentAfterBytes upstream = new SilentAfterBytes();
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .upstream(InProcessUpstreamSource.from(upstream).build(), upstream)
        .staleAfter(Duration.ofDays(1))
        .build();
    ClientLease lease = registry.acquire(PLAYLIST, "s1", id -> PlaylistSettings.withTuners(1));
    lease.touch();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (received(registry) < BYTES) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The shared stream of ExactDeltasScenario received only "
            + received(registry) + " of " + BYTES + " bytes in 30 s");
      }
      Thread.onSpinWait();
    }
    return registry;
  }

  private static long received(PlaylistRegistry registry) {
    return registry.snapshot().playlist(PLAYLIST)
        .flatMap(p -> p.streams().stream().findFirst())
        .map(s -> s.stats()).map(StreamStats::bytesIn).orElse(0L);
  }

  /** Each connection delivers {@link #BYTES} bytes of TS packets, then stays silent until closed. */
  private static final class SilentAfterBytes
      implements InProcessUpstreamSource.StreamFactory, io.github.buffercore.UpstreamResolver {

    private final CountDownLatch never = new CountDownLatch(1);

    @Override
    public UpstreamTarget resolve(String playlistId, String streamId) {
      return UpstreamTarget.of(URI.create("inprocess:" + streamId));
    }

    @Override
    public InputStream open(io.github.buffercore.UpstreamRequest request) {
      return new InputStream() {
        private int position;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (position < BYTES) {
            int n = Math.min(len, BYTES - position);
            for (int i = 0; i < n; i++) {
              b[off + i] = (position + i) % 188 == 0 ? (byte) 0x47 : 0;
            }
            position += n;
            return n;
          }
          try {
            never.await(); // silent, like a live upstream between packets; daemon threads end with the JVM
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
          return -1;
        }
      };
    }
  }
}
