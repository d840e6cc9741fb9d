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
 * <b>{@code LastLeaveStops}</b>: With a stream grace of 0, the last client's leave stops the
 * stream's upstream: when the last two clients leave at once, exactly one leave is the last, it
 * removes the stream and stops its upstream; the stream is never left running without clients,
 * nor removed with its upstream still open.
 *
 * <p>jcstress test of the {@code LastLeaveStops} invariant (see the {@code io.github.buffercore}
 * package documentation) on the real data path: stream {@code a} has two clients and its upstream
 * is open; both leave at once.
 *
 * <p>Columns: r1 = 1 if the registry still has stream {@code a}; r2 = connections a pump read from
 * that nobody stopped (see ProbeUpstream#unstopped), counted after the arbiter ends every read and
 * closes the registry.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The last leave removed the stream and stopped its upstream.")
@Outcome(id = {"1, 0", "1, 1"}, expect = FORBIDDEN, desc = "No leave was the last: the stream runs on without clients.")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "The stream was removed but its upstream was never stopped.")
@Outcome(expect = FORBIDDEN, desc = "Anything else breaks LastLeaveStops.")
@State
public class LastLeaveStops {

  private final DataPathUnderTest path = new DataPath(1, Duration.ZERO, Duration.ofDays(1), 0L);
  private final AutoCloseable first = path.playing("a");
  private final AutoCloseable second = path.acquire("a");

  @Actor
  public void leaveFirst() {
    path.leave(first);
  }

  @Actor
  public void leaveSecond() {
    path.leave(second);
  }

  @Arbiter
  public void arbiter(II_Result r) {
    r.r1 = path.generation("a") >= 0 ? 1 : 0;
    path.quiesceAndClose();
    r.r2 = path.probe().unstopped();
  }


  /**
   * The LastLeaveStops test run against SketchDataPath with LAST_LEAVE_KEEPS_UPSTREAM: the last
   * leave removes the stream from the table but does not stop its upstream (an orphan pump holding
   * a connection, and a tuner, for nobody). This test is expected to FAIL; the CI run
   * (StressRunner) fails if it does not. Expected forbidden outcome: 0, 1.
   */
  @JCStressTest
  @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The last leave removed the stream and stopped its upstream.")
  @Outcome(id = {"1, 0", "1, 1"}, expect = FORBIDDEN, desc = "No leave was the last: the stream runs on without clients.")
  @Outcome(id = "0, 1", expect = FORBIDDEN, desc = "The stream was removed but its upstream was never stopped.")
  @Outcome(expect = FORBIDDEN, desc = "Anything else breaks LastLeaveStops.")
  @State
  public static class BrokenForgetsUpstream {

    private final DataPathUnderTest path = new SketchDataPath(SketchDataPath.Bug.LAST_LEAVE_KEEPS_UPSTREAM, 1, 0L);
    private final AutoCloseable first = path.playing("a");
    private final AutoCloseable second = path.acquire("a");

    @Actor
    public void leaveFirst() {
      path.leave(first);
    }

    @Actor
    public void leaveSecond() {
      path.leave(second);
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = path.generation("a") >= 0 ? 1 : 0;
      path.quiesceAndClose();
      r.r2 = path.probe().unstopped();
    }

  }
}
