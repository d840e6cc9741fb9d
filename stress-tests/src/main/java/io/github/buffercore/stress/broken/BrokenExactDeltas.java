package io.github.buffercore.stress.broken;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.scenario.ExactDeltasScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * The {@link io.github.buffercore.stress.metrics.ExactDeltas ExactDeltas} test run against
 * {@link UnguardedDeltaBooks}: the binder's refresh without its monitor. This test is expected to FAIL;
 * the CI run ({@code StressRunner}) fails if it does not. Expected forbidden outcome: {@code 2}.
 */
@JCStressTest
@Outcome(id = "1", expect = ACCEPTABLE, desc = "The received bytes were counted exactly once.")
@Outcome(id = "2", expect = FORBIDDEN, desc = "Both refreshes added the same delta: the bytes counted twice.")
@Outcome(expect = FORBIDDEN, desc = "Any other count means a delta was lost or added in part.")
@State
public class BrokenExactDeltas {

  private final ExactDeltasScenario scenario = new ExactDeltasScenario(new UnguardedDeltaBooks());

  @Actor
  public void refreshA() {
    scenario.refresh();
  }

  @Actor
  public void refreshB() {
    scenario.refresh();
  }

  @Arbiter
  public void arbiter(J_Result r) {
    scenario.arbiter(r);
  }
}
