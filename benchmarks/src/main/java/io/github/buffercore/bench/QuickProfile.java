package io.github.buffercore.bench;

import io.github.buffercore.bench.baseline.RegistryUnderTest;
import io.github.buffercore.bench.fanout.FanOut;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks of {@code io.github.buffercore.bench} with one of two fixed profiles, writes
 * JMH's JSON, and writes a markdown report from the same {@link RunResult}s: per benchmark, score ±
 * error per impl, each impl's speed relative to every baseline of the same run with an interval, the
 * machine and JVM, and the targets.
 *
 * <ul>
 *   <li>{@code --profile full} ({@code benchmarks/run-full.sh}): 3 forks, 3 x 2 s warm-up, 5 x 2 s
 *       measurement, {@code -prof gc}; writes {@code benchmarks/results/full.json} and
 *       {@code benchmarks/RESULTS.md}. A target counts as met only when the bound of its ratio's
 *       interval clears it (see {@link Interval}).</li>
 *   <li>{@code --profile quick} (the default, {@code benchmarks/run-quick.sh}): 1 fork, 2 x 1 s
 *       warm-up, 3 x 1 s measurement; a smoke test that every benchmark runs and the report renders.
 *       It writes {@code benchmarks/results/quick.json} and {@code benchmarks/results/QUICK.md} and
 *       makes no claim: every target's status is "no claim".</li>
 * </ul>
 *
 * <p>Usage (from the repository root): {@code java -cp benchmarks/target/benchmarks.jar
 * io.github.buffercore.bench.QuickProfile [--profile quick|full] [--json FILE] [--md FILE]
 * [--notes FILE] [--include REGEX] [--param NAME=V1,V2] [--context TEXT]}. {@code --notes} defaults to
 * {@code benchmarks/results/NOTES.md} (hand-written analysis appended verbatim if present),
 * {@code --include} to {@code io\.github\.buffercore\.bench\..*}; {@code --param} restricts one JMH
 * parameter to some values (e.g. {@code impl=buffercore,seed,chm}); {@code --context} is a sentence
 * recorded in the report (e.g. that the machine was shared). New benchmarks are picked up by the include
 * pattern; give them an {@code impl} parameter whose first value is the one under test and add their
 * targets to {@link #TARGETS}.
 */
public final class QuickProfile {

  /**
   * JMH options of a profile, also shown in the report, and where it writes by default.
   *
   * @param name {@code quick} or {@code full}
   * @param claims whether targets are judged (only the full profile's intervals are narrow enough)
   */
  record Profile(String name, int forks, int warmupIterations, int warmupSeconds, int iterations,
      int iterationSeconds, String defaultJson, String defaultMd, boolean claims) {

    static final Profile QUICK = new Profile("quick", 1, 2, 1, 3, 1,
        "benchmarks/results/quick.json", "benchmarks/results/QUICK.md", false);
    static final Profile FULL = new Profile("full", 3, 3, 2, 5, 2,
        "benchmarks/results/full.json", "benchmarks/RESULTS.md", true);

    static Profile named(String name) {
      return switch (name) {
        case "quick" -> QUICK;
        case "full" -> FULL;
        default -> throw new IllegalArgumentException("unknown profile '" + name + "' (quick or full)");
      };
    }

    String jmhOptions() {
      return "-f " + forks + " -wi " + warmupIterations + " -w " + warmupSeconds + "s -i " + iterations
          + " -r " + iterationSeconds + "s -foe true -prof gc";
    }
  }

  static final String UNDER_TEST = RegistryUnderTest.IMPLS.get(0);

  static {
    if (!UNDER_TEST.equals(FanOut.IMPLS.get(0))) {
      throw new AssertionError("every benchmark family must name the impl under test the same");
    }
  }

  /** Secondary results the fan-out benchmarks report (JMH's names). */
  static final String BYTES = "bytes";
  static final String LOST = "lost";
  static final String WRITES = "write";
  static final String ALLOC_NORM = "gc.alloc.rate.norm";

  /** What a {@link Target} checks. */
  enum Kind {
    /** buffercore's speed / the baseline's speed >= threshold (delivered bytes/s where reported). */
    SPEED,
    /** buffercore's worst (largest) allocation per delivered chunk over the matching groups <= threshold. */
    ALLOC_PER_CHUNK,
    /** Informational: buffercore's writer ops/s at {@code params} / at {@code baseline} (a params filter). */
    WRITER_RATIO,
    /** buffercore's allocation per op (gc.alloc.rate.norm) <= the baseline's. */
    ALLOC_VS_BASELINE
  }

  /**
   * A target on {@code impl=buffercore} in {@code benchmark} (simple name, e.g. {@code
   * GetOrCreateBenchmark.hit_1thread}), restricted to the groups whose key contains {@code params}
   * (e.g. {@code ", readers=16,"}; empty = any).
   */
  record Target(String description, String benchmark, String params, String baseline, double threshold,
      Kind kind) {
    static Target speed(String description, String benchmark, String params, String baseline, double min) {
      return new Target(description, benchmark, params, baseline, min, Kind.SPEED);
    }
  }

  static final List<Target> TARGETS = List.of(
      Target.speed("getOrCreate hit within 1.5x of ConcurrentHashMap.get (1 thread)",
          "GetOrCreateBenchmark.hit_1thread", "", "chm", 1 / 1.5),
      Target.speed("getOrCreate hit at least 0.8x ConcurrentHashMap.get (2 threads)",
          "GetOrCreateBenchmark.hit_2threads", "", "chm", 0.8),
      Target.speed("acquire+close on one hot stream at least as fast as the seed pattern (1 thread)",
          "AcquireCloseBenchmark.hotStream_1thread", "", "seed", 1.0),
      Target.speed("acquire+close on one hot stream at least as fast as the seed pattern (2 threads)",
          "AcquireCloseBenchmark.hotStream_2threads", "", "seed", 1.0),
      new Target("acquire+close allocates no more per op than the seed pattern (1 thread)",
          "AcquireCloseBenchmark.hotStream_1thread", "", "seed", 0, Kind.ALLOC_VS_BASELINE),
      new Target("acquire+close allocates no more per op than the seed pattern (2 threads)",
          "AcquireCloseBenchmark.hotStream_2threads", "", "seed", 0, Kind.ALLOC_VS_BASELINE),
      Target.speed("create/remove churn at least as fast as the seed pattern (1 thread)",
          "ChurnBenchmark.createRemove_1thread", "", "seed", 1.0),
      Target.speed("create/remove churn at least as fast as the seed pattern (2 threads)",
          "ChurnBenchmark.createRemove_2threads", "", "seed", 1.0),
      Target.speed("buffer fan-out at 16 readers at least as fast as Agrona's broadcast buffer "
          + "(delivered bytes/s, write one chunk + drain every reader)",
          "FanOutBenchmark.writeThenDrain", ", readers=16,", "agrona", 1.0),
      Target.speed("buffer fan-out at 16 readers at least 10x the per-reader ArrayBlockingQueue "
          + "(delivered bytes/s, write one chunk + drain every reader)",
          "FanOutBenchmark.writeThenDrain", ", readers=16,", "queue", 10.0),
      new Target("buffer fan-out allocates zero bytes per delivered chunk in steady state "
          + "(gc.alloc.rate.norm / chunks per op, worst of readers=1/16/256, write one chunk + drain)",
          "FanOutBenchmark.writeThenDrain", "", null, 0.1, Kind.ALLOC_PER_CHUNK),
      new Target("informational: a writer racing 256 lapped readers is not slowed down "
          + "(buffercore writer chunks/s at readers=256 / at readers=1, concurrent group)",
          "FanOutConcurrentBenchmark.fanout", ", readers=256,", ", readers=1,", 0, Kind.WRITER_RATIO));

  private QuickProfile() { }

  public static void main(String[] args) throws RunnerException, IOException {
    Map<String, String> opts = parseArgs(args);
    Profile profile = Profile.named(opts.getOrDefault("--profile", "quick"));
    Path json = Path.of(opts.getOrDefault("--json", profile.defaultJson()));
    Path md = Path.of(opts.getOrDefault("--md", profile.defaultMd()));
    Path notes = Path.of(opts.getOrDefault("--notes", "benchmarks/results/NOTES.md"));
    String include = opts.getOrDefault("--include", "io\\.github\\.buffercore\\.bench\\..*");
    String context = opts.getOrDefault("--context", "");
    String param = opts.get("--param");
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.createDirectories(md.toAbsolutePath().getParent());

    String loadBefore = loadAverage();
    ZonedDateTime started = ZonedDateTime.now();
    OptionsBuilder builder = new OptionsBuilder();
    String shown = include;
    if (param != null) {
      // One JMH parameter restricted to some values, e.g. impl=buffercore,seed,chm: the full profile of
      // the targets' benchmarks within a time budget.
      String[] kv = param.split("=", 2);
      if (kv.length != 2 || kv[1].isBlank()) {
        throw new IllegalArgumentException("--param wants name=v1,v2; got '" + param + "'");
      }
      builder.param(kv[0], kv[1].split(","));
      shown = include + "` with `-p " + param;
    }
    Options options = builder
        .include(include)
        .forks(profile.forks())
        .warmupIterations(profile.warmupIterations())
        .warmupTime(TimeValue.seconds(profile.warmupSeconds()))
        .measurementIterations(profile.iterations())
        .measurementTime(TimeValue.seconds(profile.iterationSeconds()))
        .shouldFailOnError(true)
        // Allocation per op (gc.alloc.rate.norm) for every benchmark: the fan-out target needs it,
        // and its cost is per iteration, not per op.
        .addProfiler(GCProfiler.class)
        .resultFormat(ResultFormatType.JSON)
        .result(json.toString())
        .build();
    Collection<RunResult> results = new Runner(options).run();
    String run = "Started " + started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + ", finished "
        + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "; load average (1/5/15 min) "
        + loadBefore + " before, " + loadAverage() + " after."
        + (context.isBlank() ? "" : " " + context.strip());
    String report = render(results, profile, json, shown, notes, run);
    Files.writeString(md, report, StandardCharsets.UTF_8);
    System.out.println("Wrote " + json + " and " + md);
  }

  private static Map<String, String> parseArgs(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: QuickProfile [--profile quick|full] [--json FILE] "
            + "[--md FILE] [--notes FILE] [--include REGEX] [--param NAME=V1,V2] [--context TEXT]; bad argument '" + args[i] + "'");
      }
      opts.put(args[i], args[++i]);
    }
    return opts;
  }

  // -------------------------------------------------------------------------------------------
  // RESULTS.md

  /**
   * A value with JMH's 99.9% confidence half-width (Student's t over every measured iteration of every
   * fork, as JMH's {@code scoreError}); NaN error when JMH could not compute one (a single iteration).
   */
  record Stat(double score, double error) {
    double low() {
      return Double.isNaN(error) ? score : score - error;
    }

    double high() {
      return Double.isNaN(error) ? score : score + error;
    }
  }

  /**
   * An interval {@code [low, high]} around {@code value}; {@code high} may be infinite.
   *
   * <p>Ratios {@code a / b} of two independently measured speeds get the conservative interval of
   * interval arithmetic: {@code [low(a) / high(b), high(a) / low(b)]} from each side's 99.9% interval
   * (the ratio of means is the point value). Any pair of true speeds inside both intervals gives a ratio
   * inside it, so a target whose bound clears it is met unless one side's own 99.9% interval missed;
   * it is wider than a delta-method interval, on purpose.
   */
  record Interval(double value, double low, double high) {
    static Interval of(Stat s) {
      return new Interval(s.score(), Math.max(0, s.low()), s.high());
    }

    /** Speed from time per op: {@code 1/t} with {@code [1/high(t), 1/low(t)]}. */
    static Interval inverse(Stat t) {
      return new Interval(1.0 / t.score(), 1.0 / t.high(),
          t.low() <= 0 ? Double.POSITIVE_INFINITY : 1.0 / t.low());
    }

    Interval over(Interval b) {
      return new Interval(value / b.value, b.high <= 0 ? 0 : low / b.high,
          b.low <= 0 ? Double.POSITIVE_INFINITY : high / b.low);
    }

    String ratio() {
      return fmtRatio(value) + " [" + fmtRatio(low) + ", " + (Double.isInfinite(high) ? "inf" : fmtRatio(high)) + "]";
    }
  }

  /**
   * One measured row; {@code secondary} holds the secondary results (aux counters such as
   * {@code bytes}, {@code lost}, per-method ops of a group, {@code gc.alloc.rate.norm}).
   */
  record Row(String impl, double score, double error, String unit, Mode mode, Map<String, Stat> secondary) {
    /**
     * Higher is better in every mode: delivered bytes/s where the benchmark reports them (the fan-out
     * metric), otherwise throughput as is or time per op inverted.
     */
    double speed() {
      return speedInterval().value();
    }

    /** {@link #speed()} with its 99.9% interval. */
    Interval speedInterval() {
      Stat bytes = secondary.get(BYTES);
      if (bytes != null && mode == Mode.Throughput) {
        return Interval.of(bytes);
      }
      Stat primary = new Stat(score, error);
      return mode == Mode.Throughput ? Interval.of(primary) : Interval.inverse(primary);
    }

    double secondary(String name) {
      Stat stat = secondary.get(name);
      return stat == null ? Double.NaN : stat.score();
    }

    Stat secondaryStat(String name) {
      return secondary.get(name);
    }

    /** Bytes allocated per delivered 1,316-byte chunk: B/op x ops/s / chunks/s. */
    double allocPerChunk() {
      double chunksPerTime = secondary(BYTES) / FanOutBenchmark.CHUNK;
      return secondary(ALLOC_NORM) * score / chunksPerTime;
    }
  }

  /** The impl order of a benchmark: its own {@code @Param impl} values (the one under test first). */
  static List<String> implOrder(String benchmark) {
    String className = benchmark.substring(0, benchmark.lastIndexOf('.'));
    try {
      Param param = Class.forName(className).getField("impl").getAnnotation(Param.class);
      if (param != null) {
        return List.of(param.value());
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // fall through: unknown class or no impl parameter
    }
    return RegistryUnderTest.IMPLS;
  }

  static String render(Collection<RunResult> results, Profile profile, Path json, String include, Path notes,
      String run) throws IOException {
    // Group by benchmark + every parameter except impl; keep the impl order of the benchmark's @Param.
    Map<String, List<Row>> groups = new TreeMap<>();
    Map<String, List<String>> orders = new LinkedHashMap<>();
    BenchmarkParams anyParams = null;
    for (RunResult result : results) {
      BenchmarkParams params = result.getParams();
      anyParams = params;
      String name = simpleName(params.getBenchmark());
      StringBuilder key = new StringBuilder(name);
      for (String p : params.getParamsKeys()) {
        if (!p.equals("impl")) {
          key.append(", ").append(p).append('=').append(params.getParam(p));
        }
      }
      key.append(", threads=").append(params.getThreads());
      Result<?> primary = result.getPrimaryResult();
      String impl = params.getParamsKeys().contains("impl") ? params.getParam("impl") : "-";
      Map<String, Stat> secondary = new TreeMap<>();
      for (Map.Entry<String, Result> e : result.getSecondaryResults().entrySet()) {
        secondary.put(e.getKey(), new Stat(e.getValue().getScore(), e.getValue().getScoreError()));
      }
      groups.computeIfAbsent(key.toString(), k -> new ArrayList<>())
          .add(new Row(impl, primary.getScore(), primary.getScoreError(), primary.getScoreUnit(),
              params.getMode(), secondary));
      orders.put(key.toString(), implOrder(params.getBenchmark()));
    }
    for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
      List<String> order = orders.get(group.getKey());
      group.getValue().sort((a, b) -> Integer.compare(order(order, a.impl), order(order, b.impl)));
    }

    StringBuilder out = new StringBuilder();
    if (profile.claims()) {
      out.append("# Benchmark results (full profile)\n\n");
      out.append("Generated by `benchmarks/run-full.sh` (`io.github.buffercore.bench.QuickProfile --profile full`) on ")
          .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(".\n");
    } else {
      out.append("# Quick profile: CI smoke test, no claims\n\n");
      out.append("Generated by `benchmarks/run-quick.sh` (`io.github.buffercore.bench.QuickProfile`) on ")
          .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(".\n");
      out.append("**This is a smoke test, not a measurement:** one fork of 3 x 1 s iterations, whose 99.9% ")
          .append("intervals are often wider than the scores. It proves every benchmark runs and the report ")
          .append("renders; it claims nothing, so no target is judged here. The numbers that count are in ")
          .append("`benchmarks/RESULTS.md`, made by `benchmarks/run-full.sh`.\n");
    }
    out.append("Raw JMH JSON: `").append(json).append("`. Benchmarks: `").append(include).append("`.\n");
    out.append(run).append("\n\n");
    out.append("JMH options: `").append(profile.jmhOptions()).append("`. Errors (±) are JMH's 99.9% ")
        .append("confidence half-widths over ").append(profile.forks() * profile.iterations())
        .append(" measured iterations (").append(profile.forks()).append(profile.forks() == 1 ? " fork" : " forks")
        .append(" x ").append(profile.iterations()).append("). Every ratio is shown as `value [low, high]`: ")
        .append("the ratio of the two means with the interval propagated from both sides' 99.9% intervals ")
        .append("(`[low(a)/high(b), high(a)/low(b)]`, conservative). Compare ratios within one run, never ")
        .append("absolute numbers across runs.\n\n");

    out.append("## Machine and JVM\n\n");
    out.append("- CPUs (nproc): ").append(Runtime.getRuntime().availableProcessors()).append('\n');
    out.append("- CPU model: ").append(cpuModel()).append('\n');
    out.append("- Memory: ").append(memTotal()).append('\n');
    out.append("- OS: ").append(System.getProperty("os.name")).append(' ')
        .append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch")).append('\n');
    if (anyParams != null) {
      out.append("- JMH: ").append(anyParams.getJmhVersion()).append("; forked JVM: `")
          .append(anyParams.getJvm()).append("` ").append(anyParams.getJvmArgs().isEmpty() ? "(no extra flags)"
              : String.join(" ", anyParams.getJvmArgs())).append('\n');
      out.append("- `java -version`:\n\n```\n").append(javaVersion(anyParams.getJvm())).append("```\n");
    }
    out.append('\n');

    out.append("## Targets\n\n");
    out.append("| Target | Measured (buffercore vs baseline): ratio [99.9% interval] | Required | Status |\n|---|---|---|---|\n");
    for (Target target : TARGETS) {
      out.append("| ").append(target.description()).append(" | ");
      if (target.kind() == Kind.ALLOC_PER_CHUNK) {
        renderAllocTarget(out, groups, target, profile);
        continue;
      }
      if (target.kind() == Kind.WRITER_RATIO) {
        renderWriterTarget(out, groups, target);
        continue;
      }
      if (target.kind() == Kind.ALLOC_VS_BASELINE) {
        renderAllocVsBaseline(out, groups, target, profile);
        continue;
      }
      Optional<Interval> ratio = findRatio(groups, target);
      if (ratio.isEmpty()) {
        out.append("not measured | >= ").append(fmtRatio(target.threshold())).append(" | not measured in this run |\n");
        continue;
      }
      Interval r = ratio.get();
      out.append(r.ratio()).append(" (").append(target.benchmark()).append(target.params().isEmpty() ? ""
          : " " + target.params().replace(",", "").trim()).append(" vs ").append(target.baseline())
          .append(") | >= ")
          .append(fmtRatio(target.threshold())).append(" | ");
      if (!profile.claims()) {
        out.append("no claim (smoke test)");
      } else if (r.low() >= target.threshold()) {
        out.append("**met**: the interval's low bound clears it (margin ")
            .append(fmtRatio(r.low() / target.threshold())).append(")");
      } else if (r.high() < target.threshold()) {
        out.append("**NOT met**: even the interval's high bound misses it; gap of the means ")
            .append(fmtRatio(target.threshold() / r.value())).append(" (buffercore would need ")
            .append(String.format(Locale.ROOT, "%.0f%%", (target.threshold() / r.value() - 1) * 100))
            .append(" more speed)");
      } else {
        out.append("**NOT met (inconclusive)**: the interval straddles the target")
            .append(r.value() >= target.threshold() ? " (the means alone would clear it)" : "");
      }
      out.append(" |\n");
    }
    out.append("\nA ratio is the speed of buffercore divided by the speed of the baseline (throughput, or ")
        .append("1/time for average-time benchmarks; for the fan-out benchmarks, delivered bytes/s): above ")
        .append("1x buffercore is faster. A target counts as met only when the bound of the interval on the ")
        .append("side of the requirement clears it; an interval that straddles it is reported as not met. ")
        .append("Allocation: JMH's `-prof gc` `gc.alloc.rate.norm` (B/op) divided ")
        .append("by the 1,316-byte chunks delivered per op; JMH's own per-iteration allocation amortizes to ")
        .append("~0.01 B/op, so 0.1 B/chunk is the \"zero\" threshold (the smallest Java object is 16 B).\n\n");

    out.append("## Results\n\n");
    out.append("Columns `vs X`: speed of the row's implementation / speed of X in the same run ")
        .append("(>1x: the row is faster). Registry implementations: `buffercore` is the real ")
        .append("PlaylistRegistry; `seed` the seed's global lock with early unlock; `synchronized` one ")
        .append("global monitor around a HashMap; `chm` the raw ConcurrentHashMap floor. Fan-out ")
        .append("implementations: `buffercore` is the real BroadcastRing; `arraycopy` the uncoordinated ")
        .append("copy floor; `queue` a per-reader ArrayBlockingQueue of copied chunks; `agrona` Agrona's ")
        .append("BroadcastTransmitter + CopyBroadcastReceiver. Fan-out tables add the delivered bandwidth ")
        .append("(aux counter `bytes`, MB/s = bytes/us; the ratios use it), data lost per second (laps or ")
        .append("drops), the writer's chunks/us (concurrent group only), and allocation per op and per ")
        .append("delivered chunk (see `benchmarks/README.md`).\n\n");
    for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
      List<Row> rows = group.getValue();
      List<String> order = orders.get(group.getKey());
      List<String> baselines = order.subList(1, order.size());
      boolean fanOut = rows.stream().anyMatch(r -> r.secondary().containsKey(BYTES));
      boolean group2 = rows.stream().anyMatch(r -> r.secondary().containsKey(WRITES));
      boolean alloc = rows.stream().anyMatch(r -> r.secondary().containsKey(ALLOC_NORM));
      out.append("### ").append(group.getKey()).append("\n\n");
      out.append("| impl | score ± error | unit |");
      if (fanOut) {
        out.append(" delivered MB/s | lost/s |");
        if (group2) {
          out.append(" writer chunks/us |");
        }
      }
      if (alloc) {
        out.append(" B/op |");
        if (fanOut) {
          out.append(" B/chunk |");
        }
      }
      for (String b : baselines) {
        out.append(" vs ").append(b).append(" |");
      }
      out.append("\n|---|---:|---|");
      int extra = (fanOut ? 2 + (group2 ? 1 : 0) : 0) + (alloc ? 1 + (fanOut ? 1 : 0) : 0);
      out.append("---:|".repeat(extra + baselines.size()));
      out.append('\n');
      for (Row row : rows) {
        out.append("| ").append(row.impl().equals(UNDER_TEST) ? "**" + row.impl() + "**" : row.impl())
            .append(" | ").append(fmt(row.score())).append(" ± ").append(fmt(row.error()))
            .append(" | ").append(row.unit()).append(" |");
        if (fanOut) {
          out.append(' ').append(fmt(row.secondary(BYTES))).append(" | ")
              .append(fmt(row.secondary(LOST) * 1e6)).append(" |");
          if (group2) {
            out.append(' ').append(fmt(row.secondary(WRITES))).append(" |");
          }
        }
        if (alloc) {
          out.append(' ').append(fmtStat(row.secondaryStat(ALLOC_NORM))).append(" |");
          if (fanOut) {
            out.append(' ').append(fmt(row.allocPerChunk())).append(" |");
          }
        }
        for (String b : baselines) {
          Row base = find(rows, b);
          out.append(' ').append(base == null ? "-" : row.speedInterval().over(base.speedInterval()).ratio())
              .append(" |");
        }
        out.append('\n');
      }
      out.append('\n');
    }

    if (Files.exists(notes)) {
      out.append("## Analysis (hand-written, `").append(notes).append("`)\n\n");
      out.append(Files.readString(notes, StandardCharsets.UTF_8));
      if (out.charAt(out.length() - 1) != '\n') {
        out.append('\n');
      }
    }
    return out.toString();
  }

  private static boolean matches(String key, String benchmark, String params) {
    return key.split(",", 2)[0].equals(benchmark) && (key + ",").contains(params);
  }

  private static void renderAllocTarget(StringBuilder out, Map<String, List<Row>> groups, Target target,
      Profile profile) {
    double worst = Double.NaN;
    String where = null;
    for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
      if (matches(group.getKey(), target.benchmark(), target.params())) {
        Row mine = find(group.getValue(), UNDER_TEST);
        if (mine != null && !Double.isNaN(mine.allocPerChunk())
            && (Double.isNaN(worst) || mine.allocPerChunk() > worst)) {
          worst = mine.allocPerChunk();
          where = group.getKey().split(",", 2)[1].replace(", threads=1", "").trim();
        }
      }
    }
    if (Double.isNaN(worst)) {
      out.append("not measured (needs -prof gc) | <= ").append(target.threshold())
          .append(" B/chunk | not measured in this run |\n");
      return;
    }
    out.append(String.format(Locale.ROOT, "%.4f B/chunk (worst: %s, %s)", worst, target.benchmark(), where))
        .append(" | <= ").append(target.threshold()).append(" B/chunk | ");
    if (!profile.claims()) {
      out.append("no claim (smoke test)");
    } else if (worst <= target.threshold()) {
      out.append("**met**");
    } else {
      out.append(String.format(Locale.ROOT, "**NOT met**: %.1f B per delivered chunk too many",
          worst - target.threshold()));
    }
    out.append(" |\n");
  }

  private static void renderWriterTarget(StringBuilder out, Map<String, List<Row>> groups, Target target) {
    Row many = null;
    Row one = null;
    for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
      if (matches(group.getKey(), target.benchmark(), target.params())) {
        many = find(group.getValue(), UNDER_TEST);
      }
      if (matches(group.getKey(), target.benchmark(), target.baseline())) {
        one = find(group.getValue(), UNDER_TEST);
      }
    }
    if (many == null || one == null || Double.isNaN(many.secondary(WRITES))) {
      out.append("not measured | - | not measured in this run |\n");
      return;
    }
    out.append(fmtRatio(many.secondary(WRITES) / one.secondary(WRITES))).append(" (")
        .append(fmt(many.secondary(WRITES))).append(" vs ").append(fmt(one.secondary(WRITES)))
        .append(" chunks/us) | no numeric target (1x = not slowed) | reported |\n");
  }

  private static Optional<Interval> findRatio(Map<String, List<Row>> groups, Target target) {
    for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
      if (matches(group.getKey(), target.benchmark(), target.params())) {
        Row mine = find(group.getValue(), UNDER_TEST);
        Row base = find(group.getValue(), target.baseline());
        if (mine != null && base != null) {
          return Optional.of(mine.speedInterval().over(base.speedInterval()));
        }
      }
    }
    return Optional.empty();
  }

  /** buffercore's B/op against the baseline's: met when buffercore's high bound <= the baseline's low bound. */
  private static void renderAllocVsBaseline(StringBuilder out, Map<String, List<Row>> groups, Target target,
      Profile profile) {
    Stat mine = null;
    Stat base = null;
    for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
      if (matches(group.getKey(), target.benchmark(), target.params())) {
        Row m = find(group.getValue(), UNDER_TEST);
        Row b = find(group.getValue(), target.baseline());
        if (m != null && b != null) {
          mine = m.secondaryStat(ALLOC_NORM);
          base = b.secondaryStat(ALLOC_NORM);
        }
      }
    }
    if (mine == null || base == null) {
      out.append("not measured (needs -prof gc) | <= ").append(target.baseline())
          .append("'s B/op | not measured in this run |\n");
      return;
    }
    out.append(fmtStat(mine)).append(" vs ").append(fmtStat(base)).append(" B/op (")
        .append(target.benchmark()).append(" vs ").append(target.baseline()).append(") | <= ")
        .append(target.baseline()).append("'s B/op | ");
    if (!profile.claims()) {
      out.append("no claim (smoke test)");
    } else if (mine.high() <= base.low()) {
      out.append("**met**");
    } else if (mine.low() > base.high()) {
      out.append(String.format(Locale.ROOT, "**NOT met**: %.0f B/op more (%.2fx)",
          mine.score() - base.score(), mine.score() / base.score()));
    } else {
      out.append("**NOT met (inconclusive)**: the intervals overlap");
    }
    out.append(" |\n");
  }

  private static String fmtStat(Stat stat) {
    if (stat == null) {
      return "-";
    }
    return Double.isNaN(stat.error()) ? fmt(stat.score()) : fmt(stat.score()) + " ± " + fmt(stat.error());
  }

  /** {@code /proc/loadavg}'s first three fields, or why not. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e + ")";
    }
  }

  private static Row find(List<Row> rows, String impl) {
    for (Row row : rows) {
      if (row.impl().equals(impl)) {
        return row;
      }
    }
    return null;
  }

  private static int order(List<String> order, String impl) {
    int i = order.indexOf(impl);
    return i < 0 ? Integer.MAX_VALUE : i;
  }

  private static String simpleName(String benchmark) {
    String[] parts = benchmark.split("\\.");
    return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    double a = Math.abs(v);
    return String.format(Locale.ROOT, a >= 100 ? "%.1f" : a >= 1 ? "%.3f" : "%.4f", v);
  }

  private static String fmtRatio(double r) {
    return String.format(Locale.ROOT, r >= 10 ? "%.1fx" : "%.2fx", r);
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e + ")";
    }
    return "unknown";
  }

  private static String memTotal() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB (MemTotal %d kB)", kb / 1024.0 / 1024.0, kb);
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e + ")";
    }
    return "unknown";
  }

  private static String javaVersion(String jvm) {
    try {
      Process process = new ProcessBuilder(jvm, "-version").redirectErrorStream(true).start();
      try (InputStream in = process.getInputStream()) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return text.endsWith("\n") ? text : text + "\n";
      }
    } catch (IOException e) {
      return "unavailable: " + e + "\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted\n";
    }
  }
}
