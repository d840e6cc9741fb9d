package io.github.buffercore.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Not a registry benchmark: a probe of the machine, run next to the two-thread registry benchmarks so a
 * report can say what a cache line shared by two threads cost in that same run. One op is one
 * {@code incrementAndGet} of one shared counter: on one thread the line stays in its core's cache; on
 * two threads it moves between the cores on (nearly) every op, so {@code shared_2threads /
 * shared_1thread} is the price of a contended line on this host's placement of the two vCPUs (two
 * hyperthreads of one core pass a line far more cheaply than two cores do). The registry's lock-free
 * churn writes such lines on every op; the seed's global lock hands one over per op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Xmn64m"})
public class ContentionProbe {

  private final AtomicLong shared = new AtomicLong();

  @Benchmark
  @Threads(1)
  public long shared_1thread() {
    return shared.incrementAndGet();
  }

  @Benchmark
  @Threads(2)
  public long shared_2threads() {
    return shared.incrementAndGet();
  }
}
