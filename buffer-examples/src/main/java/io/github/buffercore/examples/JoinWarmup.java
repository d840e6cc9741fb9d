package io.github.buffercore.examples;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the JIT before a server takes its first viewer: a private instance of the same stack on an
 * ephemeral loopback port, serving the in-process {@link DemoChannel}, is joined first by a
 * flood of {@value #ROUND} loopback viewers at once (they read their first bytes, keep watching
 * 0.5 s, then leave), then, once the JIT's compile queues have drained, by trickles of
 * {@value #TRICKLE} (each leaves after its first bytes) up to {@value #TRICKLED} joins, and then by
 * crowds of {@value #REHEARSAL} (the rehearsals: they watch for a second, then leave), the queues
 * drained after each, the last of them on a second private server started after the first was closed
 * (see {@link #run}); the viewers send the request heads of several players, with and without the
 * port in {@code Host}, and leave with orderly closes and with resets, and each private server answers
 * page requests on persistent connections before its first round and after each ({@link WarmupTraffic}).
 * About 12 s on the 2-core benchmark machine for the default 6,000 joins (the trickles' idle selector
 * timeouts give the compiler its time), about 8 s for 2,000.
 *
 * <p>Why: on a cold JVM the first few thousand joins run interpreted or in profiling code while the
 * compiler threads compete for the same cores. Measured on the 2-core load benchmark machine, 2,000
 * viewers joining a cold Netty server at once waited 1.4 s (p50) to 1.7 s (p99) for their first byte,
 * against 0.16 s / 0.32 s for the same storm on a server whose join path had been compiled
 * (benchmarks/results/LOAD-NOTES.md). Warming at start moves that cost to where nobody waits. The
 * flood alone is not enough: see {@link #TRICKLE} and {@link #awaitCompilerIdle}.
 *
 * <p>The price is start-up time: a restarted proxy refuses connections for those seconds longer, and a
 * crowd of players that was waiting to reconnect gets its first bytes later in total than from a cold
 * server (which opens at once and serves them in 1.4-1.7 s at 2,000). Where restarts with viewers
 * waiting matter more than a first crowd's join latency, start with {@code --warmup-joins 0}.
 *
 * <p>The warm-up owns everything it opens: its app, server and sockets are closed before {@link #run}
 * returns, also on failure; a failure is logged and the real server starts anyway.
 */
final class JoinWarmup {

  private static final Logger LOG = LoggerFactory.getLogger(JoinWarmup.class);

  /**
   * The default number of warm-up joins ({@code --warmup-joins}): enough for the join path to reach
   * C2 before the server listens. Measured with 2,000 viewers joining the Netty example at once
   * (benchmarks/results/LOAD-NOTES.md): after 4,000 warm-up joins (then all trickles) the JIT compiled
   * nothing during their joins and p99 first byte was 0.31-0.37 s; after 2,000 the JIT still compiled
   * ~120 methods (50-80 of them in C2) in their first second and p99 was 0.33-0.71 s depending on the
   * machine's load. A crowd of 5,000 still met C2 compiles after 4,000 joins (see {@link #REHEARSAL}),
   * hence 6,000 with two rehearsals.
   */
  static final int DEFAULT_JOINS = 6_000;
  /** Viewers connected at once in the first round (the flood: class loading, first compiles). */
  static final int ROUND = 500;
  /**
   * Viewers connected at once in each later round (the trickle). Small, so that the JIT's compile
   * queues stay short while they join: HotSpot compiles a method with limited profiling (tier 2)
   * while the C2 queue is long, and moves it on to full profiling and C2 only when a later call finds
   * that queue short; after a flood alone, the join path is still at tier 2 when the real viewers
   * come, and the JIT recompiles it under them.
   */
  static final int TRICKLE = 50;
  /**
   * How long a round's viewers keep reading once all were served: the live path (batched wake-ups,
   * the pump's writes to many viewers) is what the JIT compiles during a real storm, not just the join.
   */
  static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** Joins made by the first flood and the trickles; the joins beyond them come as rehearsals. */
  static final int TRICKLED = 2_000;
  /**
   * Viewers connected at once in each round after the trickles (the rehearsals): what only a crowd
   * does, and the trickles never show the JIT, happens there before the server listens: thousands of
   * readers on one ring woken per batch, counters contended by several threads, maps resized past a
   * few thousand entries; and the join path's methods, which have no loops, pass C2's invocation
   * threshold (5,000 calls) only with more joins than the trickles make. Measured on the 2-core
   * benchmark machine (benchmarks/results/LOAD-NOTES.md): after 4,000 joins C2 still compiled the
   * pipeline's write path and threw away and recompiled ConcurrentHashMap's resize, LongAdder and
   * Jetty's send callback in the first second of a 5,000-viewer storm, on the cores the joins needed.
   */
  static final int REHEARSAL = 2_000;
  /** How long the rehearsal's viewers keep reading: two of the library's default wake batches. */
  static final long REHEARSAL_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(1_000);
  /**
   * How many connections of page requests ({@link WarmupTraffic#pages}) each private server answers
   * before its first round; one more follows every round.
   */
  static final int PAGE_REQUESTS = 25;

  /** The longest wait for the JIT's compile queues to drain after a round. */
  static final long DRAIN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** How often the compile queues are looked at while draining. */
  static final long DRAIN_POLL_MILLIS = 50;

  private JoinWarmup() { }

  /**
   * Waits until the JIT has no compile running or queued (HotSpot's {@code Compiler.queue} diagnostic
   * command, the same as {@code jcmd <pid> Compiler.queue}), at most {@link #DRAIN_LIMIT_NANOS}.
   *
   * <p>Why: HotSpot raises a method's compile threshold with the length of its compiler's queue
   * (tiered compilation's load feedback: {@code Tier3LoadFeedback}, {@code Tier4LoadFeedback}). During
   * start-up the queues hold hundreds of methods, so a round of warm-up joins that runs while they
   * drain leaves the join path interpreted: measured on the 2-core benchmark machine, the Netty
   * example's {@code channelRead0} and {@code ProxyApp.handle} were first compiled at the end of the
   * second round, and the registry's {@code acquire} not before the first real viewers came
   * (benchmarks/results/LOAD-NOTES.md). A round that starts on drained queues gets its hot methods
   * compiled at the normal thresholds, and the compiles a round queued do not run during the first
   * real viewers' joins.
   *
   * @return whether the queues drained in time (true as well if the JVM cannot tell)
   */
  static boolean awaitCompilerIdle() {
    long limit = System.nanoTime() + DRAIN_LIMIT_NANOS;
    try {
      ObjectName command = new ObjectName("com.sun.management:type=DiagnosticCommand");
      var server = ManagementFactory.getPlatformMBeanServer();
      while (true) {
        Object queue = server.invoke(command, "compilerQueue", new Object[] {new String[0]},
            new String[] {String[].class.getName()});
        if (compilerIdle(String.valueOf(queue))) {
          return true;
        }
        if (System.nanoTime() >= limit) {
          return false;
        }
        Thread.sleep(DRAIN_POLL_MILLIS);
      }
    } catch (JMException | RuntimeException e) {
      LOG.debug("Cannot read the JIT's compile queue: {}", e.toString());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Whether a {@code Compiler.queue} text shows no compile running or queued: only its section titles
   * ({@code Current compiles:}, {@code C1 compile queue:}, {@code C2 compile queue:}) and
   * {@code Empty}.
   */
  static boolean compilerIdle(String queue) {
    for (String line : queue.split("\\R")) {
      String text = line.strip();
      if (!text.isEmpty() && !text.endsWith(":") && !text.equals("Empty")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs {@code joins} warm-up joins against private instances of {@code stack}: every round but the
   * last rehearsal on a first private server, the last rehearsal on a second one, started after the
   * first was closed.
   *
   * <p>Why two: closing a server runs its stack's shutdown paths (an event loop's
   * {@code confirmShutdown}, a promise's listeners, a ring's last wake-up) through methods C2 compiled
   * while they only served, and starting a server runs its start-up paths; each branch that compiled
   * code never saw taken is an uncommon trap, and the trap throws the compiled method away. Measured
   * on the Netty example with one private server (JIT log, benchmarks/results/LOAD-NOTES.md): 80
   * compiled methods were made not entrant between the end of the warm-up and the real server's first
   * request, the pipeline's write and a promise's listeners among them, and C2 compiled them again
   * under the first crowd of viewers. A trap that fired once at a bytecode is not compiled in again,
   * so once a private server has been closed and another started and rehearsed, the real server's
   * start finds compiled code that already covers it.
   *
   * @param stack the stack the real server will run (a new instance of the same class is fine: the
   *     JIT compiles classes, not instances)
   * @param limits the real server's limits
   * @param joins how many viewers join in total; 0 does nothing
   * @return how many warm-up viewers were served
   */
  static int run(HttpStack stack, EdgeLimits limits, int joins) {
    if (joins <= 0) {
      return 0;
    }
    long start = System.nanoTime();
    List<Round> rounds = plan(joins, stack.threadPerViewer());
    int onFirst = rounds.size() > 1 && rounds.get(rounds.size() - 1).rehearsal() ? rounds.size() - 1 : rounds.size();
    Progress progress = new Progress();
    onPrivateServer(stack, limits, rounds.subList(0, onFirst), progress);
    int servers = 1;
    if (!progress.stopped && onFirst < rounds.size()) {
      onPrivateServer(stack, limits, rounds.subList(onFirst, rounds.size()), progress);
      servers = 2;
    }
    // What the last round queued compiles now, not while the first real viewers join.
    progress.drained &= awaitCompilerIdle();
    LOG.info("JIT warm-up: {} warm-up viewers joined and left {} private demo server(s) in {} ms{}",
        progress.served, servers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
        progress.drained ? "" : " (the JIT's compile queue was not empty after a "
            + DRAIN_LIMIT_NANOS / 1_000_000_000 + " s wait)");
    return progress.served;
  }

  /** What the warm-up has done so far; confined to the thread that runs it. */
  private static final class Progress {
    int served;
    boolean drained = true;
    /** A round was not served whole, or a server failed: no more rounds. */
    boolean stopped;
  }

  /** One round of the warm-up: its size, how long its viewers keep reading, and its kind. */
  private record Round(int viewers, long holdNanos, boolean rehearsal, boolean drainAfter) { }

  /** The rounds of {@code joins} warm-up joins: a flood, trickles up to {@link #TRICKLED}, rehearsals. */
  private static List<Round> plan(int joins, boolean threadPerViewer) {
    List<Round> rounds = new ArrayList<>();
    int trickled = Math.min(joins, TRICKLED);
    // A thread-per-viewer stack rehearses in crowds no larger than its first flood: 2,000 at once
    // started 2,000 platform threads on Java 17 and left the JDK example's idle RSS at 1.2 GB
    // instead of 0.6 (benchmarks/results/LOAD-NOTES.md).
    int crowd = threadPerViewer ? ROUND : REHEARSAL;
    for (int done = 0; done < joins; ) {
      boolean flood = done == 0;
      boolean rehearsal = done >= trickled;
      int size = rehearsal ? Math.min(crowd, joins - done) : Math.min(flood ? ROUND : TRICKLE, trickled - done);
      rounds.add(new Round(size, flood ? HOLD_NANOS : rehearsal ? REHEARSAL_HOLD_NANOS : 0, rehearsal,
          flood || rehearsal));
      done += size;
    }
    return rounds;
  }

  /**
   * Runs {@code rounds} against one private server of {@code stack}, until a round is not served
   * whole. A failure is logged, never thrown: the real server starts anyway.
   */
  private static void onPrivateServer(HttpStack stack, EdgeLimits limits, List<Round> rounds, Progress progress) {
    try (ProxyApp app = new ProxyApp(DemoChannel.channels(), DemoChannel.source(),
        builder -> builder.startBehind(Launcher.DEFAULT_START_BEHIND))) {
      HttpStack.RunningServer server = stack.start(app,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits);
      try {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
        WarmupTraffic.pages(address, 0, PAGE_REQUESTS);
        int after = PAGE_REQUESTS;
        for (Round round : rounds) {
          int ok = WarmupTraffic.round(address, round.viewers(), round.holdNanos());
          WarmupTraffic.pages(address, after++, 1);
          if (round.drainAfter()) {
            progress.drained &= awaitCompilerIdle();
          }
          progress.served += ok;
          if (ok < round.viewers()) {
            LOG.warn("JIT warm-up: only {} of {} warm-up viewers were served in a round; stopping the warm-up",
                ok, round.viewers());
            progress.stopped = true;
            return;
          }
        }
      } finally {
        server.close();
      }
    } catch (Exception e) {
      LOG.warn("JIT warm-up failed after {} warm-up viewers; starting without it", progress.served, e);
      progress.stopped = true;
    }
  }
}
