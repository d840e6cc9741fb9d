package io.github.buffercore.bench;

import io.github.buffercore.bench.baseline.RegistryUnderTest;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The quick profile: runs every benchmark of {@code io.github.buffercore.bench} with short, fixed
 * options, writes JMH's JSON, and writes {@code RESULTS.md} from the same {@link RunResult}s: per
 * benchmark, score ± error per impl, each impl's speed relative to every baseline of the same run, the
 * machine and JVM, and the targets met or missed.
 *
 * <p>Usage (from the repository root): {@code java -cp benchmarks/target/benchmarks.jar
 * io.github.buffercore.bench.QuickProfile [--json FILE] [--md FILE] [--notes FILE] [--include REGEX]}.
 * Defaults: {@code benchmarks/results/quick.json}, {@code benchmarks/RESULTS.md},
 * {@code benchmarks/results/NOTES.md} (hand-written analysis appended verbatim if present),
 * {@code io\.github\.buffercore\.bench\..*}. Future benchmarks (the ring buffer) are picked up by the
 * include pattern; give them an {@code impl} parameter whose first value is the one under test and add
 * their targets to {@link #TARGETS}.
 */
public final class QuickProfile {

  /** JMH options of the quick profile, also shown in RESULTS.md. */
  static final int FORKS = 1;
  static final int WARMUP_ITERATIONS = 2;
  static final int WARMUP_SECONDS = 1;
  static final int ITERATIONS = 3;
  static final int ITERATION_SECONDS = 1;

  static final String UNDER_TEST = RegistryUnderTest.IMPLS.get(0);

  /**
   * A target: {@code impl=buffercore} on {@code benchmark} (simple name, e.g. {@code
   * GetOrCreateBenchmark.hit_1thread}) must be at least {@code minSpeedup} times as fast as
   * {@code baseline}; {@code benchmark == null} is a placeholder for benchmarks that do not exist yet.
   */
  record Target(String description, String benchmark, String baseline, double minSpeedup) { }

  static final List<Target> TARGETS = List.of(
      new Target("getOrCreate hit within 1.5x of ConcurrentHashMap.get (1 thread)",
          "GetOrCreateBenchmark.hit_1thread", "chm", 1 / 1.5),
      new Target("getOrCreate hit within 1.5x of ConcurrentHashMap.get (2 threads)",
          "GetOrCreateBenchmark.hit_2threads", "chm", 1 / 1.5),
      new Target("acquire+close at 2 threads at least 5x the seed pattern (one hot stream)",
          "AcquireCloseBenchmark.hotStream_2threads", "seed", 5.0),
      new Target("buffer fan-out: one writer, many readers (ring buffer)", null, null, 0),
      new Target("buffer fan-out: slow reader does not stall the writer (ring buffer)", null, null, 0));

  private QuickProfile() { }

  public static void main(String[] args) throws RunnerException, IOException {
    Map<String, String> opts = parseArgs(args);
    Path json = Path.of(opts.getOrDefault("--json", "benchmarks/results/quick.json"));
    Path md = Path.of(opts.getOrDefault("--md", "benchmarks/RESULTS.md"));
    Path notes = Path.of(opts.getOrDefault("--notes", "benchmarks/results/NOTES.md"));
    String include = opts.getOrDefault("--include", "io\\.github\\.buffercore\\.bench\\..*");
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.createDirectories(md.toAbsolutePath().getParent());

    Options options = new OptionsBuilder()
        .include(include)
        .forks(FORKS)
        .warmupIterations(WARMUP_ITERATIONS)
        .warmupTime(TimeValue.seconds(WARMUP_SECONDS))
        .measurementIterations(ITERATIONS)
        .measurementTime(TimeValue.seconds(ITERATION_SECONDS))
        .shouldFailOnError(true)
        .resultFormat(ResultFormatType.JSON)
        .result(json.toString())
        .build();
    Collection<RunResult> results = new Runner(options).run();
    String report = render(results, json, include, notes);
    Files.writeString(md, report, StandardCharsets.UTF_8);
    System.out.println("Wrote " + json + " and " + md);
  }

  private static Map<String, String> parseArgs(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: QuickProfile [--json FILE] [--md FILE] "
            + "[--notes FILE] [--include REGEX]; bad argument '" + args[i] + "'");
      }
      opts.put(args[i], args[++i]);
    }
    return opts;
  }

  // -------------------------------------------------------------------------------------------
  // RESULTS.md

  /** One measured row. */
  record Row(String impl, double score, double error, String unit, Mode mode) {
    /** Higher is better in every mode: throughput as is, time per op inverted. */
    double speed() {
      return mode == Mode.Throughput ? score : 1.0 / score;
    }
  }

  static String render(Collection<RunResult> results, Path json, String include, Path notes)
      throws IOException {
    // Group by benchmark + every parameter except impl; keep impl order of RegistryUnderTest.IMPLS.
    Map<String, List<Row>> groups = new TreeMap<>();
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
      groups.computeIfAbsent(key.toString(), k -> new ArrayList<>())
          .add(new Row(impl, primary.getScore(), primary.getScoreError(), primary.getScoreUnit(),
              params.getMode()));
    }
    for (List<Row> rows : groups.values()) {
      rows.sort((a, b) -> Integer.compare(order(a.impl), order(b.impl)));
    }

    StringBuilder out = new StringBuilder();
    out.append("# Benchmark results (quick profile)\n\n");
    out.append("Generated by `benchmarks/run-quick.sh` (`io.github.buffercore.bench.QuickProfile`) on ")
        .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(".\n");
    out.append("Raw JMH JSON: `").append(json).append("`. Benchmarks: `").append(include).append("`.\n\n");
    out.append("JMH options: `-f ").append(FORKS).append(" -wi ").append(WARMUP_ITERATIONS)
        .append(" -w ").append(WARMUP_SECONDS).append("s -i ").append(ITERATIONS).append(" -r ")
        .append(ITERATION_SECONDS).append("s -foe true`. A quick profile on a shared, noisy machine: ")
        .append("read the **ratios** between implementations measured in the same run, not the absolute ")
        .append("numbers; errors are JMH's 99.9% intervals over only ").append(ITERATIONS)
        .append(" iterations of one fork.\n\n");

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
    out.append("| Target | Measured (buffercore vs baseline) | Required | Status |\n|---|---|---|---|\n");
    for (Target target : TARGETS) {
      out.append("| ").append(target.description()).append(" | ");
      if (target.benchmark() == null) {
        out.append("- | - | pending: ring benchmarks |\n");
        continue;
      }
      Optional<double[]> ratio = findRatio(groups, target);
      if (ratio.isEmpty()) {
        out.append("not measured | ").append(fmtRatio(target.minSpeedup())).append(" | not measured in this run |\n");
        continue;
      }
      double r = ratio.get()[0];
      out.append(fmtRatio(r)).append(" (").append(target.benchmark()).append(") | >= ")
          .append(fmtRatio(target.minSpeedup())).append(" | ");
      if (r >= target.minSpeedup()) {
        out.append("**met** (margin ").append(fmtRatio(r / target.minSpeedup())).append(")");
      } else {
        out.append("**NOT met**: gap ").append(fmtRatio(target.minSpeedup() / r))
            .append(" (buffercore would need ").append(String.format(Locale.ROOT, "%.0f%%",
                (target.minSpeedup() / r - 1) * 100)).append(" more speed)");
      }
      out.append(" |\n");
    }
    out.append("\nA ratio is the speed of buffercore divided by the speed of the baseline (throughput, or ")
        .append("1/time for average-time benchmarks): above 1x buffercore is faster.\n\n");

    out.append("## Results\n\n");
    out.append("Columns `vs X`: speed of the row's implementation / speed of X in the same run ")
        .append("(>1x: the row is faster). Implementations: `buffercore` is the real PlaylistRegistry; ")
        .append("`seed` the seed's global lock with early unlock; `synchronized` one global monitor ")
        .append("around a HashMap; `chm` the raw ConcurrentHashMap floor (see `benchmarks/README.md`).\n\n");
    List<String> baselines = RegistryUnderTest.IMPLS.subList(1, RegistryUnderTest.IMPLS.size());
    for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
      List<Row> rows = group.getValue();
      out.append("### ").append(group.getKey()).append("\n\n");
      out.append("| impl | score ± error | unit |");
      for (String b : baselines) {
        out.append(" vs ").append(b).append(" |");
      }
      out.append("\n|---|---:|---|");
      out.append("---:|".repeat(baselines.size()));
      out.append('\n');
      for (Row row : rows) {
        out.append("| ").append(row.impl().equals(UNDER_TEST) ? "**" + row.impl() + "**" : row.impl())
            .append(" | ").append(fmt(row.score())).append(" ± ").append(fmt(row.error()))
            .append(" | ").append(row.unit()).append(" |");
        for (String b : baselines) {
          Row base = find(rows, b);
          out.append(' ').append(base == null ? "-" : fmtRatio(row.speed() / base.speed())).append(" |");
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

  private static Optional<double[]> findRatio(Map<String, List<Row>> groups, Target target) {
    for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
      String name = group.getKey().split(",", 2)[0];
      if (name.equals(target.benchmark())) {
        Row mine = find(group.getValue(), UNDER_TEST);
        Row base = find(group.getValue(), target.baseline());
        if (mine != null && base != null) {
          return Optional.of(new double[] {mine.speed() / base.speed()});
        }
      }
    }
    return Optional.empty();
  }

  private static Row find(List<Row> rows, String impl) {
    for (Row row : rows) {
      if (row.impl().equals(impl)) {
        return row;
      }
    }
    return null;
  }

  private static int order(String impl) {
    int i = RegistryUnderTest.IMPLS.indexOf(impl);
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
