package io.github.buffercore.stress.window;

import io.github.buffercore.ClientLease;
import io.github.buffercore.LeaseEnd;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.StreamReader;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.Ticker;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamTarget;
import io.github.buffercore.stress.scenario.CountedTunerSlot;
import io.github.buffercore.stress.scenario.DataPath;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The debuggee side of {@link WindowCheck}: one scenario of the real registry with a data path, run
 * in a JVM that {@link WindowCheck} drives through JDI. Its threads have fixed names ({@code closer},
 * {@code evictor}, {@code expirer}, {@code main}); the debugger suspends one of them at a breakpoint
 * and tells this process through {@link #paused}, this process does its
 * step inside the window and tells the debugger through {@link #proceed}, and the debugger resumes
 * the suspended thread. So the interleaving that a jcstress run reaches only when a thread is
 * preempted on one instruction is reached on every run.
 *
 * <p>Usage (by {@link WindowCheck} only): {@code WindowScenarios close-reader|evict-reader|evict-close|grace-rejoin|stop-start}.
 * Prints {@code RESULT OK ...} and exits 0 when the invariant held, prints {@code RESULT FORBIDDEN ...}
 * and exits 1 when it broke, exits 2 when the window was never reached (the breakpoint did not fire:
 * the harness, not the code under test, is wrong).
 */
public final class WindowScenarios {

  /** Set by the debugger (JDI) when the watched thread is suspended in the window. */
  static volatile boolean paused;
  /** Set by this process when its step inside the window is done: the debugger may resume. */
  static volatile boolean proceed;
  /** Set by this process when the {@code evictor} thread has finished (the third scenario). */
  static volatile boolean evictorDone;
  /** Set by this process when the {@code starter} thread has finished (the stop-start scenario). */
  static volatile boolean starterDone;
  /**
   * Set by the debugger (a watchpoint on {@code SharedStream.executed}) when the {@code starter}
   * thread hands a pump to a thread after the stop began: an upstream the stop will never stop.
   */
  static volatile boolean handedOver;

  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

  private WindowScenarios() { }

  /**
   * Runs one scenario; see the class description.
   *
   * @param args the scenario name
   * @throws Exception if a thread is interrupted
   */
  public static void main(String[] args) throws Exception {
    String scenario = args.length == 1 ? args[0] : "";
    int exit = switch (scenario) {
      case "close-reader" -> readerDuringRelease(false);
      case "evict-reader" -> readerDuringRelease(true);
      case "evict-close" -> closeDuringEviction();
      case "grace-rejoin" -> rejoinBeforeExpiry();
      case "stop-start" -> startDuringStop();
      case "tuner-release" -> attachDuringRelease();
      case "metrics-refresh" -> refreshDuringRefresh();
      default -> {
        System.out.println("RESULT HARNESS unknown scenario '" + scenario + "'; one of close-reader,"
            + " evict-reader, evict-close, grace-rejoin, stop-start, tuner-release, metrics-refresh");
        yield 2;
      }
    };
    System.out.flush();
    System.exit(exit);
  }

  /**
   * ReaderClosedWithLease: the holder creates its reader while the lease is being released, by its
   * own {@code close()} (thread {@code closer}) or by the stall sweep's eviction (thread
   * {@code evictor}), suspended at the start of {@code markReleased}. Whichever order, a reader
   * handed out by a released lease must end up closed.
   */
  private static int readerDuringRelease(boolean evict) throws InterruptedException {
    // staleAfter 1 ns (the ticker moves on every reading): the lease without a reader is stale at
    // the first cleanup; one day for the close scenario, so cleanup never evicts it there.
    DataPath path = DataPath.unshared(1, Duration.ZERO, evict ? Duration.ofNanos(1) : Duration.ofDays(1), 0L);
    ClientLease lease = path.acquire("a");
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread releaser = startRecordingFailure(evict ? "evictor" : "closer", failure, () -> {
      if (evict) {
        path.cleanup();
      } else {
        lease.close();
      }
    });
    if (!awaitFlag(true)) {
      return harness("the " + releaser.getName() + " thread never stopped in Lease.markReleased");
    }
    StreamReader reader = null;
    try {
      reader = lease.reader(); // inside the window: the release has begun, the CAS has not run
    } catch (IllegalStateException released) {
      // the lease already counts as released: no reader was handed out, nothing can leak
    }
    proceed = true;
    releaser.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    try {
      if (releaser.isAlive()) {
        return harness("the " + releaser.getName() + " thread did not finish after it was resumed");
      }
      if (failure.get() != null) {
        return forbidden("the release threw " + failure.get());
      }
      if (lease.isOpen()) {
        return harness("the lease is still open after the " + (evict ? "eviction" : "close"));
      }
      if (reader != null && !reader.isClosed()) {
        return forbidden("the lease was released (" + (evict ? "evicted" : "closed")
            + ") but the reader created during the release is still open");
      }
      return ok("the reader " + (reader == null ? "was refused" : "was closed with the lease"));
    } finally {
      path.quiesceAndClose();
    }
  }

  /**
   * StallEviction: the holder's {@code close()} (thread {@code main}) runs while the stall sweep's
   * eviction (thread {@code evictor}) is suspended at the start of {@code markReleased}; the close is
   * suspended right after it won the compare-and-set, the eviction then runs to its end, then the
   * close finishes. The lease's end must be told exactly once, with the reason of the one that
   * released it (CLOSED), and neither release may throw.
   */
  private static int closeDuringEviction() throws InterruptedException {
    DataPath path = DataPath.unshared(1, Duration.ZERO, Duration.ofNanos(1), 0L);
    ClientLease lease = path.acquire("a");
    List<LeaseEnd> ends = new CopyOnWriteArrayList<>();
    lease.onEnded(ends::add);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread evictor = new Thread(() -> {
      try {
        path.cleanup();
      } catch (Throwable t) {
        failure.set(t);
      } finally {
        evictorDone = true;
      }
    }, "evictor");
    evictor.start();
    if (!awaitFlag(true)) {
      return harness("the evictor thread never stopped in Lease.markReleased");
    }
    Throwable closeFailure = null;
    try {
      lease.close(); // the debugger suspends it after its CAS and lets the eviction finish meanwhile
    } catch (Throwable t) {
      closeFailure = t;
    }
    evictor.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    try {
      if (evictor.isAlive()) {
        return harness("the evictor thread did not finish after it was resumed");
      }
      if (!evictorDone || !proceedSeen()) {
        return harness("the close was never suspended after its compare-and-set");
      }
      if (failure.get() != null) {
        return forbidden("the eviction threw " + failure.get());
      }
      if (closeFailure != null) {
        return forbidden("the close threw " + closeFailure);
      }
      if (ends.size() != 1 || ends.get(0).reason() != LeaseEnd.Reason.CLOSED) {
        return forbidden("the lease's end was told " + ends.size() + " time(s) " + ends
            + "; expected once, CLOSED (the close won the release)");
      }
      return ok("the end was told once: " + ends.get(0));
    } finally {
      path.quiesceAndClose();
    }
  }

  /**
   * GraceRejoin: the only client leaves; a cleanup past the grace (thread {@code expirer}) sees the
   * stream idle in its pre-check and is suspended before its compute; the client rejoins; the
   * cleanup's compute runs. It must re-check "no clients" inside the compute: the rejoined client's
   * stream keeps running. The registry has a manual ticker (advanced past the 60 s grace by hand) and
   * a scheduler whose grace timer (60 s of real time) never fires during the check, so no other
   * expiry takes part.
   */
  private static int rejoinBeforeExpiry() throws InterruptedException {
    ScheduledExecutorService timers = windowTimers();
    Ticker.Manual ticker = Ticker.manual();
    PlaylistRegistry registry = silentRegistry(ticker, timers, Duration.ofSeconds(60), Duration.ofDays(1));
    try {
      ClientLease leaving = registry.acquire("p", "a", id -> PlaylistSettings.withTuners(1));
      leaving.close();
      ticker.advance(Duration.ofSeconds(61)); // past the grace: the cleanup's pre-check sees it expired
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread expirer = startRecordingFailure("expirer", failure, registry::cleanup);
      if (!awaitFlag(true)) {
        return harness("the expirer thread never stopped before the cleanup's compute");
      }
      ClientLease joined = registry.acquire("p", "a"); // inside the window: after the pre-check
      proceed = true;
      expirer.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
      if (expirer.isAlive()) {
        return harness("the expirer thread did not finish after it was resumed");
      }
      if (failure.get() != null) {
        return forbidden("the cleanup threw " + failure.get());
      }
      int clients = registry.snapshot().playlist("p").flatMap(p -> p.streams().stream()
          .filter(st -> st.streamId().equals("a")).findFirst()).map(StreamSnapshot::clients).orElse(-1);
      if (clients != 1 || !joined.isOpen()) {
        return forbidden("the expiry stopped the stream a client had just rejoined (clients of the "
            + "stream after it: " + clients + ", lease open: " + joined.isOpen() + ")");
      }
      return ok("the rejoined client kept its stream");
    } finally {
      registry.close();
      timers.shutdownNow();
    }
  }

  /**
   * StoppedNeverOpens: a join started stream {@code a}; its start (thread {@code starter}) is
   * suspended at the entry of {@code SharedStream.start}, after the compute. A cleanup (thread
   * {@code stopper}) evicts the stale client and stops the stream; it is suspended at the second line
   * of {@code SharedStream.stop}, i.e. right after its state change. The start then runs to its end,
   * then the stop. The start must find the stream stopped and hand no pump to a thread (the debugger
   * watches {@code SharedStream.executed} and sets {@link #handedOver}).
   */
  private static int startDuringStop() throws InterruptedException {
    ScheduledExecutorService timers = windowTimers();
    Ticker.Manual ticker = Ticker.manual();
    PlaylistRegistry registry = silentRegistry(ticker, timers, Duration.ZERO, Duration.ofSeconds(1));
    registry.getOrCreate("p", id -> PlaylistSettings.withTuners(1));
    Thread starter = new Thread(() -> {
      try {
        registry.acquire("p", "a");
      } catch (RuntimeException evictedOrRefused) {
        // the stop may win in several ways; what matters is whether a pump was handed over
      } finally {
        starterDone = true;
      }
    }, "starter");
    starter.start();
    if (!awaitFlag(true)) {
      return harness("the starter thread never stopped at SharedStream.start");
    }
    ticker.advance(Duration.ofSeconds(2)); // the client is stale: the cleanup evicts it, the stream stops
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread stopper = startRecordingFailure("stopper", failure, registry::cleanup);
    stopper.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    starter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    if (stopper.isAlive() || starter.isAlive()) {
      return harness("the starter or the stopper did not finish after it was resumed");
    }
    if (!proceed) {
      return harness("the stop was never suspended after its state change");
    }
    if (failure.get() != null) {
      return forbidden("the cleanup threw " + failure.get());
    }
    if (handedOver) {
      // The orphan pump keeps its connection open; exiting the JVM ends it.
      return forbidden("the start handed a pump to a thread after the stop had stopped the stream: "
          + "an upstream opened for a removed stream, which nothing will stop");
    }
    registry.close();
    timers.shutdownNow();
    return ok("the start found the stream stopped and opened nothing");
  }

  /** An upstream connection that sends nothing and ends when it is closed. */
  private static final class SilentConnection implements UpstreamConnection {
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("closed");
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }

  /**
   * CloseLeavesNothing, the tuner slot: a join started stream {@code a}, and its start (thread
   * {@code starter}) waits in the tuner pool; a cleanup (thread {@code releaser}) evicts the stale
   * client and stops the stream, which releases its {@code TunerHold}; the debugger suspends the
   * releaser right after the first critical section of {@code TunerHold.release}. The pool then
   * grants the slot and the start attaches it, then the release runs to its end. A slot attached to
   * a hold being released must be closed: no slot may be held at the end.
   */
  private static int attachDuringRelease() throws InterruptedException {
    CountDownLatch admitting = new CountDownLatch(1);
    CountDownLatch grant = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
    io.github.buffercore.TunerPool slots = new io.github.buffercore.internal.InProcessTunerPool();
    io.github.buffercore.TunerPool pool = request -> {
      admitting.countDown();
      grant.await(60, TimeUnit.SECONDS);
      io.github.buffercore.TunerSlot slot = slots.acquire(request);
      return CountedTunerSlot.wrap(slot, held);
    };
    Ticker.Manual ticker = Ticker.manual();
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .ticker(ticker)
        .staleAfter(Duration.ofSeconds(1))
        .streamGrace(Duration.ZERO)
        .idleGrace(Duration.ofDays(1))
        .manualCleanup()
        .tunerPool(pool)
        .build(); // no upstream: a stopped stream releases its hold on the stopping thread
    try {
      registry.getOrCreate("p", id -> PlaylistSettings.withTuners(1));
      AtomicReference<Throwable> startFailure = new AtomicReference<>();
      Thread starter = startRecordingFailure("starter", startFailure, () -> registry.acquire("p", "a"));
      if (!admitting.await(60, TimeUnit.SECONDS)) {
        return harness("the start never asked the tuner pool");
      }
      ticker.advance(Duration.ofSeconds(2)); // the client, never touched, is stale
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread releaser = startRecordingFailure("releaser", failure, registry::cleanup);
      if (!awaitFlag(true)) {
        return harness("the releaser thread never stopped inside TunerHold.release");
      }
      grant.countDown(); // inside the window: the start attaches its slot
      starter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
      proceed = true;
      releaser.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
      if (starter.isAlive() || releaser.isAlive()) {
        return harness("the starter or the releaser did not finish");
      }
      if (failure.get() != null) {
        return forbidden("the cleanup threw " + failure.get());
      }
      if (held.get() != 0) {
        return forbidden(held.get() + " tuner slot(s) still held after the stream was stopped: the slot"
            + " attached during the release was kept");
      }
      return ok("the slot attached during the release was closed");
    } finally {
      registry.close();
    }
  }

  /**
   * ExactDeltas (buffer-micrometer): a binder's refresh (thread {@code refresher}) over a stream whose
   * stats stay at {@code ExactDeltasScenario.BYTES} received is suspended right after it read the
   * stats it saw last time, before it stores the new ones; a second refresh runs meanwhile (for up to
   * 2 s: the real binder's monitor makes it wait), then both end. The stats-fed counter must hold the
   * bytes once.
   */
  private static int refreshDuringRefresh() throws InterruptedException {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    io.github.buffercore.micrometer.BufferCoreMetrics metrics =
        io.github.buffercore.micrometer.BufferCoreMetrics.builder().build();
    metrics.bindTo(meters);
    PlaylistRegistry registry = io.github.buffercore.stress.scenario.ExactDeltasScenario.REGISTRY;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread refresher = startRecordingFailure("refresher", failure, () -> metrics.monitor(registry));
    if (!awaitFlag(true)) {
      return harness("the refresher thread never stopped between its read and its store of the last stats");
    }
    Thread second = startRecordingFailure("second", failure, metrics::refresh);
    second.join(2000); // the real binder: blocked on the monitor the refresher holds
    proceed = true;
    refresher.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    second.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    if (refresher.isAlive() || second.isAlive()) {
      return harness("a refresh did not finish");
    }
    if (failure.get() != null) {
      return forbidden("a refresh threw " + failure.get());
    }
    io.micrometer.core.instrument.Counter received = meters.find("buffercore.received")
        .tag("playlist", io.github.buffercore.stress.scenario.ExactDeltasScenario.PLAYLIST).counter();
    double bytes = received == null ? 0 : received.count();
    int expected = io.github.buffercore.stress.scenario.ExactDeltasScenario.BYTES;
    if (bytes != expected) {
      return forbidden("buffercore.received holds " + (long) bytes + " bytes after two refreshes of a stream"
          + " that received " + expected);
    }
    return ok("the bytes were counted once");
  }

  /**
   * Starts {@code body} on a thread named {@code name} (the debugger suspends threads by name) and
   * records whatever it throws in {@code failure}, for the check to report as forbidden.
   */
  private static Thread startRecordingFailure(String name, AtomicReference<Throwable> failure, Runnable body) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable t) {
        failure.set(t);
      }
    }, name);
    thread.start();
    return thread;
  }

  /** The single daemon timer thread of a window registry; its grace timers never fire in a check. */
  private static ScheduledExecutorService windowTimers() {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "window-timers");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * A registry on a manual ticker whose upstreams never send a byte; its periodic sweep runs once a
   * day, so only the check's own cleanups take part.
   */
  private static PlaylistRegistry silentRegistry(Ticker.Manual ticker, ScheduledExecutorService timers,
      Duration streamGrace, Duration staleAfter) {
    return PlaylistRegistry.builder()
        .ticker(ticker)
        .streamGrace(streamGrace)
        .idleGrace(Duration.ofDays(1))
        .staleAfter(staleAfter)
        .scheduler(timers, Duration.ofDays(1))
        .upstream(request -> new SilentConnection(), (p, s) -> UpstreamTarget.of(URI.create("silent:" + s)))
        .build();
  }

  /** Whether the debugger marked the close's suspension (it sets {@link #proceed} for it). */
  private static boolean proceedSeen() {
    return proceed;
  }

  private static boolean awaitFlag(boolean value) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (paused != value) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.onSpinWait();
    }
    return true;
  }

  private static int ok(String what) {
    System.out.println("RESULT OK " + what);
    return 0;
  }

  private static int forbidden(String what) {
    System.out.println("RESULT FORBIDDEN " + what);
    return 1;
  }

  private static int harness(String what) {
    System.out.println("RESULT HARNESS " + what);
    return 2;
  }
}
