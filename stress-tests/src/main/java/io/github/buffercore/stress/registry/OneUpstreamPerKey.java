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
 * <b>{@code OneUpstreamPerKey}</b>: One stream key (playlist and stream id) never has two upstream
 * connections open at once, across generations: a new generation of a stream opens its upstream
 * only after the previous generation's connection has closed (an open in progress and a close in
 * progress count as open), however much room the tuner pool has.
 *
 * <p>jcstress test of the {@code OneUpstreamPerKey} invariant (see the {@code io.github.buffercore}
 * package documentation) on the real data path. The tuner limit is 2, so the tuner pool never holds
 * the new generation back: only the registry's wait for the previous generation does. Stream {@code
 * a} is playing (its only client, stream grace 0); one actor ends it, which stops its upstream,
 * whose close takes 3 ms (a FIN or TLS close_notify round trip); the other, once the leave has
 * removed the stream from the registry, starts {@code a} again (a new generation, whose start races
 * the old generation's stop and close) and ends it. The new generation must wait for the old
 * connection to close.
 *
 * <p>Columns: r1 = the most connections of key {@code p/a} open at once (counted from the start of
 * {@code open} to the end of {@code close}); r2 = connections opened (2: the old and the new
 * generation's).
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The restart's own leave stopped its generation before that opened an upstream.")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "A new generation, opened after the old connection had closed.")
@Outcome(id = "2, 2", expect = FORBIDDEN, desc = "The new generation opened while the old connection was still open.")
@Outcome(expect = FORBIDDEN, desc = "Anything else breaks OneUpstreamPerKey.")
@State
public class OneUpstreamPerKey {

  private final DataPathUnderTest path = new DataPath(2, Duration.ZERO, Duration.ofDays(1), 3_000_000L);
  private final AutoCloseable playing = path.playing("a");
  private final long first = path.generation("a");

  /** The only client of {@code a} leaves: its upstream stops. */
  @Actor
  public void stopPlaying() {
    path.leave(playing);
  }

  /** Once the leave removed {@code a}, a client starts it again (a new generation), then leaves. */
  @Actor
  public void restart() {
    while (path.generation("a") == first) {
      Thread.onSpinWait(); // the leave's change first: the race is the old stop against the new start
    }
    path.leave(path.acquire("a"));
  }

  @Arbiter
  public void arbiter(II_Result r) {
    path.quiesceAndClose();
    r.r1 = path.probe().maxOpenPerKey();
    r.r2 = path.probe().opened();
  }


  /**
   * The OneUpstreamPerKey test run against SketchDataPath with NO_WAIT_FOR_PREVIOUS: a new
   * generation opens its upstream as soon as it is started, without waiting for the previous
   * generation's connection to close (the bug of a registry that only counts tuners). This test is
   * expected to FAIL; the CI run (StressRunner) fails if it does not. Expected forbidden outcome:
   * 2, 2.
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The restart's own leave stopped its generation before that opened an upstream.")
  @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "A new generation, opened after the old connection had closed.")
  @Outcome(id = "2, 2", expect = FORBIDDEN, desc = "The new generation opened while the old connection was still open.")
  @Outcome(expect = FORBIDDEN, desc = "Anything else breaks OneUpstreamPerKey.")
  @State
  public static class BrokenNoWait {

    private final DataPathUnderTest path =
        new SketchDataPath(SketchDataPath.Bug.NO_WAIT_FOR_PREVIOUS, 2, 3_000_000L);
    private final AutoCloseable playing = path.playing("a");
    private final long first = path.generation("a");

    /** The only client of {@code a} leaves: its upstream stops. */
    @Actor
    public void stopPlaying() {
      path.leave(playing);
    }

    /** Once the leave removed {@code a}, a client starts it again (a new generation), then leaves. */
    @Actor
    public void restart() {
      while (path.generation("a") == first) {
        Thread.onSpinWait(); // the leave's change first: the race is the old stop against the new start
      }
      path.leave(path.acquire("a"));
    }

    @Arbiter
    public void arbiter(II_Result r) {
      path.quiesceAndClose();
      r.r1 = path.probe().maxOpenPerKey();
      r.r2 = path.probe().opened();
    }

  }
}
