package io.github.buffercore.bench.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one invocation of the {@link LoadBenchmark} was asked to do: the runs ({@code stack:viewers}),
 * their duration, the client, the inputs and where the report and the servers' files go. Parsed once
 * from the command line; every option, its default and its check are here.
 *
 * @param runs the runs, in order
 * @param durationSeconds how long each run's viewers read, from the first connect
 * @param clientThreads the client's selector threads
 * @param jar the buffer-examples shaded jar the Java servers run from
 * @param clip the upstream's MPEG-TS clip, or null for the examples' demo clip
 * @param out the markdown report
 * @param context a sentence about the machine's state, printed in the report
 * @param keepUp the share of the live rate a judged viewer must reach
 * @param workDir where server logs, perf output and JFR recordings go
 * @param jfr whether Flight Recorder profiles the Java servers
 * @param notes the hand-written analysis appended to the report
 * @param warmupSeconds how long the one warm-up viewer watches before the N join
 * @param warmStorm viewers of a diagnostic first storm (0: none)
 * @param clientWarmup viewers of the client's own JIT warm-up against a private stub (0: none)
 * @param commandLine the arguments as given, quoted for a shell, for the report
 */
record LoadConfig(List<RunSpec> runs, int durationSeconds, int clientThreads, Path jar, Path clip, Path out,
    String context, double keepUp, Path workDir, boolean jfr, Path notes, int warmupSeconds,
    int warmStorm, int clientWarmup, String commandLine) {

  /**
   * Parses {@code --option value} pairs; an option not given takes its default.
   *
   * @param args the command line
   * @return the invocation
   * @throws IllegalArgumentException naming the bad argument, run or value
   */
  static LoadConfig parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: LoadBenchmark [--runs jdk:1000,netty:5000,vlc:1000] "
            + "[--duration 20] [--client-threads 2] [--jar FILE] [--clip FILE.ts] [--out FILE] "
            + "[--context TEXT] [--keep-up 0.9] [--work-dir DIR] [--jfr true|false] [--notes FILE] [--warmup SECONDS] "
            + "[--warm-storm VIEWERS] [--client-warmup VIEWERS]; bad argument '" + args[i] + "'");
      }
      opts.put(args[i], args[++i]);
    }
    LoadConfig config = new LoadConfig(
        RunSpec.parse(opts.getOrDefault("--runs", "jdk:1000,jetty:1000,netty:1000,vlc:1000")),
        Integer.parseInt(opts.getOrDefault("--duration", "20")),
        Integer.parseInt(opts.getOrDefault("--client-threads", "2")),
        Path.of(opts.getOrDefault("--jar", "buffer-examples/target/buffer-examples.jar")),
        opts.containsKey("--clip") ? Path.of(opts.get("--clip"))
            : System.getenv("BUFFERCORE_LOAD_CLIP") != null ? Path.of(System.getenv("BUFFERCORE_LOAD_CLIP")) : null,
        Path.of(opts.getOrDefault("--out", "benchmarks/LOAD.md")),
        opts.getOrDefault("--context", ""),
        Double.parseDouble(opts.getOrDefault("--keep-up", "0.9")),
        Path.of(opts.getOrDefault("--work-dir", "benchmarks/target/load")),
        Boolean.parseBoolean(opts.getOrDefault("--jfr", "true")),
        Path.of(opts.getOrDefault("--notes", "benchmarks/results/LOAD-NOTES.md")),
        Integer.parseInt(opts.getOrDefault("--warmup", "5")),
        Integer.parseInt(opts.getOrDefault("--warm-storm", "0")),
        Integer.parseInt(opts.getOrDefault("--client-warmup", "2000")),
        Arrays.stream(args).map(a -> a.matches("[A-Za-z0-9_./:,=@+-]+") ? a
            : "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" ")));
    if (config.durationSeconds() < 2) {
      throw new IllegalArgumentException("--duration must be >= 2 seconds, was " + config.durationSeconds());
    }
    return config;
  }

  /** A server under test. */
  enum Stack {
    JDK("jdk", "io.github.buffercore.examples.jdk.JdkServerMain"),
    JETTY("jetty", "io.github.buffercore.examples.jetty.JettyServerMain"),
    NETTY("netty", "io.github.buffercore.examples.netty.NettyServerMain"),
    /** The floor: {@link FloorServer}, the least any server must do per viewer (no library, no HTTP codec). */
    FLOOR("floor", "io.github.buffercore.bench.load.FloorServer"),
    VLC("vlc", null);

    final String id;
    final String mainClass;

    Stack(String id, String mainClass) {
      this.id = id;
      this.mainClass = mainClass;
    }

    static Stack of(String id) {
      for (Stack stack : values()) {
        if (stack.id.equals(id)) {
          return stack;
        }
      }
      throw new IllegalArgumentException("Unknown stack '" + id + "' (jdk, jetty, netty, floor or vlc)");
    }
  }

  /** One requested run. */
  record RunSpec(Stack stack, int viewers) {
    static List<RunSpec> parse(String text) {
      List<RunSpec> runs = new ArrayList<>();
      for (String part : text.split(",")) {
        String[] kv = part.strip().split(":");
        if (kv.length != 2) {
          throw new IllegalArgumentException("Bad run '" + part + "': expected stack:viewers, e.g. netty:1000");
        }
        int viewers = Integer.parseInt(kv[1]);
        if (viewers < 1 || viewers > 20_000) {
          throw new IllegalArgumentException("Bad run '" + part + "': viewers must be 1..20000");
        }
        runs.add(new RunSpec(Stack.of(kv[0]), viewers));
      }
      return runs;
    }

    String label() {
      return stack.id + ":" + viewers;
    }
  }
}
