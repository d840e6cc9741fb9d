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
 * {@code update} of one playlist's settings by two threads at once (a side-effect-free function
 * cycling the tuner limit). For buffercore that is its compare-and-set loop, retries included; the
 * baselines apply the function under their lock or inside the key's compute.
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
public class UpdateBenchmark {

  @Param({"buffercore", "seed", "synchronized", "chm"})
  public String impl;

  private RegistryUnderTest registry;
  private String playlistId;

  @Setup
  public void setUp() {
    registry = RegistryUnderTest.create(impl, UnderTestConfig.defaults());
    playlistId = "provider-1";
    registry.getOrCreate(playlistId, Fixtures.INITIALIZER);
    registry.acquire(playlistId, AcquireCloseBenchmark.STREAM); // a running stream, as in real use
  }

  @TearDown
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  @Threads(2)
  public Object update_2threads() {
    return registry.update(playlistId, Fixtures.CYCLE_TUNERS);
  }
}
