package io.github.buffercore.stress.broken;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.scenario.GraceUnderTest;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The {@link io.github.buffercore.stress.buffer.GraceRejoin GraceRejoin} test run against
 * {@link StaleRefCountGrace}: a grace expiry that disconnects on a stale "no clients" decision. This
 * test is expected to FAIL; the CI run ({@code StressRunner}) fails if it does not. Expected forbidden
 * outcome: {@code 1, 1} (the joiner attached to the stopped connection).
 */
@JCStressTest
@Outcome(id = "1, 0", expect = ACCEPTABLE,
    desc = "The joiner reused the running upstream: it joined before the expiry, or the expiry found a client.")
@Outcome(id = "2, 0", expect = ACCEPTABLE,
    desc = "The expiry stopped the idle stream between the leave and the join; the joiner started a new upstream.")
@Outcome(id = {"1, 1", "2, 1"}, expect = FORBIDDEN,
    desc = "The joiner is attached to a stopped upstream: the expiry acted on a stale 'no clients' decision.")
@Outcome(expect = FORBIDDEN, desc = "Anything else is not a possible result.")
@State
public class BrokenGraceRejoin {

  private final GraceUnderTest scenario = new StaleRefCountGrace(RaceWindow.SPIN);

  /** The last client leaves, then its grace period ends: the expiry follows the leave it times. */
  @Actor
  public void leaveThenExpire() {
    scenario.leave();
    scenario.expire();
  }

  @Actor
  public void rejoin() {
    scenario.rejoin();
  }

  @Arbiter
  public void arbiter(II_Result r) {
    scenario.arbiter(r);
  }
}
