package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.CheckThenIncrementTuner;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.scenario.TunerLimitScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * <b>{@code TunerLimit}</b>: The streams of a playlist (tuners in use) never exceed its tuner
 * limit; when one tuner is left and two new streams race for it, exactly one starts and the other
 * gets {@link io.github.buffercore.TunerLimitExceededException} with nothing changed.
 *
 * <p>jcstress test of this invariant (the {@code io.github.buffercore} package documentation)
 * against the registry under test ({@link RegistryFactory#REAL}: buffer-core's, unless the kit is
 * pointed at another), built fresh for every state with a manual ticker and no scheduler.
 *
 * <p>Two clients start two different new streams of a playlist with one free tuner (limit 2, one
 * in use). The registry checks the limit and adds the stream in one compute, so exactly one starts and
 * the other gets {@code TunerLimitExceededException}; a check followed by a separate increment lets
 * both see the free tuner and both start. The third column is the most tuners in use at any time, as
 * the listener heard it (started minus stopped streams) and as the final snapshot shows, so a start
 * that a second defence (the tuner pool) undoes afterwards is still seen.
 *
 * <p>Scenario and result columns: {@link TunerLimitScenario}. The nested classes run the same scenario
 * against broken variants, which this test must catch (the CI run fails if one passes).
 */
@JCStressTest
@Outcome(id = "1, 0, 2", expect = ACCEPTABLE,
    desc = "Actor 1's stream took the last tuner; actor 2 was refused with TunerLimitExceededException.")
@Outcome(id = "0, 1, 2", expect = ACCEPTABLE,
    desc = "Actor 2's stream took the last tuner; actor 1 was refused with TunerLimitExceededException.")
@Outcome(id = "1, 1, 3", expect = FORBIDDEN,
    desc = "Tuner limit exceeded: both streams started, three tuners in use with a limit of two.")
@Outcome(id = {"1, 0, 3", "0, 1, 3"}, expect = FORBIDDEN,
    desc = "Tuner limit exceeded for a while: a third stream was running (the listener heard it start) before it was undone; one client was refused in the end.")
@Outcome(expect = FORBIDDEN,
    desc = "Any other combination breaks TunerLimit: both refused although a tuner was free, or a tuner count that does not match the streams started.")
@State
public class TunerLimit {

  private final TunerLimitScenario scenario = new TunerLimitScenario(RegistryFactory.REAL);

  @Actor
  public void start1(III_Result r) {
    r.r1 = scenario.start("channel-1");
  }

  @Actor
  public void start2(III_Result r) {
    r.r2 = scenario.start("channel-2");
  }

  @Arbiter
  public void arbiter(III_Result r) {
    scenario.arbiter(r);
  }

  /**
   * Broken variant: {@link CheckThenIncrementTuner}, a check-then-increment tuner limit. Must FAIL; expected forbidden outcome:
   * {@code 1, 1, 3}.
   */
  @JCStressTest
  @Outcome(id = "1, 0, 2", expect = ACCEPTABLE,
      desc = "Actor 1's stream took the last tuner; actor 2 was refused with TunerLimitExceededException.")
  @Outcome(id = "0, 1, 2", expect = ACCEPTABLE,
      desc = "Actor 2's stream took the last tuner; actor 1 was refused with TunerLimitExceededException.")
  @Outcome(id = "1, 1, 3", expect = FORBIDDEN,
      desc = "Tuner limit exceeded: both streams started, three tuners in use with a limit of two.")
  @Outcome(id = {"1, 0, 3", "0, 1, 3"}, expect = FORBIDDEN,
      desc = "Tuner limit exceeded for a while: a third stream was running (the listener heard it start) before it was undone; one client was refused in the end.")
  @Outcome(expect = FORBIDDEN,
      desc = "Any other combination breaks TunerLimit: both refused although a tuner was free, or a tuner count that does not match the streams started.")
  @State
  public static class BrokenCheckThenIncrementTuner {

    private final TunerLimitScenario scenario = new TunerLimitScenario((streamGrace, idleGrace, ticker) ->
        new CheckThenIncrementTuner(streamGrace, idleGrace, ticker, RaceWindow.SPIN));

    @Actor
    public void start1(III_Result r) {
      r.r1 = scenario.start("channel-1");
    }

    @Actor
    public void start2(III_Result r) {
      r.r2 = scenario.start("channel-2");
    }

    @Arbiter
    public void arbiter(III_Result r) {
      scenario.arbiter(r);
    }
  }
}
