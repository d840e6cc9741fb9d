package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.LoadOrStoreThenStore;
import io.github.buffercore.stress.broken.LockGapCreation;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.scenario.SingleCreationScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * <b>{@code SingleCreation}</b>: For one live playlist id the initializer runs exactly once however
 * many threads call {@code getOrCreate}; all of them receive the same instance, and none receives
 * it before it is fully initialized (settings set, working folder created). A failed initializer
 * stores nothing.
 *
 * <p>jcstress test of this invariant (the {@code io.github.buffercore} package documentation)
 * against the registry under test ({@link RegistryFactory#REAL}: buffer-core's, unless the kit is
 * pointed at another), built fresh for every state with a manual ticker and no scheduler.
 *
 * <p>Two requests for a playlist that does not exist yet race in {@code getOrCreate}; the second
 * also joins a client to a stream right after (the seed's {@code bufferingStream}). The registry holds
 * a pending placeholder while the initializer runs on the winning thread, so the loser waits for the
 * finished playlist instead of running the initializer again (the seed's lock gap) or receiving a
 * half-built one (the seed's {@code LoadOrStore}), and no blind store can wipe out the joined client.
 *
 * <p>Scenario and result columns: {@link SingleCreationScenario}. The nested classes run the same scenario
 * against broken variants, which this test must catch (the CI run fails if one passes).
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
public class SingleCreation {

  private final SingleCreationScenario scenario = new SingleCreationScenario(RegistryFactory.REAL);

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

  /**
   * Broken variant: {@link LockGapCreation}, the seed's "before": check under lock, unlock, initialize, lock, store. Must FAIL; expected forbidden outcome:
   * {@code 2, 2, 0, *}.
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
  public static class BrokenLockGapCreation {

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

  /**
   * Broken variant: {@link LoadOrStoreThenStore}, the seed's "after": LoadOrStore of an empty playlist, initialize, blind Store. Must FAIL; expected forbidden outcome:
   * {@code 1, 2, 1, *}.
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
  public static class BrokenLoadOrStoreThenStore {

    private final SingleCreationScenario scenario = new SingleCreationScenario((streamGrace, idleGrace, ticker) ->
        new LoadOrStoreThenStore(streamGrace, idleGrace, ticker, RaceWindow.SPIN));

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
}
