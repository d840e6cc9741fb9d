package io.github.buffercore.stress.scenario;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.stress.StressKit;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.Ticker;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamSource;
import io.github.buffercore.UpstreamTarget;
import java.net.URI;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link GraceUnderTest} on the real registry with a data path: every stream opens one upstream (a
 * connection that sends nothing until it is closed), {@code streamGrace} is 1 ms and the ticker moves
 * one second at every reading, so any cleanup that runs after the leave finds the grace over.
 *
 * <p>Registries are reused, so a run collects more than a few hundred samples: a state takes a
 * registry no other live state uses (or builds one), uses a stream id of its own, and the arbiter
 * gives the registry back once that stream is gone (its last lease closed, a cleanup past its grace),
 * or closes it if the stream is still there.
 */
public final class RegistryGrace implements GraceUnderTest {

  /** Shared by all states, so a registry per state does not start a timer thread per state. */
  private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "stress-timers");
    thread.setDaemon(true);
    return thread;
  });

  private static final String PLAYLIST = "playlist-1";
  private static final String STREAM = "channel-1";

  /** Registries no live state uses. */
  private static final Queue<PlaylistRegistry> FREE = new ConcurrentLinkedQueue<>();
  private static final AtomicLong STATES = new AtomicLong();

  private final PlaylistRegistry registry;
  private final String stream = STREAM + "-" + STATES.incrementAndGet();
  private final ClientLease leaving;
  private final long originalGeneration;
  private volatile ClientLease joined;

  public RegistryGrace() {
    PlaylistRegistry free = FREE.poll();
    registry = free != null ? free : newRegistry();
    leaving = registry.acquire(PLAYLIST, stream, id -> PlaylistSettings.withTuners(1));
    originalGeneration = generation();
  }

  private static PlaylistRegistry newRegistry() {
    AtomicLong time = new AtomicLong();
    Ticker movingOneSecondPerReading = () -> time.addAndGet(1_000_000_000L);
    return StressKit.builder()
        .ticker(movingOneSecondPerReading)
        .staleAfter(Duration.ofDays(1))
        .streamGrace(Duration.ofMillis(1))
        .idleGrace(Duration.ofDays(36_500)) // reused: the readings move this clock fast
        .scheduler(TIMERS, Duration.ofDays(1))
        .upstream(SilentUpstream.INSTANCE, (p, s) -> UpstreamTarget.of(URI.create("silent:" + s)))
        .build();
  }

  private long generation() {
    return registry.snapshot().playlist(PLAYLIST).flatMap(p -> p.streams().stream()
        .filter(s -> s.streamId().equals(stream)).map(StreamSnapshot::generation).findFirst())
        .orElse(-1L);
  }

  @Override
  public void leave() {
    leaving.close();
  }

  @Override
  public void rejoin() {
    joined = registry.acquire(PLAYLIST, stream);
  }

  @Override
  public void expire() {
    registry.cleanup();
  }

  @Override
  public void arbiter(II_Result r) {
    r.r1 = generation() == originalGeneration ? 1 : 2;
    // A reader of a stopped stream ends at once (-1); a running one has simply no data yet (0).
    r.r2 = joined.reader().poll(new byte[188], 0, 188) == -1 ? 1 : 0;
    joined.close();
    registry.cleanup(); // past its grace: this state's stream stops
    if (generation() == -1) {
      FREE.add(registry); // nothing of this state is left in it
    } else {
      registry.close(); // stops every pump of this state
    }
  }

  /** An upstream that sends nothing and ends when closed. */
  enum SilentUpstream implements UpstreamSource {
    INSTANCE;

    @Override
    public UpstreamConnection open(io.github.buffercore.UpstreamRequest request) {
      CountDownLatch closed = new CountDownLatch(1);
      return new UpstreamConnection() {
        @Override
        public int read(byte[] buf, int off, int len) throws java.io.IOException {
          try {
            closed.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new java.io.IOException("closed");
        }

        @Override
        public void close() {
          closed.countDown();
        }
      };
    }
  }
}
