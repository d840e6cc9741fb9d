package io.github.buffercore.stress.broken;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.stress.scenario.RingScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The {@link io.github.buffercore.stress.buffer.LapDetected LapDetected} test run against {@link UncheckedRing}: a
 * ring without the sequence check. This test is expected to FAIL; the CI run ({@code StressRunner})
 * fails if it does not. Expected forbidden outcome: a read of overwritten bytes ({@code -1}).
 */
@JCStressTest
@Outcome(id = {"0, -2", "8, -2"}, expect = ACCEPTABLE,
    desc = "The reader read nothing or the first chunk intact; afterwards it was lapped and that was detected.")
@Outcome(id = "-2, -2", expect = ACCEPTABLE,
    desc = "The writer lapped the reader before or during its read; the lap was detected at once and stays reported.")
@Outcome(id = {"1, -2", "2, -2", "3, -2", "4, -2", "5, -2", "6, -2", "7, -2"}, expect = ACCEPTABLE,
    desc = "The reader read part of the first chunk, intact, as far as the writer had published; then it was lapped and that was detected.")
@Outcome(expect = FORBIDDEN,
    desc = "A lapped reader got data (the arbiter's read returned bytes, or a torn read -1): the lap went undetected.")
@State
public class BrokenLapDetected {

  private final RingScenario scenario =
      new RingScenario((capacity, policy) -> new UncheckedRing(capacity), SlowClientPolicy.DISCONNECT);

  @Actor
  public void writer() {
    scenario.write();
  }

  @Actor
  public void reader(II_Result r) {
    r.r1 = scenario.readOnce();
  }

  @Arbiter
  public void arbiter(II_Result r) {
    r.r2 = scenario.readOnce();
  }
}
