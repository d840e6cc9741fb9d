package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.broken.UnconditionalRemoveCleanup;
import io.github.buffercore.stress.scenario.JoinSurvivesCleanupScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * <b>{@code JoinSurvivesCleanup}</b>: A client whose {@code acquire} returned is in the registry
 * until its lease is closed or it goes stale; a concurrent {@code cleanup} never removes it, its
 * stream or its playlist.
 *
 * <p>jcstress test of this invariant (the {@code io.github.buffercore} package documentation)
 * against the registry under test ({@link RegistryFactory#REAL}: buffer-core's, unless the kit is
 * pointed at another), built fresh for every state with a manual ticker and no scheduler.
 *
 * <p>A playlist without streams has been idle past {@code idleGrace} (manual ticker), so cleanup
 * would remove it; a client joins it at the same moment. The registry's cleanup decides removal inside
 * the same atomic compute that removes, re-checking the current state: either cleanup runs first
 * (the join then finds no playlist) or the join runs first (the playlist now has a stream and is
 * kept). The seed's cleanup reads the playlist, decides it is empty, then deletes the key
 * unconditionally, removing a client that joined in between.
 *
 * <p>Scenario and result columns: {@link JoinSurvivesCleanupScenario}. The nested classes run the same scenario
 * against broken variants, which this test must catch (the CI run fails if one passes).
 */
@JCStressTest
@Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE,
    desc = "The join came first: the cleanup saw the new stream and removed nothing; the client is in the registry.")
@Outcome(id = "0, 1, -1, 0", expect = ACCEPTABLE,
    desc = "The cleanup came first and removed the idle playlist; the join then got PlaylistNotFoundException and holds no lease.")
@Outcome(id = "1, 1, -1, 1", expect = FORBIDDEN,
    desc = "Joined client removed: the join returned a lease, yet the cleanup removed the playlist with the client in it.")
@Outcome(expect = FORBIDDEN,
    desc = "Any other combination is an inconsistent order of join and cleanup (a removed playlist that still counts, a client counted twice, a refused join that left a client).")
@State
public class JoinSurvivesCleanup {

  private final JoinSurvivesCleanupScenario scenario = new JoinSurvivesCleanupScenario(RegistryFactory.REAL);

  @Actor
  public void join(IIII_Result r) {
    r.r1 = scenario.join();
  }

  @Actor
  public void cleanup(IIII_Result r) {
    r.r2 = scenario.cleanup();
  }

  @Arbiter
  public void arbiter(IIII_Result r) {
    scenario.arbiter(r);
  }

  /**
   * Broken variant: {@link UnconditionalRemoveCleanup}, the seed's cleanup: read, decide empty, unconditional Delete. Must FAIL; expected forbidden outcome:
   * {@code 1, 1, -1, 1}.
   */
  @JCStressTest
  @Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE,
      desc = "The join came first: the cleanup saw the new stream and removed nothing; the client is in the registry.")
  @Outcome(id = "0, 1, -1, 0", expect = ACCEPTABLE,
      desc = "The cleanup came first and removed the idle playlist; the join then got PlaylistNotFoundException and holds no lease.")
  @Outcome(id = "1, 1, -1, 1", expect = FORBIDDEN,
      desc = "Joined client removed: the join returned a lease, yet the cleanup removed the playlist with the client in it.")
  @Outcome(expect = FORBIDDEN,
      desc = "Any other combination is an inconsistent order of join and cleanup (a removed playlist that still counts, a client counted twice, a refused join that left a client).")
  @State
  public static class BrokenUnconditionalRemoveCleanup {

    private final JoinSurvivesCleanupScenario scenario = new JoinSurvivesCleanupScenario((streamGrace, idleGrace, ticker) ->
        new UnconditionalRemoveCleanup(streamGrace, idleGrace, ticker, RaceWindow.SPIN));

    @Actor
    public void join(IIII_Result r) {
      r.r1 = scenario.join();
    }

    @Actor
    public void cleanup(IIII_Result r) {
      r.r2 = scenario.cleanup();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      scenario.arbiter(r);
    }
  }
}
