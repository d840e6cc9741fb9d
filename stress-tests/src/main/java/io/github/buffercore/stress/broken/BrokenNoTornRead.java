package io.github.buffercore.stress.broken;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.stress.scenario.RingScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The {@link io.github.buffercore.stress.buffer.NoTornRead NoTornRead} test run against {@link UncheckedRing}: a
 * ring without the sequence check. This test is expected to FAIL; the CI run ({@code StressRunner})
 * fails if it does not. Expected forbidden outcome: a read of overwritten bytes ({@code -1}).
 */
@JCStressTest
@Outcome(id = "0", expect = ACCEPTABLE,
    desc = "The reader found nothing to read: before the first write, or it was lapped and skipped to the live edge.")
@Outcome(id = {"1", "2", "3", "4", "5", "6", "7", "8"}, expect = ACCEPTABLE,
    desc = "The reader got bytes, each with the value of the chunk at its absolute position: no torn or overwritten data.")
@Outcome(id = "-1", expect = FORBIDDEN,
    desc = "Torn read: a byte returned for a position held a later chunk's value; the overwrite went undetected.")
@Outcome(expect = FORBIDDEN, desc = "Anything else is not a result a poll can give.")
@State
public class BrokenNoTornRead {

  private final RingScenario scenario = new RingScenario((capacity, policy) -> new UncheckedRing(capacity), SlowClientPolicy.SKIP);

  @Actor
  public void writer() {
    scenario.write();
  }

  @Actor
  public void reader(I_Result r) {
    r.r1 = scenario.readOnce();
  }
}
