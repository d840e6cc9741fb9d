package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.broken.SketchDataPath;
import io.github.buffercore.stress.scenario.DataPath;
import io.github.buffercore.stress.scenario.DataPathUnderTest;
import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * <b>{@code StaleGenerationIgnored}</b>: A late report about an old generation of a stream (its
 * upstream failed, its grace timer fired, its tuner slot was lost) never removes a newer
 * generation of the same stream: every such event carries its generation and is ignored unless
 * that generation is the current one.
 *
 * <p>jcstress test of the {@code StaleGenerationIgnored} invariant (see the {@code
 * io.github.buffercore} package documentation) on the real data path (tuner limit 2, stream grace
 * 0, no reconnects). Stream {@code a} is playing. One actor cuts its upstream connection (the pump
 * fails and reports the failure of generation 1); the other ends the only client (stopping
 * generation 1) and starts {@code a} again, a new generation that waits for the old connection to
 * close. The old pump's failure report can arrive after the new generation is in the registry; it
 * must not remove it.
 *
 * <p>Columns: r1 = 1 if the restarted client's lease is still open when the actors are done; r2 = 1
 * if the registry has stream {@code a}. The grace-timer path is not raced here: a timer's event is
 * also checked for "idle, grace over", which a newer generation with a client never is, so only the
 * failure path can show the bug.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The new generation runs with its client, whenever the old one's failure was reported.")
@Outcome(id = {"0, 0", "0, 1", "1, 0"}, expect = FORBIDDEN, desc = "The old generation's failure removed the new generation (or its client).")
@Outcome(expect = FORBIDDEN, desc = "Anything else breaks StaleGenerationIgnored.")
@State
public class StaleGenerationIgnored {

  private final DataPathUnderTest path = new DataPath(2, Duration.ZERO, Duration.ofDays(1), 0L);
  private final AutoCloseable playing = path.playing("a");
  private AutoCloseable restarted;

  /** The upstream of generation 1 is cut: its pump fails and reports it. */
  @Actor
  public void cut() {
    path.probe().cut(1);
  }

  /** The client leaves (generation 1 stops) and starts the stream again (generation 2). */
  @Actor
  public void restart() {
    path.leave(playing);
    restarted = path.acquire("a");
  }

  @Arbiter
  public void arbiter(II_Result r) {
    r.r1 = path.isOpen(restarted) ? 1 : 0;
    r.r2 = path.generation("a") >= 0 ? 1 : 0;
    path.quiesceAndClose();
  }


  /**
   * The StaleGenerationIgnored test run against SketchDataPath with STALE_FAILURE_ACCEPTED: an
   * upstream failure removes the stream of that id without checking its generation (the bug of a
   * failure report keyed by stream id only). This test is expected to FAIL; the CI run
   * (StressRunner) fails if it does not. Expected forbidden outcome: 0, 0.
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The new generation runs with its client, whenever the old one's failure was reported.")
  @Outcome(id = {"0, 0", "0, 1", "1, 0"}, expect = FORBIDDEN, desc = "The old generation's failure removed the new generation (or its client).")
  @Outcome(expect = FORBIDDEN, desc = "Anything else breaks StaleGenerationIgnored.")
  @State
  public static class BrokenStaleFailure {

    private final DataPathUnderTest path = new SketchDataPath(SketchDataPath.Bug.STALE_FAILURE_ACCEPTED, 2, 0L);
    private final AutoCloseable playing = path.playing("a");
    private AutoCloseable restarted;

    /** The upstream of generation 1 is cut: its pump fails and reports it. */
    @Actor
    public void cut() {
      path.probe().cut(1);
    }

    /** The client leaves (generation 1 stops) and starts the stream again (generation 2). */
    @Actor
    public void restart() {
      path.leave(playing);
      restarted = path.acquire("a");
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = path.isOpen(restarted) ? 1 : 0;
      r.r2 = path.generation("a") >= 0 ? 1 : 0;
      path.quiesceAndClose();
    }

  }
}
