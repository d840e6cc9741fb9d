package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.GetThenPutUpdate;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.scenario.NoLostUpdateScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * <b>{@code NoLostUpdate}</b>: Concurrent {@code update}s of one playlist are all applied, each to
 * the result of the one before.
 *
 * <p>jcstress test of this invariant (the {@code io.github.buffercore} package documentation)
 * against the registry under test ({@link RegistryFactory#REAL}: buffer-core's, unless the kit is
 * pointed at another), built fresh for every state with a manual ticker and no scheduler.
 *
 * <p>Two {@code update}s of one playlist each raise its tuner limit (1) by one. The registry's
 * update is a compare-and-set loop on the playlist instance, so the update that loses the race is
 * applied again to the winner's result; a get-then-put (the seed's {@code updatePlaylistAtomic}:
 * Load, change, Store) lets the second store discard the first update.
 *
 * <p>Scenario and result columns: {@link NoLostUpdateScenario}. The nested classes run the same scenario
 * against broken variants, which this test must catch (the CI run fails if one passes).
 */
@JCStressTest
@Outcome(id = "2, 3, 3", expect = ACCEPTABLE,
    desc = "Actor 1's update applied first (limit 2), actor 2's to its result (limit 3): both kept.")
@Outcome(id = "3, 2, 3", expect = ACCEPTABLE,
    desc = "Actor 2's update applied first (limit 2), actor 1's to its result (limit 3): both kept.")
@Outcome(id = "2, 2, 2", expect = FORBIDDEN,
    desc = "Lost update: both updates read limit 1 and wrote 2; one of them vanished.")
@Outcome(expect = FORBIDDEN,
    desc = "Any other combination means an update was lost, applied twice, or returned a result that is not what was stored.")
@State
public class NoLostUpdate {

  private final NoLostUpdateScenario scenario = new NoLostUpdateScenario(RegistryFactory.REAL);

  @Actor
  public void addTuner1(III_Result r) {
    r.r1 = scenario.addTuner();
  }

  @Actor
  public void addTuner2(III_Result r) {
    r.r2 = scenario.addTuner();
  }

  @Arbiter
  public void arbiter(III_Result r) {
    scenario.arbiter(r);
  }

  /**
   * Broken variant: {@link GetThenPutUpdate}, a get-then-put update (the seed's updatePlaylistAtomic). Must FAIL; expected forbidden outcome:
   * {@code 2, 2, 2}.
   */
  @JCStressTest
  @Outcome(id = "2, 3, 3", expect = ACCEPTABLE,
      desc = "Actor 1's update applied first (limit 2), actor 2's to its result (limit 3): both kept.")
  @Outcome(id = "3, 2, 3", expect = ACCEPTABLE,
      desc = "Actor 2's update applied first (limit 2), actor 1's to its result (limit 3): both kept.")
  @Outcome(id = "2, 2, 2", expect = FORBIDDEN,
      desc = "Lost update: both updates read limit 1 and wrote 2; one of them vanished.")
  @Outcome(expect = FORBIDDEN,
      desc = "Any other combination means an update was lost, applied twice, or returned a result that is not what was stored.")
  @State
  public static class BrokenGetThenPutUpdate {

    private final NoLostUpdateScenario scenario = new NoLostUpdateScenario((streamGrace, idleGrace, ticker) ->
        new GetThenPutUpdate(streamGrace, idleGrace, ticker, RaceWindow.SPIN));

    @Actor
    public void addTuner1(III_Result r) {
      r.r1 = scenario.addTuner();
    }

    @Actor
    public void addTuner2(III_Result r) {
      r.r2 = scenario.addTuner();
    }

    @Arbiter
    public void arbiter(III_Result r) {
      scenario.arbiter(r);
    }
  }
}
