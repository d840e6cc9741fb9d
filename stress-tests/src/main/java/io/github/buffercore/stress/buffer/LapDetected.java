package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.stress.broken.UncheckedRing;
import io.github.buffercore.stress.scenario.RingScenario;
import io.github.buffercore.stress.scenario.RingUnderTest;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * <b>{@code LapDetected}</b>: A reader whose unread position the writer has overwritten is always
 * told so: it is disconnected with {@link io.github.buffercore.SlowClientException} or moved
 * forward and counted, per its {@link io.github.buffercore.SlowClientPolicy}; it never reads on as
 * if nothing happened.
 *
 * <p>jcstress test of the {@code LapDetected} invariant of the stream buffer against the real
 * {@link io.github.buffercore.internal.BroadcastRing}, under {@link SlowClientPolicy#DISCONNECT}.
 *
 * <p>The writer publishes 32 bytes into a 16-byte ring while the reader reads at most one 8-byte
 * chunk ({@link RingScenario}). Whatever the interleaving, the reader ends at a position at most 8,
 * so by the time the arbiter reads again the writer has overwritten it: the arbiter's read must be
 * refused with {@link io.github.buffercore.SlowClientException}. r1 = the actor's read, r2 = the
 * arbiter's read.
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
public class LapDetected {

  private final RingScenario scenario =
      new RingScenario(RingUnderTest.Factory.REAL, SlowClientPolicy.DISCONNECT);

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
  public static class BrokenUncheckedRing {

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
}
