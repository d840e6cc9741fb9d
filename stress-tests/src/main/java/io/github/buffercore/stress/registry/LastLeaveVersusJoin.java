package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.BlindLastLeave;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.scenario.LastLeaveVersusJoinScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * <b>{@code LastLeaveVersusJoin}</b>: When the last client of a stream leaves while another joins
 * it, the stream either stays with the joiner in it or is removed and started again for the joiner
 * (a new generation); it is never removed with a client in it.
 *
 * <p>jcstress test of this invariant (the {@code io.github.buffercore} package documentation)
 * against the registry under test ({@link RegistryFactory#REAL}: buffer-core's, unless the kit is
 * pointed at another), built fresh for every state with a manual ticker and no scheduler.
 *
 * <p>The only client of a stream leaves ({@code streamGrace} 0, so the stream stops with it) while
 * a new client joins the same stream (one tuner). The registry decides both in one compute each:
 * either the join comes first (the stream is kept, with the joiner) or the leave comes first (the
 * stream stops and the joiner starts it again, a new generation). A release that reads "last client",
 * then removes the stream unconditionally removes it with the joiner inside.
 *
 * <p>Scenario and result columns: {@link LastLeaveVersusJoinScenario}. The nested classes run the same scenario
 * against broken variants, which this test must catch (the CI run fails if one passes).
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE,
    desc = "The join came first: the stream was kept, same generation, with the joiner as its only client.")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE,
    desc = "The leave came first: the stream stopped and the joiner started it again as a new generation.")
@Outcome(id = "-1, -1, 1", expect = FORBIDDEN,
    desc = "Stream removed with a client in it: the joiner holds a lease on a stream that no longer exists.")
@Outcome(expect = FORBIDDEN,
    desc = "Any other combination breaks LastLeaveVersusJoin: a wrong client count, a refused join although the tuner was free, or a stream kept with no client and grace 0.")
@State
public class LastLeaveVersusJoin {

  private final LastLeaveVersusJoinScenario scenario = new LastLeaveVersusJoinScenario(RegistryFactory.REAL);

  @Actor
  public void leave(III_Result r) {
    scenario.leave();
  }

  @Actor
  public void join(III_Result r) {
    r.r3 = scenario.join();
  }

  @Arbiter
  public void arbiter(III_Result r) {
    scenario.arbiter(r);
  }

  /**
   * Broken variant: {@link BlindLastLeave}, a release that reads "last client" and then removes the stream unconditionally. Must FAIL; expected forbidden outcome:
   * {@code -1, -1, 1}.
   */
  @JCStressTest
  @Outcome(id = "1, 1, 1", expect = ACCEPTABLE,
      desc = "The join came first: the stream was kept, same generation, with the joiner as its only client.")
  @Outcome(id = "1, 0, 1", expect = ACCEPTABLE,
      desc = "The leave came first: the stream stopped and the joiner started it again as a new generation.")
  @Outcome(id = "-1, -1, 1", expect = FORBIDDEN,
      desc = "Stream removed with a client in it: the joiner holds a lease on a stream that no longer exists.")
  @Outcome(expect = FORBIDDEN,
      desc = "Any other combination breaks LastLeaveVersusJoin: a wrong client count, a refused join although the tuner was free, or a stream kept with no client and grace 0.")
  @State
  public static class BrokenBlindLastLeave {

    private final LastLeaveVersusJoinScenario scenario = new LastLeaveVersusJoinScenario((streamGrace, idleGrace, ticker) ->
        new BlindLastLeave(streamGrace, idleGrace, ticker, RaceWindow.SPIN));

    @Actor
    public void leave(III_Result r) {
      scenario.leave();
    }

    @Actor
    public void join(III_Result r) {
      r.r3 = scenario.join();
    }

    @Arbiter
    public void arbiter(III_Result r) {
      scenario.arbiter(r);
    }
  }
}
