package io.github.buffercore.stress.scenario;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.Ticker;
import io.github.buffercore.UpstreamTarget;
import io.github.buffercore.stress.StressKit;
import io.github.buffercore.TunerSlot;
import io.github.buffercore.UpstreamSource;
import io.github.buffercore.internal.InProcessTunerPool;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real registry with a data path whose upstream is a {@link ProbeUpstream}, for the data-path
 * proofs: no reconnects (a cut upstream fails its stream), stream grace as given (the proofs use 0), a
 * shared timer thread, and a ticker that moves one second at every reading, so "stale" and "grace over"
 * are decided by the settings alone. The tuner pool is a counting wrapper of the in-process pool, or
 * the kit's pool ({@code -Dbuffercore.stress.tunerPool}).
 *
 * <p>Registries are reused: building and closing a registry with its pump threads for every jcstress
 * state would leave a few hundred samples per run. Each state takes a registry no other live state
 * uses (from a pool per configuration, or a new one), names its streams with a suffix of its own
 * ({@code a} is {@code a-<state>}), so nothing of an earlier state (a late pump, a timer) can touch
 * it, and gives the registry back only if everything of its own is gone: every lease it handed out
 * closed, every stream removed, every connection closed. A state that closed the registry, or whose
 * streams a bug left behind, does not give it back. The probe and the tuner-slot count are per state.
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
  private static final Map<String, Queue<Shared>> POOLS = new ConcurrentHashMap<>();
  private static final AtomicLong STATES = new AtomicLong();

  /** One reusable registry and the probes of the states using it, by stream suffix. */
  private static final class Shared {
    final Map<String, ProbeUpstream> probes = new ConcurrentHashMap<>();
    final PlaylistRegistry registry;

    Shared(int tuners, Duration streamGrace, Duration staleAfter, boolean createPlaylist) {
      AtomicLong time = new AtomicLong();
      Ticker movingOneSecondPerReading = () -> time.addAndGet(1_000_000_000L);
      UpstreamSource byState = request -> {
        ProbeUpstream probe = probes.get(suffix(request.streamId()));
        if (probe == null) {
          throw new IOException("stream " + request.streamId() + " belongs to no live state");
        }
        return probe.open(request);
      };
      PlaylistRegistry.Builder builder = StressKit.builder();
      if (!StressKit.hasTunerPool()) {
        InProcessTunerPool pool = new InProcessTunerPool();
        builder.tunerPool(request -> {
          ProbeUpstream probe = probes.get(suffix(request.streamId()));
          TunerSlot slot = pool.acquire(request);
          return probe == null ? slot : probe.counted(slot);
        });
      }
      registry = builder
          .ticker(movingOneSecondPerReading)
          .staleAfter(staleAfter)
          .streamGrace(streamGrace)
          .idleGrace(Duration.ofDays(36_500)) // the playlist stays: readings move the clock fast
          .scheduler(TIMERS, Duration.ofDays(1))
          .bufferCapacity(4096) // a ring per stream generation: keep each state small
          .startBehind(0)
          .reconnectPolicy(ReconnectPolicy.none())
          .upstream(byState, (p, s) -> UpstreamTarget.of(URI.create("probe:" + s)))
          .build();
      if (createPlaylist) {
        registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(tuners));
      }
    }

    static String suffix(String streamId) {
      return streamId.substring(streamId.lastIndexOf('-') + 1);
    }
  }

  private final Queue<Shared> pool; // null: a registry of this state alone, never reused
  private final int tuners;
  private final Shared shared;
  private final String suffix = Long.toString(STATES.incrementAndGet());
  private final ProbeUpstream probe;
  private final PlaylistRegistry registry;
  private final Queue<ClientLease> leases = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  /**
   * Takes a registry of this configuration (or builds one).
   *
   * @param tuners the playlist's tuner limit
   * @param streamGrace how long an idle stream keeps its upstream
   * @param staleAfter how long an untouched client counts as active
   * @param closeNanos how long an upstream close takes (see {@link ProbeUpstream})
   */
  public DataPath(int tuners, Duration streamGrace, Duration staleAfter, long closeNanos) {
    this(POOLS.computeIfAbsent(tuners + "/" + streamGrace + "/" + staleAfter, k -> new ConcurrentLinkedQueue<>()),
        tuners, streamGrace, staleAfter, closeNanos);
  }

  private DataPath(Queue<Shared> pool, int tuners, Duration streamGrace, Duration staleAfter, long closeNanos) {
    this.pool = pool;
    this.tuners = tuners;
    Shared taken = pool == null ? null : pool.poll();
    this.shared = taken != null ? taken : new Shared(tuners, streamGrace, staleAfter, pool != null);
    this.probe = new ProbeUpstream(closeNanos);
    shared.probes.put(suffix, probe);
    this.registry = shared.registry;
  }

  /**
   * A data path with a registry of its own, built for this state and never reused, in which the
   * playlist does not exist yet (the first acquire creates it): for a proof that closes the registry.
   *
   * @param tuners the playlist's tuner limit
   * @param streamGrace how long an idle stream keeps its upstream
   * @param staleAfter how long an untouched client counts as active
   * @param closeNanos how long an upstream close takes (see {@link ProbeUpstream})
   * @return the data path
   */
  public static DataPath unshared(int tuners, Duration streamGrace, Duration staleAfter, long closeNanos) {
    return new DataPath(null, tuners, streamGrace, staleAfter, closeNanos);
  }

  private String id(String stream) {
    return stream + '-' + suffix;
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
    closed = true;
    registry.close();
  }

  @Override
  public ProbeUpstream probe() {
    return probe;
  }

  @Override
  public ClientLease acquire(String stream) {
    ClientLease lease = registry.acquire(PLAYLIST, id(stream), id -> PlaylistSettings.withTuners(tuners));
    leases.add(lease);
    return lease;
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
    String id = id(stream);
    return registry.snapshot().playlist(PLAYLIST).flatMap(p -> p.streams().stream()
        .filter(s -> s.streamId().equals(id)).findFirst()).map(StreamSnapshot::generation).orElse(-1L);
  }

  /**
   * For the arbiter: ends every blocked read, closes every lease this state handed out (stream grace
   * 0: their streams stop) and waits until every connection of this state is closed. After this,
   * {@link ProbeUpstream#unstopped()} counts the pumps nobody stopped. The registry goes back to the
   * pool if this state left nothing in it.
   */
  @Override
  public void quiesceAndClose() {
    probe.quiesce();
    if (!closed) {
      for (ClientLease lease : leases) {
        lease.close();
      }
    }
    while (probe.openNow() > 0) {
      Thread.yield(); // every read has ended, so every pump closes its connection promptly
    }
    boolean clean = !closed && registry.snapshot().playlist(PLAYLIST)
        .map(p -> p.streams().stream().noneMatch(s -> s.streamId().endsWith('-' + suffix)))
        .orElse(false);
    shared.probes.remove(suffix);
    if (clean && pool != null) {
      pool.add(shared);
    } else if (!closed) {
      registry.close(); // its own registry, or something of this state is left (a bug under test)
    }
  }
}
