package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.NonIdempotentClose;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.scenario.IdempotentReleaseScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * <b>{@code IdempotentRelease}</b>: Closing a lease any number of times, from any threads, removes
 * its client exactly once; client and tuner counts are exact and never negative.
 *
 * <p>jcstress test of this invariant (the {@code io.github.buffercore} package documentation)
 * against the registry under test ({@link RegistryFactory#REAL}: buffer-core's, unless the kit is
 * pointed at another), built fresh for every state with a manual ticker and no scheduler.
 *
 * <p>One lease is closed by two threads at once, and one of them then joins a second client to
 * the same stream. The registry's lease flips its released flag with a compare-and-set, so exactly one
 * close removes the client; a check-then-set flag lets both closes through and the stream counts one
 * client too few (negative when it was the last).
 *
 * <p>Scenario and result columns: {@link IdempotentReleaseScenario}. The nested classes run the same scenario
 * against broken variants, which this test must catch (the CI run fails if one passes).
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE,
    desc = "The client was removed exactly once; the stream has exactly the second client and holds one tuner.")
@Outcome(id = "0, 1, 1", expect = FORBIDDEN,
    desc = "Double release: both closes removed a client, so the second client is not counted (the count went to -1, then 0).")
@Outcome(expect = FORBIDDEN,
    desc = "Any other combination means a close was lost or applied twice, or a count is negative or wrong.")
@State
public class IdempotentRelease {

  private final IdempotentReleaseScenario scenario = new IdempotentReleaseScenario(RegistryFactory.REAL);

  @Actor
  public void close(III_Result r) {
    scenario.closeFirst();
  }

  @Actor
  public void closeAndJoin(III_Result r) {
    scenario.closeFirstAndJoin();
  }

  @Arbiter
  public void arbiter(III_Result r) {
    scenario.arbiter(r);
  }

  /**
   * Broken variant: {@link NonIdempotentClose}, a check-then-set (non-idempotent) lease close. Must FAIL; expected forbidden outcome:
   * {@code 0, 1, 1}.
   */
  @JCStressTest
  @Outcome(id = "1, 1, 1", expect = ACCEPTABLE,
      desc = "The client was removed exactly once; the stream has exactly the second client and holds one tuner.")
  @Outcome(id = "0, 1, 1", expect = FORBIDDEN,
      desc = "Double release: both closes removed a client, so the second client is not counted (the count went to -1, then 0).")
  @Outcome(expect = FORBIDDEN,
      desc = "Any other combination means a close was lost or applied twice, or a count is negative or wrong.")
  @State
  public static class BrokenNonIdempotentClose {

    private final IdempotentReleaseScenario scenario = new IdempotentReleaseScenario((streamGrace, idleGrace, ticker) ->
        new NonIdempotentClose(streamGrace, idleGrace, ticker, RaceWindow.SPIN));

    @Actor
    public void close(III_Result r) {
      scenario.closeFirst();
    }

    @Actor
    public void closeAndJoin(III_Result r) {
      scenario.closeFirstAndJoin();
    }

    @Arbiter
    public void arbiter(III_Result r) {
      scenario.arbiter(r);
    }
  }
}
