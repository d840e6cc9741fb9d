package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.stress.broken.UncheckedRing;
import io.github.buffercore.stress.scenario.RingScenario;
import io.github.buffercore.stress.scenario.RingUnderTest;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * <b>{@code NoTornRead}</b>: Every byte a reader receives is the byte the writer published at that
 * absolute position: a copy that raced an overwrite is discarded, never returned (tail intent
 * published before the bytes, validated after the copy).
 *
 * <p>jcstress test of the {@code NoTornRead} invariant of the stream buffer (see the
 * {@code io.github.buffercore.internal} package documentation) against the real
 * {@link io.github.buffercore.internal.BroadcastRing}.
 *
 * <p>A reader copies from a 16-byte ring while the writer wraps it twice ({@link RingScenario}).
 * The ring announces every overwrite (tail intent) before it stores a byte and the reader validates
 * the intent after its copy, so a copy that raced an overwrite is thrown away and, under
 * {@link SlowClientPolicy#SKIP}, the reader moves forward. A ring without that check hands the reader
 * bytes of a later chunk as if they were the ones it asked for.
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
public class NoTornRead {

  private final RingScenario scenario = new RingScenario(RingUnderTest.Factory.REAL, SlowClientPolicy.SKIP);

  @Actor
  public void writer() {
    scenario.write();
  }

  @Actor
  public void reader(I_Result r) {
    r.r1 = scenario.readOnce();
  }

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
  public static class BrokenUncheckedRing {

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
}
