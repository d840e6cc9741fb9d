package io.github.buffercore.bench;

import io.github.buffercore.ClientLease;
import io.github.buffercore.bench.baseline.RegistryUnderTest;
import io.github.buffercore.bench.baseline.UnderTestConfig;
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

/**
 * One op = {@code acquire} + {@code close} of a client on a running stream: a viewer joining and
 * leaving. The stream keeps one long-lived anchor client, so it never stops: the op measures joining
 * and leaving a running stream, not starting one (registry defaults: 30 s stale, 10 s stream grace,
 * 60 s idle grace, system ticker).
 *
 * <ul>
 *   <li>{@code hotStream_*}: every thread on the same stream of the same playlist, the worst case for
 *       any design (all of them serialize on something).</li>
 *   <li>{@code ownPlaylist_2threads}: each thread on a stream of its own playlist, where per-playlist
 *       atomicity should scale and one global lock cannot.</li>
 * </ul>
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
public class AcquireCloseBenchmark {

  static final String STREAM = "channel-42";

  @Param({"buffercore", "seed", "synchronized", "chm"})
  public String impl;

  private RegistryUnderTest registry;
  private String hotPlaylist;
  private ClientLease anchor;

  @Setup
  public void setUp() {
    registry = RegistryUnderTest.create(impl, UnderTestConfig.defaults());
    hotPlaylist = "provider-1";
    registry.getOrCreate(hotPlaylist, Fixtures.INITIALIZER);
    anchor = registry.acquire(hotPlaylist, STREAM);
  }

  @TearDown
  public void tearDown() {
    if (!anchor.isOpen()) {
      throw new IllegalStateException("the anchor client was evicted; the stream did not stay running");
    }
    registry.close();
  }

  /** A playlist (with an anchored running stream) per benchmark thread. */
  @State(Scope.Thread)
  public static class OwnPlaylist {
    private static final AtomicInteger THREADS = new AtomicInteger();
    String playlistId;

    @Setup
    public void setUp(AcquireCloseBenchmark benchmark) {
      playlistId = "own-" + THREADS.incrementAndGet();
      benchmark.registry.getOrCreate(playlistId, Fixtures.INITIALIZER);
      benchmark.registry.acquire(playlistId, STREAM); // the anchor, never closed
    }
  }

  @Benchmark
  @Threads(1)
  public ClientLease hotStream_1thread() {
    ClientLease lease = registry.acquire(hotPlaylist, STREAM);
    lease.close();
    return lease;
  }

  @Benchmark
  @Threads(2)
  public ClientLease hotStream_2threads() {
    ClientLease lease = registry.acquire(hotPlaylist, STREAM);
    lease.close();
    return lease;
  }

  @Benchmark
  @Threads(2)
  public ClientLease ownPlaylist_2threads(OwnPlaylist own) {
    ClientLease lease = registry.acquire(own.playlistId, STREAM);
    lease.close();
    return lease;
  }
}
