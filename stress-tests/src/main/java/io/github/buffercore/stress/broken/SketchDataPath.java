package io.github.buffercore.stress.broken;

import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.RegistryClosedException;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.internal.ChunkSink;
import io.github.buffercore.internal.UpstreamPump;
import io.github.buffercore.stress.scenario.DataPath;
import io.github.buffercore.stress.scenario.DataPathUnderTest;
import io.github.buffercore.stress.scenario.ProbeUpstream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A small sketch of a registry with a data path, for the broken variants of the data-path proofs:
 * one monitor guards the stream table (so the table itself is right), every upstream is a real
 * {@link UpstreamPump} on the {@link ProbeUpstream}, no stream grace, and every client is stale for
 * {@link #cleanup()}. Correct except for the one {@link Bug} it is built with, each a bug the real
 * registry must not have; each widens its window with {@link RaceWindow#SPIN}. Not a copy of
 * buffer-core.
 */
public final class SketchDataPath implements DataPathUnderTest {

  /** The bug the sketch has. */
  public enum Bug {
    /** A new generation opens its upstream without waiting for the previous one's to close. */
    NO_WAIT_FOR_PREVIOUS,
    /** The start of a stream opens its upstream even if the stream was stopped meanwhile. */
    START_IGNORES_STOP,
    /** An upstream failure removes the stream of that id whatever its generation. */
    STALE_FAILURE_ACCEPTED,
    /** The last leave removes the stream but does not stop its upstream. */
    LAST_LEAVE_KEEPS_UPSTREAM,
    /** {@code acquire} checks "closed" before, not inside, the change that adds its client. */
    CLOSE_CHECKED_BEFORE_JOIN
  }

  private static final ExecutorService PUMPS = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "sketch-pump");
    thread.setDaemon(true);
    return thread;
  });
  private static final ScheduledExecutorService WATCHDOGS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "sketch-watchdog");
    thread.setDaemon(true);
    return thread;
  });

  private final Bug bug;
  private final int tuners;
  private final ProbeUpstream probe;
  private final Map<String, Gen> streams = new HashMap<>(); // guarded by this
  private final Map<String, Gen> newestByStream = new HashMap<>(); // guarded by this
  private final Queue<UpstreamPump> pumps = new ConcurrentLinkedQueue<>();
  private boolean created; // guarded by this
  private volatile boolean closed;
  private long generations; // guarded by this

  /**
   * @param bug the bug to have
   * @param tuners the tuner limit
   * @param closeNanos how long an upstream close takes (see {@link ProbeUpstream})
   */
  public SketchDataPath(Bug bug, int tuners, long closeNanos) {
    this.bug = bug;
    this.tuners = tuners;
    this.probe = new ProbeUpstream(closeNanos);
  }

  /** One generation of a stream. */
  private final class Gen {
    final String stream;
    final long id;
    final Set<Lease> clients = new HashSet<>(); // guarded by SketchDataPath.this
    boolean stopped; // guarded by SketchDataPath.this
    UpstreamPump pump; // guarded by SketchDataPath.this

    Gen(String stream, long id) {
      this.stream = stream;
      this.id = id;
    }
  }

  /** A client's lease. */
  private final class Lease implements AutoCloseable {
    final Gen gen;
    volatile boolean open = true;

    Lease(Gen gen) {
      this.gen = gen;
    }

    @Override
    public void close() {
      leave(this);
    }
  }

  @Override
  public synchronized void create() {
    created = true;
  }

  @Override
  public AutoCloseable acquire(String stream) {
    if (bug == Bug.CLOSE_CHECKED_BEFORE_JOIN) {
      if (closed) {
        throw new RegistryClosedException(null);
      }
      RaceWindow.widen();
    }
    Gen started = null;
    Gen previous = null;
    Lease lease;
    synchronized (this) {
      if (closed && bug != Bug.CLOSE_CHECKED_BEFORE_JOIN) {
        throw new RegistryClosedException(null);
      }
      created = true;
      Gen gen = streams.get(stream);
      if (gen == null) {
        if (streams.size() >= tuners) {
          throw new TunerLimitExceededException(DataPath.PLAYLIST, stream, tuners, List.copyOf(streams.keySet()));
        }
        gen = new Gen(stream, ++generations);
        streams.put(stream, gen);
        previous = newestByStream.put(stream, gen);
        started = gen;
      }
      lease = new Lease(gen);
      gen.clients.add(lease);
    }
    if (started != null) {
      start(started, previous);
    }
    return lease;
  }

  private void start(Gen gen, Gen previous) {
    if (previous != null && bug != Bug.NO_WAIT_FOR_PREVIOUS) {
      awaitStopped(previous);
    }
    if (bug == Bug.START_IGNORES_STOP || bug == Bug.NO_WAIT_FOR_PREVIOUS) {
      RaceWindow.widen();
    }
    UpstreamPump pump = UpstreamPump.builder(DataPath.PLAYLIST, gen.stream, probe, new Sink(gen), WATCHDOGS)
        .primaryUrl(URI.create("probe:" + gen.stream))
        .reconnectPolicy(ReconnectPolicy.none())
        .build();
    synchronized (this) {
      if (gen.stopped && bug != Bug.START_IGNORES_STOP) {
        return;
      }
      gen.pump = pump;
    }
    pumps.add(pump);
    PUMPS.execute(pump);
  }

  private void awaitStopped(Gen gen) {
    UpstreamPump pump;
    synchronized (this) {
      gen.stopped = true;
      pump = gen.pump;
    }
    if (pump != null) {
      pump.stop();
      await(pump);
    }
  }

  private static void await(UpstreamPump pump) {
    try {
      pump.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stop(Gen gen) {
    UpstreamPump pump;
    synchronized (this) {
      gen.stopped = true;
      pump = gen.pump;
    }
    if (pump != null) {
      pump.stop();
    }
  }

  @Override
  public AutoCloseable playing(String stream) {
    int before = probe.opened();
    AutoCloseable lease = acquire(stream);
    while (probe.opened() == before) {
      Thread.onSpinWait(); // set-up only
    }
    return lease;
  }

  @Override
  public void leave(AutoCloseable handle) {
    Lease lease = (Lease) handle;
    Gen toStop = null;
    synchronized (this) {
      if (!lease.open) {
        return;
      }
      lease.open = false;
      lease.gen.clients.remove(lease);
      if (lease.gen.clients.isEmpty() && streams.get(lease.gen.stream) == lease.gen) {
        streams.remove(lease.gen.stream);
        toStop = lease.gen;
      }
    }
    if (toStop != null && bug != Bug.LAST_LEAVE_KEEPS_UPSTREAM) {
      stop(toStop);
    }
  }

  @Override
  public boolean isOpen(AutoCloseable lease) {
    return ((Lease) lease).open;
  }

  @Override
  public void cleanup() {
    for (Gen gen : removeAll()) {
      stop(gen);
    }
  }

  private synchronized List<Gen> removeAll() {
    List<Gen> removed = new ArrayList<>(streams.values());
    for (Gen gen : removed) {
      for (Lease lease : gen.clients) {
        lease.open = false;
      }
      gen.clients.clear();
    }
    streams.clear();
    return removed;
  }

  /** The pump's report: its upstream failed for good. */
  private void streamEnded(String stream, long generation) {
    if (bug == Bug.STALE_FAILURE_ACCEPTED) {
      RaceWindow.widen(); // the failure report is late: a new generation may be in the table by now
    }
    Gen removed;
    synchronized (this) {
      removed = streams.get(stream);
      if (removed == null || (removed.id != generation && bug != Bug.STALE_FAILURE_ACCEPTED)) {
        return;
      }
      streams.remove(stream);
      for (Lease lease : removed.clients) {
        lease.open = false;
      }
    }
    stop(removed);
  }

  @Override
  public void close() {
    closed = true;
    for (Gen gen : removeAll()) {
      stop(gen);
    }
  }

  @Override
  public synchronized long generation(String stream) {
    Gen gen = streams.get(stream);
    return gen == null ? -1 : gen.id;
  }

  @Override
  public ProbeUpstream probe() {
    return probe;
  }

  @Override
  public void quiesceAndClose() {
    probe.quiesce();
    close();
    for (UpstreamPump pump : pumps) {
      await(pump);
    }
  }

  /** Drops the bytes; reports a failure to the sketch. */
  private final class Sink implements ChunkSink {
    private final Gen gen;

    Sink(Gen gen) {
      this.gen = gen;
    }

    @Override
    public void write(byte[] src, int off, int len) {
      // the proofs look at connections, not bytes
    }

    @Override
    public void complete() {
      // stopped: nothing to report
    }

    @Override
    public void fail(UpstreamException cause) {
      streamEnded(gen.stream, gen.id);
    }
  }
}
