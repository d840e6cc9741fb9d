package io.github.buffercore.stress.broken;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.scenario.SingleCreationScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The {@link io.github.buffercore.stress.registry.SingleCreation SingleCreation} test run against
 * {@link LockGapCreation}: the seed's "before": check under lock, unlock, initialize, lock, store. This test is expected to FAIL; the CI run
 * ({@code StressRunner}) fails if it does not. Expected forbidden outcome: {@code 2, 2, 0, *}.
 *
 * <p>Two requests for a playlist that does not exist yet race in {@code getOrCreate}; the second
 * also joins a client to a stream right after (the seed's {@code bufferingStream}). The registry holds
 * a pending placeholder while the initializer runs on the winning thread, so the loser waits for the
 * finished playlist instead of running the initializer again (the seed's lock gap) or receiving a
 * half-built one (the seed's {@code LoadOrStore}), and no blind store can wipe out the joined client.
 */
@JCStressTest
@Outcome(id = "1, 1, 0, 1", expect = ACCEPTABLE,
    desc = "The initializer ran once, both callers got the one registered, fully initialized playlist, and the joined client is in it.")
@Outcome(id = "2, 2, 0, 1", expect = FORBIDDEN,
    desc = "Double creation: both callers saw no playlist and both ran the initializer (the seed's unlock-initialize-lock gap).")
@Outcome(id = "2, 2, 0, 0", expect = FORBIDDEN,
    desc = "Double creation, and the later store overwrote the playlist the client had joined: the client is lost.")
@Outcome(id = "1, 2, 1, 1", expect = FORBIDDEN,
    desc = "Half-built playlist visible: one caller received the empty placeholder before the initializer finished (the seed's LoadOrStore).")
@Outcome(id = "1, 2, 1, 0", expect = FORBIDDEN,
    desc = "Half-built playlist visible and the client that joined it was wiped out by the blind store of the initialized one.")
@Outcome(expect = FORBIDDEN,
    desc = "Any other combination breaks SingleCreation: more than one initializer run, more than one instance, a half-built instance seen, or a lost client.")
@State
public class BrokenSingleCreationLockGap {

  private final SingleCreationScenario scenario = new SingleCreationScenario((streamGrace, idleGrace, ticker) ->
      new LockGapCreation(streamGrace, idleGrace, ticker, RaceWindow.SPIN));

  @Actor
  public void creator(IIII_Result r) {
    scenario.creator();
  }

  @Actor
  public void joiner(IIII_Result r) {
    scenario.joiner();
  }

  @Arbiter
  public void arbiter(IIII_Result r) {
    scenario.arbiter(r);
  }
}
