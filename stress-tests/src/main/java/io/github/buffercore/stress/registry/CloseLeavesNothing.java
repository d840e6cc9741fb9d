package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.broken.SketchDataPath;
import io.github.buffercore.stress.scenario.DataPath;
import io.github.buffercore.stress.scenario.DataPathUnderTest;
import java.time.Duration;
import io.github.buffercore.stress.scenario.Races;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * <b>{@code CloseLeavesNothing}</b>: close() racing acquire or getOrCreate leaves nothing behind:
 * when close() has returned, no lease is open, no upstream connection is open or still to be
 * opened, and every tuner slot is free; the racing call either completed before the close (and
 * was then undone by it) or failed with RegistryClosedException.
 *
 * <p>jcstress test of the {@code CloseLeavesNothing} invariant (see the {@code
 * io.github.buffercore} package documentation) on the real data path: one actor acquires stream
 * {@code a} of a playlist that does not exist yet (so it runs getOrCreate, then the join, the tuner
 * admission and the upstream start), while the other closes the registry.
 *
 * <p>Columns: r1 = 1 if the acquire returned a lease that is still open after both; r2 = upstream
 * connections open, or read from and never stopped, after the arbiter ended every read; r3 = tuner
 * slots still held (0 when the suite runs with another pool, which it cannot count).
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Nothing left: the acquire failed, or its lease and stream were undone by the close.")
@Outcome(expect = FORBIDDEN, desc = "A lease, an upstream or a tuner slot outlived close().")
@State
public class CloseLeavesNothing {

  private final DataPathUnderTest path = DataPath.unshared(1, Duration.ZERO, Duration.ofDays(1), 0L);
  private volatile AutoCloseable lease;

  /** Acquires {@code a}, creating the playlist. */
  @Actor
  public void acquire() {
    lease = Races.acquireOrNull(path, "a");
  }

  @Actor
  public void close() {
    path.close();
  }

  @Arbiter
  public void arbiter(III_Result r) {
    AutoCloseable got = lease;
    r.r1 = got != null && path.isOpen(got) ? 1 : 0;
    path.probe().quiesce();
    r.r2 = path.probe().openNow() + path.probe().unstopped();
    r.r3 = path.probe().slotsHeld();
    path.quiesceAndClose();
  }


  /**
   * The CloseLeavesNothing test run against SketchDataPath with CLOSE_CHECKED_BEFORE_JOIN: acquire
   * checks "closed" before the change that adds its client instead of inside it (or after it), so a
   * join that passed the check just before close() swept the table is added after the sweep and
   * outlives the close. This test is expected to FAIL; the CI run (StressRunner) fails if it does
   * not. Expected forbidden outcome: 1, 1, 0.
   */
  @JCStressTest
  @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Nothing left: the acquire failed, or its lease and stream were undone by the close.")
  @Outcome(expect = FORBIDDEN, desc = "A lease, an upstream or a tuner slot outlived close().")
  @State
  public static class BrokenCloseCheckedBeforeJoin {

    private final DataPathUnderTest path = new SketchDataPath(SketchDataPath.Bug.CLOSE_CHECKED_BEFORE_JOIN, 1, 0L);
    private volatile AutoCloseable lease;

    /** Acquires {@code a}, creating the playlist. */
    @Actor
    public void acquire() {
      lease = Races.acquireOrNull(path, "a");
    }

    @Actor
    public void close() {
      path.close();
    }

    @Arbiter
    public void arbiter(III_Result r) {
      AutoCloseable got = lease;
      r.r1 = got != null && path.isOpen(got) ? 1 : 0;
      path.probe().quiesce();
      r.r2 = path.probe().openNow() + path.probe().unstopped();
      r.r3 = path.probe().slotsHeld();
      path.quiesceAndClose();
    }

  }
}
