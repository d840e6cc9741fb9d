package io.github.buffercore.bench;

import io.github.buffercore.bench.baseline.RegistryUnderTest;
import io.github.buffercore.bench.baseline.UnderTestConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Create-and-remove churn: one op = {@code getOrCreate} of a playlist that does not exist (a fresh id
 * from a per-thread rotation of 1024) followed by one {@code cleanup()} pass that removes it (idle and
 * stream grace are zero). The real registry has no remove method, so removal goes through its public
 * {@code cleanup()}; the registry holds only the churned playlists, so the pass scans one or two
 * entries. With two threads a pass may remove the other thread's playlist; either way every op creates
 * exactly one playlist and every playlist is removed by some pass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
// A fixed heap with a small young generation, for every impl alike: its regions are recycled, so
// their pages stay resident. With the default ergonomics G1 keeps growing into fresh regions and
// the kernel zeroes each page on first touch: an allocating op (churn: 184-224 B) then measures
// page faults (24% of a profile of createRemove_1thread, a run at 5.8 +- 13.0 ops/us), not the
// registry. The fan-out benchmarks pin their heap for the same reason.
@Fork(jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Xmn64m"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChurnBenchmark {

  private static final int ROTATION = 1024;

  @Param({"buffercore", "seed", "synchronized", "chm"})
  public String impl;

  private RegistryUnderTest registry;

  /** Each thread's own precomputed ids, so string building is not measured. */
  @State(Scope.Thread)
  public static class Ids {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private final String[] ids = new String[ROTATION];
    private int next;

    @Setup
    public void setUp() {
      int thread = THREADS.incrementAndGet();
      for (int i = 0; i < ROTATION; i++) {
        ids[i] = "churn-" + thread + "-" + i;
      }
    }

    String next() {
      String id = ids[next];
      next = (next + 1) & (ROTATION - 1);
      return id;
    }
  }

  @Setup
  public void setUp() {
    registry = RegistryUnderTest.create(impl,
        UnderTestConfig.defaults().withGraces(Duration.ZERO, Duration.ZERO));
  }

  @TearDown
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  @Threads(1)
  public int createRemove_1thread(Ids ids, Blackhole bh) {
    bh.consume(registry.getOrCreate(ids.next(), Fixtures.INITIALIZER));
    return registry.cleanup();
  }

  @Benchmark
  @Threads(2)
  public int createRemove_2threads(Ids ids, Blackhole bh) {
    bh.consume(registry.getOrCreate(ids.next(), Fixtures.INITIALIZER));
    return registry.cleanup();
  }
}
