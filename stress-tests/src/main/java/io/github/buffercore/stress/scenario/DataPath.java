package io.github.buffercore.stress.scenario;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.Ticker;
import io.github.buffercore.UpstreamTarget;
import io.github.buffercore.stress.StressKit;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real registry with a data path whose upstream is a {@link ProbeUpstream}, for the data-path
 * proofs: no reconnects (a cut upstream fails its stream), a shared timer thread (a registry per
 * jcstress state must not start one each), and a ticker that moves one second at every reading, so
 * "stale" and "grace over" are decided by the settings alone. The tuner pool is the probe's counting
 * wrapper of the in-process pool, or the kit's pool ({@code -Dbuffercore.stress.tunerPool}).
 */
public final class DataPath implements DataPathUnderTest {

  /** The playlist every data-path scenario uses. */
  public static final String PLAYLIST = "p";

  /** Shared by all states, so a registry per state does not start a timer thread per state. */
  private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "stress-data-path-timers");
    thread.setDaemon(true);
    return thread;
  });

  private final ProbeUpstream probe;
  private final PlaylistRegistry registry;
  private final int tuners;

  /**
   * Builds the registry.
   *
   * @param tuners the playlist's tuner limit
   * @param streamGrace how long an idle stream keeps its upstream
   * @param staleAfter how long an untouched client counts as active
   * @param closeNanos how long an upstream close takes (see {@link ProbeUpstream})
   */
  public DataPath(int tuners, Duration streamGrace, Duration staleAfter, long closeNanos) {
    this.tuners = tuners;
    this.probe = new ProbeUpstream(closeNanos);
    AtomicLong time = new AtomicLong();
    Ticker movingOneSecondPerReading = () -> time.addAndGet(1_000_000_000L);
    PlaylistRegistry.Builder builder = StressKit.builder();
    if (!StressKit.hasTunerPool()) {
      builder.tunerPool(probe.pool());
    }
    registry = builder
        .ticker(movingOneSecondPerReading)
        .staleAfter(staleAfter)
        .streamGrace(streamGrace)
        .idleGrace(Duration.ofDays(1))
        .scheduler(TIMERS, Duration.ofDays(1))
        .bufferCapacity(4096) // a ring per stream generation: keep each state small
        .startBehind(0)
        .reconnectPolicy(ReconnectPolicy.none())
        .upstream(probe, (p, s) -> UpstreamTarget.of(URI.create("probe:" + s)))
        .build();
  }

  /**
   * The registry.
   *
   * @return the registry
   */
  public PlaylistRegistry registry() {
    return registry;
  }

  @Override
  public void create() {
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(tuners));
  }

  @Override
  public void leave(AutoCloseable lease) {
    ((ClientLease) lease).close();
  }

  @Override
  public boolean isOpen(AutoCloseable lease) {
    return ((ClientLease) lease).isOpen();
  }

  @Override
  public void cleanup() {
    registry.cleanup();
  }

  @Override
  public void close() {
    registry.close();
  }

  @Override
  public ProbeUpstream probe() {
    return probe;
  }

  @Override
  public ClientLease acquire(String stream) {
    return registry.acquire(PLAYLIST, stream, id -> PlaylistSettings.withTuners(tuners));
  }

  @Override
  public ClientLease playing(String stream) {
    int before = probe.opened();
    ClientLease lease = acquire(stream);
    while (probe.opened() == before) {
      Thread.onSpinWait(); // set-up only: the scenario starts with the connection open
    }
    return lease;
  }

  @Override
  public long generation(String stream) {
    return registry.snapshot().playlist(PLAYLIST).flatMap(p -> p.streams().stream()
        .filter(s -> s.streamId().equals(stream)).findFirst()).map(StreamSnapshot::generation).orElse(-1L);
  }

  @Override
  public void quiesceAndClose() {
    probe.quiesce();
    registry.close();
  }
}
