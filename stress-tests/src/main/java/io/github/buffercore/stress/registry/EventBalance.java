package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.Ticker;
import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.NotifyAfterCompute;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.scenario.EventBalanceScenario;
import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * <b>{@code EventBalance}</b>: For every id the listener's events come in a legal order, also when
 * {@code close} races every other operation: no {@code PLAYLIST_REMOVED} without its
 * {@code PLAYLIST_CREATED}, no {@code STREAM_STOPPED} without its {@code STREAM_STARTED}, no
 * {@code CLIENT_LEFT} or {@code CLIENT_EVICTED} without its {@code CLIENT_JOINED}; each opening event
 * at most once before its closing one; nothing about a playlist, its streams or clients after its
 * {@code PLAYLIST_REMOVED} until it is created again, and no stream stopped or playlist removed with
 * a client still in it.
 *
 * <p>jcstress test of this invariant (the {@code io.github.buffercore} package documentation)
 * against the registry under test ({@link RegistryFactory#REAL}, built with a listener through
 * {@link RegistryFactory#create(Duration, Duration, Ticker.Manual, io.github.buffercore.RegistryListener)}),
 * fresh for every state with a manual ticker and no scheduler.
 *
 * <p>A viewer joins a new stream and leaves it while {@code close()} evicts every client, stops every
 * stream and removes the playlist. The registry records each compute's events inside the compute
 * and delivers them in that order, one listener call at a time, so whichever compute came first,
 * its events come first. Telling events after the compute on the caller's thread (buffer-core before
 * the fix, nested below as {@link BrokenNotifyAfterCompute}) lets the close's
 * {@code CLIENT_EVICTED}/{@code STREAM_STOPPED}/{@code PLAYLIST_REMOVED} overtake the join's
 * {@code STREAM_STARTED}/{@code CLIENT_JOINED}.
 *
 * <p>Scenario and result columns: {@link EventBalanceScenario}. The nested class runs the same scenario
 * against the broken variant, which this test must catch (the CI run fails if it passes).
 */
@JCStressTest
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE,
    desc = "The join came before the close: its events, then the close's (the viewer evicted or already left), all balanced.")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE,
    desc = "The close came first (or undid the join): the joiner was told the registry closed; every event in a legal order, all balanced.")
@Outcome(id = {"0, 1, 0", "0, 1, 1", "1, 1, 0", "1, 1, 1"}, expect = FORBIDDEN,
    desc = "An event about the playlist, its stream or client after its PLAYLIST_REMOVED (a join told after the close).")
@Outcome(id = {"0, 2, 0", "0, 2, 1", "1, 2, 0", "1, 2, 1"}, expect = FORBIDDEN,
    desc = "A closing event before its opening one: CLIENT_EVICTED before CLIENT_JOINED, STREAM_STOPPED before STREAM_STARTED.")
@Outcome(id = {"0, 3, 0", "0, 3, 1", "1, 3, 0", "1, 3, 1"}, expect = FORBIDDEN,
    desc = "An opening event twice before its closing one.")
@Outcome(id = {"0, 4, 0", "0, 4, 1", "1, 4, 0", "1, 4, 1"}, expect = FORBIDDEN,
    desc = "A stream stopped, or the playlist removed, while the listener still had a client or stream in it.")
@Outcome(id = {"0, 0, 1", "1, 0, 1"}, expect = FORBIDDEN,
    desc = "Unbalanced: a playlist, stream or client opened and never closed, though close() returned.")
@Outcome(expect = FORBIDDEN,
    desc = "Any other result breaks EventBalance.")
@State
public class EventBalance {

  private final EventBalanceScenario scenario = new EventBalanceScenario(listener ->
      RegistryFactory.REAL.create(Duration.ZERO, Duration.ofSeconds(60), Ticker.manual(), listener));

  @Actor
  public void joinAndLeave(III_Result r) {
    r.r1 = scenario.joinAndLeave();
  }

  @Actor
  public void closeRegistry(III_Result r) {
    scenario.close();
  }

  @Arbiter
  public void arbiter(III_Result r) {
    scenario.arbiter(r);
  }

  /**
   * Broken variant: {@link NotifyAfterCompute}, events told after the compute on the caller's
   * thread, in the caller's order (as buffer-core did before the fix). Must FAIL; expected forbidden
   * outcomes: {@code *, 2, 1} (the close's CLIENT_EVICTED before the join's CLIENT_JOINED, which then
   * leaves the client open) and {@code *, 1, 1} (the join told after PLAYLIST_REMOVED).
   */
  @JCStressTest
  @Outcome(id = "1, 0, 0", expect = ACCEPTABLE,
      desc = "The join came before the close: its events, then the close's (the viewer evicted or already left), all balanced.")
  @Outcome(id = "0, 0, 0", expect = ACCEPTABLE,
      desc = "The close came first (or undid the join): the joiner was told the registry closed; every event in a legal order, all balanced.")
  @Outcome(id = {"0, 1, 0", "0, 1, 1", "1, 1, 0", "1, 1, 1"}, expect = FORBIDDEN,
      desc = "An event about the playlist, its stream or client after its PLAYLIST_REMOVED (a join told after the close).")
  @Outcome(id = {"0, 2, 0", "0, 2, 1", "1, 2, 0", "1, 2, 1"}, expect = FORBIDDEN,
      desc = "A closing event before its opening one: CLIENT_EVICTED before CLIENT_JOINED, STREAM_STOPPED before STREAM_STARTED.")
  @Outcome(id = {"0, 3, 0", "0, 3, 1", "1, 3, 0", "1, 3, 1"}, expect = FORBIDDEN,
      desc = "An opening event twice before its closing one.")
  @Outcome(id = {"0, 4, 0", "0, 4, 1", "1, 4, 0", "1, 4, 1"}, expect = FORBIDDEN,
      desc = "A stream stopped, or the playlist removed, while the listener still had a client or stream in it.")
  @Outcome(id = {"0, 0, 1", "1, 0, 1"}, expect = FORBIDDEN,
      desc = "Unbalanced: a playlist, stream or client opened and never closed, though close() returned.")
  @Outcome(expect = FORBIDDEN,
      desc = "Any other result breaks EventBalance.")
  @State
  public static class BrokenNotifyAfterCompute {

    private final EventBalanceScenario scenario = new EventBalanceScenario(listener ->
        new NotifyAfterCompute(Duration.ZERO, Duration.ofSeconds(60), Ticker.manual(), RaceWindow.SPIN,
            listener));

    @Actor
    public void joinAndLeave(III_Result r) {
      r.r1 = scenario.joinAndLeave();
    }

    @Actor
    public void closeRegistry(III_Result r) {
      scenario.close();
    }

    @Arbiter
    public void arbiter(III_Result r) {
      scenario.arbiter(r);
    }
  }
}
