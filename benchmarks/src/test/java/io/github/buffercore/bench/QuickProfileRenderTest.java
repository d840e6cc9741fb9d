package io.github.buffercore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.ThroughputResult;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * RESULTS.md judges targets by the bound of the ratio's interval: built from JMH results with known
 * iteration scores (3 forks x 5 iterations, as the full profile), rendered by {@link QuickProfile}.
 */
class QuickProfileRenderTest {

  private static final String BENCH = "io.github.buffercore.bench.";

  @Test
  void theFullProfileCountsATargetAsMetOnlyWhenTheIntervalClearsIt() throws Exception {
    List<RunResult> results = List.of(
        // acquire+close 1 thread: buffercore 10, seed 5, both tight -> 2x, met.
        run("AcquireCloseBenchmark.hotStream_1thread", 1, "buffercore", 10, 0.1),
        run("AcquireCloseBenchmark.hotStream_1thread", 1, "seed", 5, 0.1),
        // churn 1 thread: buffercore 5, seed 10, tight -> 0.5x, not met even at the high bound.
        run("ChurnBenchmark.createRemove_1thread", 1, "buffercore", 5, 0.1),
        run("ChurnBenchmark.createRemove_1thread", 1, "seed", 10, 0.1),
        // churn 2 threads: buffercore swings 2..20 (8 of 15 iterations at 2, 7 at 20: mean 10.4), so the
        // means give 1.04x but the interval straddles 1x -> inconclusive, not met.
        run("ChurnBenchmark.createRemove_2threads", 2, "buffercore", 11, 9),
        run("ChurnBenchmark.createRemove_2threads", 2, "seed", 10, 0.1));

    String report = QuickProfile.render(results, QuickProfile.Profile.FULL, Path.of("full.json"), "x",
        Path.of("/nonexistent/notes.md"), "Run line.");

    assertThat(report).startsWith("# Benchmark results (full profile)");
    assertThat(line(report, "acquire+close on one hot stream at least as fast as the seed pattern (1 thread)"))
        .contains("2.00x [").contains("**met**: the interval's low bound clears it");
    assertThat(line(report, "create/remove churn at least as fast as the seed pattern (1 thread)"))
        .contains("0.50x [").contains("**NOT met**: even the interval's high bound misses it");
    assertThat(line(report, "create/remove churn at least as fast as the seed pattern (2 threads)"))
        .contains("1.04x [").contains("**NOT met (inconclusive)**")
        .contains("the means alone would clear it");
    assertThat(line(report, "acquire+close on one hot stream at least as fast as the seed pattern (2 threads)"))
        .contains("not measured in this run");
    assertThat(report).contains("Run line.").contains("-f 3 -wi 3 -w 2s -i 5 -r 2s -foe true -prof gc");
  }

  @Test
  void theQuickProfileClaimsNothing() throws Exception {
    List<RunResult> results = List.of(
        run("AcquireCloseBenchmark.hotStream_1thread", 1, "buffercore", 10, 0.1),
        run("AcquireCloseBenchmark.hotStream_1thread", 1, "seed", 5, 0.1));

    String report = QuickProfile.render(results, QuickProfile.Profile.QUICK, Path.of("quick.json"), "x",
        Path.of("/nonexistent/notes.md"), "Run line.");

    assertThat(report).startsWith("# Quick profile: CI smoke test, no claims");
    assertThat(line(report, "acquire+close on one hot stream at least as fast as the seed pattern (1 thread)"))
        .contains("no claim (smoke test)").doesNotContain("**met**");
    assertThat(report).doesNotContain("**met**").doesNotContain("**NOT met");
  }

  private static String line(String report, String target) {
    return report.lines().filter(l -> l.startsWith("| " + target + " |")).findFirst()
        .orElseThrow(() -> new AssertionError("no target line '" + target + "' in:\n" + report));
  }

  /** 3 forks x 5 iterations of ops/us alternating mean - spread and mean + spread. */
  private static RunResult run(String benchmark, int threads, String impl, double mean, double spread) {
    WorkloadParams workload = new WorkloadParams();
    workload.put("impl", impl, 0);
    IterationParams warmup = new IterationParams(IterationType.WARMUP, 3, TimeValue.seconds(2), 1);
    IterationParams measurement = new IterationParams(IterationType.MEASUREMENT, 5, TimeValue.seconds(2), 1);
    BenchmarkParams params = new BenchmarkParams(BENCH + benchmark, BENCH + "generated." + benchmark, false,
        threads, new int[] {threads}, List.of(), 3, 0, warmup, measurement, Mode.Throughput, workload,
        TimeUnit.MICROSECONDS, 1, "java", List.of(), "17", "vm", "17", "1.37", TimeValue.minutes(10));
    List<BenchmarkResult> forks = new ArrayList<>();
    for (int fork = 0; fork < 3; fork++) {
      List<IterationResult> iterations = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        double score = (fork * 5 + i) % 2 == 0 ? mean - spread : mean + spread;
        IterationResult iteration = new IterationResult(params, measurement, new IterationResultMetaData(0, 0));
        // score ops/us: score * 1e6 ops in one second.
        iteration.addResult(new ThroughputResult(ResultRole.PRIMARY, benchmark, score * 1_000_000,
            1_000_000_000L, TimeUnit.MICROSECONDS));
        iterations.add(iteration);
      }
      forks.add(new BenchmarkResult(params, iterations));
    }
    return new RunResult(params, forks);
  }
}
