package io.github.buffercore.bench;

import io.github.buffercore.bench.fanout.FanOut;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Fan-out with a writer and readers on different cores: a {@code @Group} of one writer thread, which
 * publishes 1,316-byte chunks as fast as it can, and one reader thread that round-robins over the
 * {@code readers} readers, polling each once per op (as one event-loop thread serves many clients;
 * 2 cores cannot give 16 or 256 readers a thread each). The writer never waits, so at 16 and 256
 * readers (and for slower impls at 1) readers are lapped or, for the queue, chunks dropped: only
 * successful reads count ({@code bytes}, per second = the delivered bandwidth), and data lost is counted
 * separately ({@code lost}: laps of the ring impls, drops of full queues). The ratios compare the
 * delivered bandwidth; JMH's group score (writer + reader ops) is not the metric.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
// Every impl: Agrona 2.x needs the export. A fixed heap with a small young generation (recycled, so its
// pages stay resident): with the default ergonomics, first-touch page faults on this VM made the
// allocation-heavy queue baseline 30x slower and erratic (0.01-0.13 vs 0.5 ops/us at 16 readers).
// 2 GiB leaves room for 256 full queues (256 x 4 MiB) in the concurrent benchmark.
@Fork(jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms2g", "-Xmx2g",
    "-Xmn64m"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutConcurrentBenchmark {

  @Param({"buffercore", "arraycopy", "queue", "agrona"})
  public String impl;

  @Param({"1", "16", "256"})
  public int readers;

  private FanOut fanOut;
  private byte[] chunk;

  @Setup
  public void setUp() {
    fanOut = FanOut.create(impl, readers, FanOutBenchmark.CAPACITY, FanOutBenchmark.CHUNK);
    chunk = new byte[FanOutBenchmark.CHUNK];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) (i % 188 == 0 ? 0x47 : i);
    }
  }

  @TearDown
  public void tearDown() {
    fanOut.close();
  }

  /** Reader-side counters: bytes delivered and laps, for the iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class ReaderCounters {
    public long bytes;
    public long lost;
    private FanOut fanOut;
    private long lapsAtStart;
    int next;

    @Setup(Level.Iteration)
    public void reset(FanOutConcurrentBenchmark benchmark) {
      fanOut = benchmark.fanOut;
      bytes = 0;
      lost = 0;
      lapsAtStart = fanOut.laps();
    }

    @TearDown(Level.Iteration)
    public void collect() {
      lost = fanOut.laps() - lapsAtStart; // the reader thread's own counter
    }
  }

  /** Writer-side counters: chunks dropped by full queues, for the iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class WriterCounters {
    public long lost;
    private FanOut fanOut;
    private long dropsAtStart;

    @Setup(Level.Iteration)
    public void reset(FanOutConcurrentBenchmark benchmark) {
      fanOut = benchmark.fanOut;
      lost = 0;
      dropsAtStart = fanOut.drops();
    }

    @TearDown(Level.Iteration)
    public void collect() {
      lost = fanOut.drops() - dropsAtStart; // the writer thread's own counter
    }
  }

  @Benchmark
  @Group("fanout")
  @GroupThreads(1)
  public void write(WriterCounters counters) {
    fanOut.write(chunk);
  }

  @Benchmark
  @Group("fanout")
  @GroupThreads(1)
  public int read(ReaderCounters counters) {
    int i = counters.next;
    counters.next = i + 1 == readers ? 0 : i + 1;
    int n = fanOut.poll(i);
    counters.bytes += n;
    return n;
  }
}
