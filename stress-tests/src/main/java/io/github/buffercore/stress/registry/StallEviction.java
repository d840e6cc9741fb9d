package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.CheckThenEvictSweep;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.scenario.StallEvictionScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * jcstress test of the {@code StallEviction} invariant against the real registry: <em>a lease the
 * stall sweep evicts is released exactly once and its end told exactly once, whether the sweep races
 * its holder's final read and close or not; the eviction is decided inside the playlist's compute,
 * so it never removes a stream (freeing its tuner) that a client still streams from.</em>
 *
 * <p>A stalled viewer's lease is past {@code staleAfter}; the sweep (a cleanup pass) runs while the
 * holder closes the lease and a second viewer joins the same channel. Whatever the order, the
 * stalled lease's end is told once and the second viewer ends up streaming on the one tuner. A sweep
 * that decides from a state read before its write and releases with a check-then-set flag (the broken
 * variant, nested below as {@link BrokenCheckThenEvictSweep}) tells the end twice, or
 * writes back a state without the viewer that joined meanwhile and frees its tuner.
 *
 * <p>Scenario and result columns: {@link StallEvictionScenario}. The nested class runs the same scenario
 * against a broken variant, which this test must catch (the CI run fails if it passes).
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE,
    desc = "The stalled lease ended once (evicted or closed, whichever came first); the new viewer streams on the one tuner.")
@Outcome(id = {"2, 1, 1", "2, 0, 1", "2, -1, 0"}, expect = FORBIDDEN,
    desc = "Released twice: the eviction and the close both told the end (and both removed a client).")
@Outcome(id = "1, -1, 0", expect = FORBIDDEN,
    desc = "The sweep wrote back a stale state: the stream a viewer had just joined was stopped, its tuner freed under it.")
@Outcome(expect = FORBIDDEN,
    desc = "Any other combination: an end lost or told twice, a client lost, or the tuner count wrong.")
@State
public class StallEviction {

  private final StallEvictionScenario scenario = new StallEvictionScenario(RegistryFactory.REAL);

  @Actor
  public void sweep(III_Result r) {
    scenario.sweep();
  }

  @Actor
  public void closeAndJoin(III_Result r) {
    scenario.closeAndJoin();
  }

  @Arbiter
  public void arbiter(III_Result r) {
    scenario.arbiter(r);
  }

  /**
   * Broken variant: {@link CheckThenEvictSweep}, a stall sweep that decides outside the compute and
   * releases with a check-then-set flag. Must FAIL; expected forbidden outcomes: {@code 2, 1, 1}
   * (released twice) and {@code 1, -1, 0} (the joined viewer's stream stopped under it).
   */
  @JCStressTest
  @Outcome(id = "1, 1, 1", expect = ACCEPTABLE,
      desc = "The stalled lease ended once (evicted or closed, whichever came first); the new viewer streams on the one tuner.")
  @Outcome(id = {"2, 1, 1", "2, 0, 1", "2, -1, 0"}, expect = FORBIDDEN,
      desc = "Released twice: the eviction and the close both told the end (and both removed a client).")
  @Outcome(id = "1, -1, 0", expect = FORBIDDEN,
      desc = "The sweep wrote back a stale state: the stream a viewer had just joined was stopped, its tuner freed under it.")
  @Outcome(expect = FORBIDDEN,
      desc = "Any other combination: an end lost or told twice, a client lost, or the tuner count wrong.")
  @State
  public static class BrokenCheckThenEvictSweep {

    private final StallEvictionScenario scenario = new StallEvictionScenario((streamGrace, idleGrace, ticker) ->
        new CheckThenEvictSweep(streamGrace, idleGrace, ticker, RaceWindow.SPIN));

    @Actor
    public void sweep(III_Result r) {
      scenario.sweep();
    }

    @Actor
    public void closeAndJoin(III_Result r) {
      scenario.closeAndJoin();
    }

    @Arbiter
    public void arbiter(III_Result r) {
      scenario.arbiter(r);
    }
  }
}
