package io.github.buffercore.bench;

import io.github.buffercore.bench.baseline.RegistryUnderTest;
import io.github.buffercore.bench.baseline.UnderTestConfig;
import java.util.concurrent.TimeUnit;
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

/**
 * {@code getOrCreate} of a playlist that already exists: the hot path of every client request.
 * For {@code chm} that is one {@code ConcurrentHashMap.get}, the floor the target is measured against.
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
public class GetOrCreateBenchmark {

  @Param({"buffercore", "seed", "synchronized", "chm"})
  public String impl;

  /** Not a constant, so the JIT cannot fold the id's hash or validation. */
  private String playlistId;
  private RegistryUnderTest registry;

  @Setup
  public void setUp() {
    registry = RegistryUnderTest.create(impl, UnderTestConfig.defaults());
    playlistId = "provider-1";
    // A few neighbours so the map is not a single-entry special case.
    for (int i = 0; i < 16; i++) {
      registry.getOrCreate("provider-" + (i + 2), Fixtures.INITIALIZER);
    }
    registry.getOrCreate(playlistId, Fixtures.INITIALIZER);
  }

  @TearDown
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  @Threads(1)
  public Object hit_1thread() {
    return registry.getOrCreate(playlistId, Fixtures.INITIALIZER);
  }

  @Benchmark
  @Threads(2)
  public Object hit_2threads() {
    return registry.getOrCreate(playlistId, Fixtures.INITIALIZER);
  }
}
