package io.github.buffercore.bench;

import io.github.buffercore.Ticker;
import io.github.buffercore.bench.baseline.RegistryUnderTest;
import io.github.buffercore.bench.baseline.UnderTestConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
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
 * One {@code cleanup()} pass over {@code playlists} live playlists, each with one running stream and
 * one fresh client, on one thread, with a manual ticker that never moves during the measurement.
 *
 * <ul>
 *   <li>{@code stale=0}: the steady pass; it scans everything and removes nothing.</li>
 *   <li>{@code stale=N}: before each invocation ({@code Level.Invocation}, untimed) N extra playlists
 *       are created, each with one client whose last touch lies 2 x staleAfter in the past; the pass
 *       then evicts those N clients, stops their N streams and removes their N playlists (stream and
 *       idle grace are zero), so every invocation does the same work. The re-seed is N getOrCreate +
 *       N acquire, small next to a pass over 10,000 playlists; JMH's per-invocation timestamps add
 *       tens of nanoseconds to a pass that takes hundreds of microseconds.</li>
 * </ul>
 *
 * <p>Each invocation checks that the previous pass did exactly 3N units of work (evicted + stopped +
 * removed), so an implementation that skipped work would fail the run rather than look fast.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CleanupBenchmark {

  private static final Duration STALE_AFTER = Duration.ofSeconds(30);
  private static final long NOW = Duration.ofHours(1).toNanos();
  private static final long LONG_AGO = NOW - 2 * STALE_AFTER.toNanos();

  @Param({"buffercore", "seed", "synchronized", "chm"})
  public String impl;

  @Param({"10000"})
  public int playlists;

  @Param({"0", "10"})
  public int stale;

  private Ticker.Manual ticker;
  private RegistryUnderTest registry;
  private String[] staleIds;
  private int lastWork;

  @Setup(Level.Trial)
  public void setUp() {
    ticker = Ticker.manual();
    ticker.set(NOW);
    registry = RegistryUnderTest.create(impl, new UnderTestConfig(
        STALE_AFTER, Duration.ZERO, Duration.ZERO, ticker));
    for (int i = 0; i < playlists; i++) {
      String id = "playlist-" + i;
      registry.getOrCreate(id, Fixtures.INITIALIZER);
      registry.acquire(id, "stream-" + (i % 7));
    }
    staleIds = new String[stale];
    for (int i = 0; i < stale; i++) {
      staleIds[i] = "stale-" + i;
    }
    lastWork = 3 * stale;
  }

  @Setup(Level.Invocation)
  public void seedStaleClients() {
    if (lastWork != 3 * stale) {
      throw new IllegalStateException(impl + ": the last cleanup pass did " + lastWork
          + " units of work, expected " + (3 * stale));
    }
    if (stale == 0) {
      return;
    }
    ticker.set(LONG_AGO);
    for (String id : staleIds) {
      registry.getOrCreate(id, Fixtures.INITIALIZER);
      registry.acquire(id, "stream-0");
    }
    ticker.set(NOW);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  @Threads(1)
  public int cleanup() {
    int work = registry.cleanup();
    lastWork = work;
    return work;
  }
}
