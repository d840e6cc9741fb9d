package io.github.buffercore.bench.load;

import io.github.buffercore.bench.load.LoadConfig.RunSpec;
import io.github.buffercore.bench.load.LoadConfig.Stack;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load benchmark: N viewers on one channel of a local live MPEG-TS upstream, per server stack,
 * for a fixed time; writes a side-by-side markdown table (default {@code benchmarks/LOAD.md}).
 *
 * <p>For each run ({@code stack:viewers}) it starts the server as a child process, as a user would
 * (the buffer-examples shaded jar with its JDK, Jetty or Netty main and an M3U file naming the local
 * upstream; or VLC 3's {@code cvlc} with {@code #std{access=http,mux=ts}} on the same upstream), waits
 * until it answers, lets every viewer connect at once ({@link ViewerClient}), and reads
 * {@code /proc/<pid>} before and after. Reported per run: viewers served, errors by kind, time to the
 * response head and to the first body byte (p50/p99), how many viewers kept up with the live rate
 * over the second half of the run, server CPU seconds per viewer-minute, resident memory per added
 * viewer, threads, upstream connections, write syscalls per viewer-second, kernel listen-queue
 * overflows, and where the server's CPU went by thread.
 *
 * <p>Usage (from the repository root, after building both jars; {@code benchmarks/run-load.sh} does
 * both): {@code java -cp benchmarks/target/benchmarks.jar io.github.buffercore.bench.load.LoadBenchmark
 * [--runs jdk:1000,jetty:1000,netty:1000,vlc:1000] [--duration 20] [--client-threads 2]
 * [--jar buffer-examples/target/buffer-examples.jar] [--clip FILE.ts] [--out benchmarks/LOAD.md]
 * [--context TEXT] [--keep-up 0.9] [--jfr true|false] [--notes FILE] [--warmup 5] [--client-warmup 2000]}; without
 * {@code --clip}, the clip named by the environment variable {@code BUFFERCORE_LOAD_CLIP} (which
 * {@code run-load.sh} sets) or else the examples' demo clip. A {@code vlc} run needs {@code cvlc} on the PATH and is skipped
 * (and said so in the report) without it; as root, VLC runs as user {@code nobody} via
 * {@code setpriv}, since VLC refuses to run as root.
 */
public final class LoadBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(LoadBenchmark.class);
  static final String CHANNEL = "load";
  static final String PATH = "/stream/" + CHANNEL;
  /** How long before the mid-run mark a viewer's first byte must come for its rate to be judged. */
  private static final long JUDGE_AFTER_BURST = TimeUnit.SECONDS.toNanos(2);

  /** What one run measured. */
  record RunResult(RunSpec spec, String skipped, int served, Map<String, Integer> errors, double[] headersMs,
      double[] firstByteMs, int keptUp, int judged, double keepUpMinRatio, double keepUpMedianRatio, double burstMedianKb,
      double maxGapP99Ms, double viewerSeconds,
      double cpuSeconds, long rssIdleKb, long rssEndKb, long hwmKb, int threadsIdle, int threadsMax,
      int upstreamMax, int upstreamAccepted, long writeCalls, long writtenBytes, long listenOverflows,
      long listenDrops, Map<String, Long> cpuByThread, double clientCpuSeconds, boolean chunked,
      Map<String, Long> syscalls, long syscallSeconds, double secondHalfBytesPerSecond,
      Map<String, Map<String, Double>> profile, double warmupFirstByteMs, String heapInfo, String command,
      String latencySplit, String clientGc) {

    static RunResult skipped(RunSpec spec, String why) {
      return new RunResult(spec, why, 0, Map.of(), new double[0], new double[0], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
          0, 0, 0, 0, 0, 0, Map.of(), 0, false, Map.of(), 0, 0, Map.of(), Double.NaN, "", "", "", "");
    }

    /** Syscalls (or context switches) of the given kinds per served viewer-second of the perf window. */
    double perViewerSecond(String... events) {
      double sum = 0;
      for (String event : events) {
        sum += syscalls.getOrDefault(event, 0L);
      }
      return served == 0 || syscallSeconds == 0 ? Double.NaN : sum / (served * (double) syscallSeconds);
    }

    long writes() {
      return syscalls.getOrDefault("write", 0L) + syscalls.getOrDefault("writev", 0L)
          + syscalls.getOrDefault("sendmsg", 0L) + syscalls.getOrDefault("sendto", 0L);
    }

    int errorCount() {
      return errors.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  private LoadBenchmark() { }

  /**
   * Runs the benchmark.
   *
   * @param args see the class documentation
   * @throws Exception if the setup fails (a server that does not start fails its run, not the whole)
   */
  public static void main(String[] args) throws Exception {
    LoadConfig config;
    try {
      config = LoadConfig.parse(args);
    } catch (IllegalArgumentException bad) {
      System.err.println(bad.getMessage());
      System.exit(2);
      return;
    }
    if (!Files.isRegularFile(config.jar())) {
      System.err.println("No examples jar at " + config.jar() + "; build it with "
          + "mvn -B -q -ntp -pl buffer-examples -am package -DskipTests");
      System.exit(2);
      return;
    }
    Files.createDirectories(config.workDir());
    TsClip clip = config.clip() != null ? TsClip.load(config.clip()) : demoClip(config.jar());
    String loadBefore = ProcStats.read("/proc/loadavg");
    ZonedDateTime started = ZonedDateTime.now();
    List<RunResult> results = new ArrayList<>();
    // The instrument's own JIT, before any server runs: see ClientWarmup.
    ClientWarmup.run(config.clientWarmup(), config.clientThreads(), Duration.ofSeconds(3));
    try (PacedUpstream upstream = new PacedUpstream(clip)) {
      LOG.info("Upstream {} plays {} ({} bytes) at {} kbit/s", upstream.url(), clip.name(), clip.bytes().length,
          String.format(Locale.ROOT, "%.0f", clip.bytesPerSecond() * 8 / 1000));
      for (RunSpec spec : config.runs()) {
        RunResult result;
        try {
          result = runOne(config, spec, upstream, clip);
        } catch (IOException | RuntimeException e) {
          // One failed run (a server that died mid-run, /proc gone) must not lose the others' rows.
          LOG.error("Run {} failed", spec.label(), e);
          result = RunResult.skipped(spec, "the run failed: " + e);
        }
        results.add(result);
        LOG.info("Run {}: {}", spec.label(), summary(result));
        Thread.sleep(2_000);
      }
    }
    String report = LoadReport.render(config, clip, results, started, loadBefore, ProcStats.read("/proc/loadavg"));
    Path out = config.out();
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    Files.writeString(out, report, StandardCharsets.UTF_8);
    System.out.println("Wrote " + out);
  }

  private static TsClip demoClip(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      var entry = file.getJarEntry("demo/demo.ts");
      if (entry == null) {
        throw new IOException(jar + " has no demo/demo.ts; pass --clip FILE.ts");
      }
      try (InputStream in = file.getInputStream(entry)) {
        return TsClip.of(jar + "!/demo/demo.ts", in.readAllBytes());
      }
    }
  }

  private static RunResult runOne(LoadConfig config, RunSpec spec, PacedUpstream upstream, TsClip clip)
      throws Exception {
    int port = ServerProcess.freePort();
    Path dir = config.workDir().resolve(spec.stack().id + "-" + spec.viewers());
    Files.createDirectories(dir);
    List<String> command = ServerProcess.command(config, spec.stack(), port, upstream, dir);
    if (command == null) {
      return RunResult.skipped(spec, "cvlc is not installed (apt-get install vlc-bin vlc-plugin-base)");
    }
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(dir.resolve("server.out").toFile())
        .redirectError(dir.resolve("server.err").toFile());
    if (spec.stack() == Stack.VLC) {
      Path home = dir.resolve("home");
      Files.createDirectories(home);
      home.toFile().setWritable(true, false);
      builder.environment().put("HOME", home.toAbsolutePath().toString());
    }
    int acceptedBefore = upstream.accepted();
    Process server = builder.start();
    long pid = server.pid();
    ViewerClient warmup = null;
    ViewerClient client = null;
    try {
      if (config.jfr() && spec.stack() != Stack.VLC) {
        // Before the server's own JIT warm-up: a first JFR.start later would throw its compiled code
        // away (see JfrProfile.initialize).
        String jfrInit = JfrProfile.initialize(pid, dir.resolve("jfr-init.jfr").toAbsolutePath(), 10);
        if (jfrInit != null) {
          LOG.warn("Run {}: Flight Recorder not started at launch ({}); the window's recording will start it "
              + "late and deoptimise the server's compiled code", spec.label(), jfrInit);
        }
      }
      String notReady = ServerProcess.awaitReady(spec.stack(), port, server, Duration.ofSeconds(60));
      if (notReady != null) {
        return RunResult.skipped(spec, notReady + " (logs in " + dir + ")");
      }
      if (spec.stack() == Stack.VLC) {
        // VLC opens its input at start, not at the first viewer; let it fill its input cache.
        Thread.sleep(3_000);
      }
      // One viewer first, kept for the whole run: the server's class loading and JIT of the serving path
      // and the channel's start (upstream connect) are what a user meets once, not what N viewers
      // joining a live channel meet. Its own time to first byte is reported apart.
      // Flight Recorder starts before the warm-up viewer: its start-up (the attach listener, and the JIT
      // compiling its ASM-based event instrumentation, about 2 s of a C2 thread on this machine) then
      // happens while one viewer watches, not while the N viewers join. It records until the run ends.
      JfrProfile jfr = null;
      if (config.jfr() && spec.stack() != Stack.VLC) {
        try {
          jfr = JfrProfile.start(pid, config.warmupSeconds() + (config.warmStorm() > 0 ? 10L : 0L)
              + config.durationSeconds() + 5L, dir.resolve("server.jfr").toAbsolutePath());
          Thread.sleep(1_000);
        } catch (IOException e) {
          LOG.warn("Run {}: no JFR profile: {}", spec.label(), e.getMessage());
        }
      }
      double warmupFirstByteMs = Double.NaN;
      if (config.warmupSeconds() > 0) {
        warmup = new ViewerClient(new InetSocketAddress("127.0.0.1", port), PATH, 1, 1);
        warmup.start();
        warmup.awaitSettled(Duration.ofSeconds(60));
        Thread.sleep(TimeUnit.SECONDS.toMillis(config.warmupSeconds()));
      }
      if (config.warmStorm() > 0) {
        // A diagnostic, off by default: a first storm of viewers that join, watch 3 s and leave, so the
        // measured storm meets code the JIT has compiled (server and client); the difference to a run
        // without it is what the JIT costs a cold server's first storm.
        try (ViewerClient storm = new ViewerClient(new InetSocketAddress("127.0.0.1", port), PATH,
            config.warmStorm(), config.clientThreads())) {
          storm.start();
          storm.awaitSettled(Duration.ofSeconds(60));
          Thread.sleep(3_000);
        }
        Thread.sleep(2_000);
      }
      ProcStats.Sample idle = ProcStats.sample(pid);
      Map<String, Long> idleThreads = ProcStats.cpuByThreadName(pid);
      long[] overflowsBefore = ProcStats.listenOverflows();
      upstream.resetMaxOpen();
      // The client is the instrument: a collection of its own heap during the storm delays every viewer's
      // first byte by the pause. Start each storm on a collected heap (run-load.sh gives this JVM a young
      // generation larger than a run allocates), and report the client's pauses of the run below.
      System.gc();
      long[] clientGcBefore = clientGc();
      ProcStats.Sample selfBefore = ProcStats.sample(ProcessHandle.current().pid());

      client = new ViewerClient(new InetSocketAddress("127.0.0.1", port), PATH, spec.viewers(),
          config.clientThreads());
      long t0 = System.nanoTime();
      LOG.info("Run {}: {} viewers start connecting now", spec.label(), spec.viewers());
      client.start();
      int threadsMax = idle.threads();
      long end = t0 + TimeUnit.SECONDS.toNanos(config.durationSeconds());
      long mid = t0 + TimeUnit.SECONDS.toNanos(config.durationSeconds()) / 2;
      long markedAt = 0;
      SyscallCounter syscalls = null;
      long syscallSeconds = 0;
      while (System.nanoTime() < end) {
        Thread.sleep(Math.max(1, Math.min(1_000, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        if (markedAt == 0 && System.nanoTime() >= mid) {
          client.mark();
          markedAt = System.nanoTime();
          syscallSeconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(end - markedAt));
          syscalls = SyscallCounter.start(pid, syscallSeconds, dir.resolve("perf-stat.csv").toAbsolutePath());

        }
        if (server.isAlive()) {
          threadsMax = Math.max(threadsMax, ProcStats.sample(pid).threads());
        }
      }
      if (!server.isAlive()) {
        client.stop();
        return RunResult.skipped(spec, "the server exited during the run with status " + server.exitValue()
            + " (logs in " + dir + ")");
      }
      ProcStats.Sample after = ProcStats.sample(pid);
      Map<String, Long> afterThreads = ProcStats.cpuByThreadName(pid);
      long[] overflowsAfter = ProcStats.listenOverflows();
      int upstreamMax = upstream.maxOpen();
      long stoppedAt = client.stop();
      // After the viewers stop: jcmd can take seconds on a loaded machine, and the run ends at its
      // duration, not when a diagnostic returns.
      String heapInfo = spec.stack() == Stack.VLC ? "" : ServerProcess.heapInfo(pid);
      if (warmup != null) {
        warmup.stop();
        ViewerClient.Viewer first = warmup.viewers().get(0);
        warmupFirstByteMs = first.served() ? first.timeToFirstByte() / 1e6 : Double.NaN;
        if (!first.served()) {
          LOG.warn("Run {}: the warm-up viewer was not served: {}", spec.label(), first.error());
        }
      }
      ProcStats.Sample selfAfter = ProcStats.sample(ProcessHandle.current().pid());
      long[] clientGcAfter = clientGc();
      String clientGc = String.format(Locale.ROOT, "client (this JVM) garbage collections during the run: %d, "
          + "%d ms in total", clientGcAfter[0] - clientGcBefore[0], clientGcAfter[1] - clientGcBefore[1]);
      Map<String, Long> counts = syscalls == null ? Map.of() : syscalls.finish();
      Map<String, Map<String, Double>> profile = new LinkedHashMap<>();
      if (jfr != null) {
        try {
          jfr.await(30);
          profile.put("Java code (jdk.ExecutionSample)", jfr.topFrames("jdk.ExecutionSample", 6));
          profile.put("native code, running or blocked (jdk.NativeMethodSample)",
              jfr.topFrames("jdk.NativeMethodSample", 4));
        } catch (IOException e) {
          LOG.warn("Run {}: JFR profile unreadable: {}", spec.label(), e.getMessage());
        }
      }
      ViewerTally tally = ViewerTally.of(client.viewers(), clip.bytesPerSecond(), config.keepUp(), markedAt,
          stoppedAt, JUDGE_AFTER_BURST);
      return measure(spec, tally, idle, after, idleThreads, afterThreads, overflowsBefore, overflowsAfter,
          upstreamMax, upstream.accepted() - acceptedBefore, threadsMax,
          selfAfter.cpuSeconds() - selfBefore.cpuSeconds(), counts, syscallSeconds, profile, warmupFirstByteMs,
          heapInfo, String.join(" ", command), clientGc);
    } finally {
      // On a failure mid-run the viewers still hold sockets; stopping twice is harmless.
      if (client != null) {
        client.close();
      }
      if (warmup != null) {
        warmup.close();
      }
      ServerProcess.stop(server, spec);
    }
  }

  /** A run's result: the client's tally of its viewers and what the server's process showed. */
  private static RunResult measure(RunSpec spec, ViewerTally viewers, ProcStats.Sample idle, ProcStats.Sample after,
      Map<String, Long> idleThreads, Map<String, Long> afterThreads, long[] overflowsBefore, long[] overflowsAfter,
      int upstreamMax, int upstreamAccepted, int threadsMax, double clientCpu, Map<String, Long> syscalls,
      long syscallSeconds, Map<String, Map<String, Double>> profile, double warmupFirstByteMs, String heapInfo,
      String command, String clientGc) {
    Map<String, Long> threadCpu = new LinkedHashMap<>();
    afterThreads.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - idleThreads.getOrDefault(e.getKey(), 0L)))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(6)
        .forEach(e -> threadCpu.put(e.getKey(), e.getValue()));
    return new RunResult(spec, null, viewers.served(), viewers.errors(), viewers.headersMs(), viewers.firstByteMs(),
        viewers.keptUp(), viewers.judged(), viewers.rateMin(), viewers.rateMedian(), viewers.burstMedianKb(),
        viewers.gapP99Ms(), viewers.viewerSeconds(),
        after.cpuSeconds() - idle.cpuSeconds(), idle.rssKb(), after.rssKb(), after.hwmKb(), idle.threads(),
        threadsMax, upstreamMax, upstreamAccepted, after.writeCalls() - idle.writeCalls(),
        after.writtenBytes() - idle.writtenBytes(), overflowsAfter[0] - overflowsBefore[0],
        overflowsAfter[1] - overflowsBefore[1], threadCpu, clientCpu, viewers.chunked(), syscalls, syscallSeconds,
        viewers.secondHalfBytesPerSecond(), profile, warmupFirstByteMs, heapInfo, command, viewers.timeline(),
        clientGc);
  }

  /** This JVM's garbage collections so far: {count, milliseconds} over all collectors. */
  private static long[] clientGc() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  private static String summary(RunResult r) {
    if (r.skipped() != null) {
      return "skipped: " + r.skipped();
    }
    return String.format(Locale.ROOT, "served %d/%d, errors %d, first byte p50 %.0f ms p99 %.0f ms, kept up %d of %d, "
        + "CPU %.1f s, RSS %d -> %d MB", r.served(), r.spec().viewers(), r.errorCount(),
        LoadReport.percentile(r.firstByteMs(), 50), LoadReport.percentile(r.firstByteMs(), 99), r.keptUp(),
        r.judged(), r.cpuSeconds(),
        r.rssIdleKb() / 1024, r.rssEndKb() / 1024);
  }
}
