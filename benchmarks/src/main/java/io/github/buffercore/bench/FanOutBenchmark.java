package io.github.buffercore.bench;

import io.github.buffercore.bench.fanout.FanOut;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Per-chunk fan-out cost, single-threaded and deterministic. One op = the writer publishes one
 * 1,316-byte chunk (7 MPEG-TS packets), then every one of the {@code readers} readers polls once and
 * must get exactly that chunk into its own destination array. No reader is ever lapped, so every impl
 * delivers exactly {@code readers x 1,316} bytes per op (checked on every op: an impl that skips work
 * fails the run). Buffers hold 4 MiB in every impl.
 *
 * <p>This isolates the CPU cost of publishing and of each reader's poll (coordination + copy) from
 * thread scheduling, which on 2 cores could not give 16 or 256 readers a thread each anyway. What it
 * does not measure (cross-core cache traffic, a writer racing readers) is what {@link
 * FanOutConcurrentBenchmark} measures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
// Every impl: Agrona 2.x needs the export. A fixed heap with a small young generation (recycled, so its
// pages stay resident): with the default ergonomics, first-touch page faults on this VM made the
// allocation-heavy queue baseline 30x slower and erratic (0.01-0.13 vs 0.5 ops/us at 16 readers).
// 2 GiB leaves room for 256 full queues (256 x 4 MiB) in the concurrent benchmark.
@Fork(jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms2g", "-Xmx2g",
    "-Xmn64m"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutBenchmark {

  /** 7 MPEG-TS packets: the usual UDP/HTTP TS chunk. */
  public static final int CHUNK = 7 * 188;

  /** Buffer capacity of every impl: 4 MiB (buffer-core's default). */
  public static final int CAPACITY = 4 * 1024 * 1024;

  @Param({"buffercore", "arraycopy", "queue", "agrona"})
  public String impl;

  @Param({"1", "16", "256"})
  public int readers;

  private FanOut fanOut;
  private byte[] chunk;
  private int expected;

  /** Bytes delivered to readers, and data lost (laps + drops: must stay 0 here). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Delivered {
    public long bytes;
    public long lost;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
      lost = 0;
    }
  }

  @Setup
  public void setUp() {
    fanOut = FanOut.create(impl, readers, CAPACITY, CHUNK);
    chunk = new byte[CHUNK];
    for (int i = 0; i < CHUNK; i++) {
      chunk[i] = (byte) (i % 188 == 0 ? 0x47 : i); // TS sync bytes, arbitrary payload
    }
    expected = readers * CHUNK;
  }

  @TearDown
  public void tearDown() {
    if (fanOut.laps() != 0 || fanOut.drops() != 0) {
      throw new IllegalStateException(impl + ": a reader lost data in the deterministic fan-out: laps="
          + fanOut.laps() + " drops=" + fanOut.drops());
    }
    fanOut.close();
  }

  @Benchmark
  @Threads(1)
  public int writeThenDrain(Delivered delivered) {
    fanOut.write(chunk);
    int total = 0;
    for (int i = 0; i < readers; i++) {
      total += fanOut.poll(i);
    }
    if (total != expected) {
      throw new IllegalStateException(impl + " delivered " + total + " bytes, expected " + expected);
    }
    delivered.bytes += total;
    return total;
  }
}
