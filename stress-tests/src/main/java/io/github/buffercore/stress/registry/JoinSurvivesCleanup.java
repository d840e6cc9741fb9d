package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.scenario.JoinSurvivesCleanupScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * jcstress test of the {@code JoinSurvivesCleanup} invariant (see the {@code io.github.buffercore} package
 * documentation) against the real registry, built fresh for every state with a manual ticker and no
 * scheduler.
 *
 * <p>A playlist without streams has been idle past {@code idleGrace} (manual ticker), so cleanup
 * would remove it; a client joins it at the same moment. The registry's cleanup decides removal inside
 * the same atomic compute that removes, re-checking the current state: either cleanup runs first
 * (the join then finds no playlist) or the join runs first (the playlist now has a stream and is
 * kept). The seed's cleanup reads the playlist, decides it is empty, then deletes the key
 * unconditionally, removing a client that joined in between.
 *
 * <p>Scenario and result columns: {@link JoinSurvivesCleanupScenario}. The same scenario runs against a broken
 * variant in {@code io.github.buffercore.stress.broken}, which this test must catch.
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
}
