package io.github.buffercore.stress.broken;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.scenario.StallEvictionScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The {@link io.github.buffercore.stress.registry.StallEviction StallEviction} test run against
 * {@link CheckThenEvictSweep}: a stall sweep that decides outside the compute and releases with a
 * check-then-set flag. This test is expected to FAIL; the CI run ({@code StressRunner}) fails if it
 * does not. Expected forbidden outcomes: {@code 2, 1, 1} (released twice) and {@code 2, -1, 0} or
 * {@code 1, -1, 0} (the joined viewer's stream stopped under it).
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
public class BrokenStallEviction {

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
