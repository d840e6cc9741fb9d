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
 * <b>{@code StoppedNeverOpens}</b>: A stream stopped before its upstream started (removed by a
 * cleanup, a failure or close() between the change that started it and the start itself) never
 * opens an upstream: the start finds it stopped and does nothing.
 *
 * <p>jcstress test of the {@code StoppedNeverOpens} invariant (see the {@code io.github.buffercore}
 * package documentation) on the real data path. The playlist exists; one actor starts stream {@code
 * a} (its start, the tuner admission and the upstream open, runs after the compute that added the
 * stream), while the other runs a cleanup that finds every client stale (the ticker moves a second
 * per reading, staleAfter is a nanosecond, stream grace 0), so if it sees {@code a} it evicts the
 * client and stops the stream, possibly before its start ran.
 *
 * <p>Columns: r1 = 1 if the registry still has stream {@code a} when the actors are done, else 0;
 * r2 = connections a pump read from that nobody stopped (see ProbeUpstream#unstopped), counted
 * after the arbiter ends every read and closes the registry. A stream the registry removed must not
 * leave such a connection.
 */
@JCStressTest
@Outcome(id = {"1, 0", "1, 1"}, expect = ACCEPTABLE, desc = "The cleanup came first and found no client; the stream runs (until the arbiter closes the registry).")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The cleanup stopped the stream: before its start (nothing opened) or after it (the upstream was stopped).")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "The stream was removed, yet an upstream was opened for it that nobody stopped.")
@Outcome(expect = FORBIDDEN, desc = "Anything else breaks StoppedNeverOpens.")
@State
public class StoppedNeverOpens {

  private final DataPathUnderTest path = new DataPath(1, Duration.ZERO, Duration.ofNanos(1), 0L);

  {
    path.create();
  }

  /** Starts stream {@code a}. */
  @Actor
  public void start() {
    path.acquire("a");
  }

  /** A cleanup pass: every client it sees is stale. */
  @Actor
  public void cleanup() {
    path.cleanup();
  }

  @Arbiter
  public void arbiter(II_Result r) {
    r.r1 = path.generation("a") >= 0 ? 1 : 0;
    path.quiesceAndClose();
    r.r2 = path.probe().unstopped();
  }


  /**
   * The StoppedNeverOpens test run against SketchDataPath with START_IGNORES_STOP: the start opens
   * the upstream without checking that the stream is still wanted (the bug of a start that does not
   * move from NEW to RUNNING atomically). This test is expected to FAIL; the CI run (StressRunner)
   * fails if it does not. Expected forbidden outcome: 0, 1.
   */
  @JCStressTest
  @Outcome(id = {"1, 0", "1, 1"}, expect = ACCEPTABLE, desc = "The cleanup came first and found no client; the stream runs (until the arbiter closes the registry).")
  @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The cleanup stopped the stream: before its start (nothing opened) or after it (the upstream was stopped).")
  @Outcome(id = "0, 1", expect = FORBIDDEN, desc = "The stream was removed, yet an upstream was opened for it that nobody stopped.")
  @Outcome(expect = FORBIDDEN, desc = "Anything else breaks StoppedNeverOpens.")
  @State
  public static class BrokenStartIgnoresStop {

    private final DataPathUnderTest path = new SketchDataPath(SketchDataPath.Bug.START_IGNORES_STOP, 1, 0L);

    {
      path.create();
    }

    /** Starts stream {@code a}. */
    @Actor
    public void start() {
      path.acquire("a");
    }

    /** A cleanup pass: every client it sees is stale. */
    @Actor
    public void cleanup() {
      path.cleanup();
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = path.generation("a") >= 0 ? 1 : 0;
      path.quiesceAndClose();
      r.r2 = path.probe().unstopped();
    }

  }
}
