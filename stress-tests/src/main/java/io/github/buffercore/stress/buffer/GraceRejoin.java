package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.broken.StaleRefCountGrace;
import io.github.buffercore.stress.scenario.GraceUnderTest;
import io.github.buffercore.stress.scenario.RegistryGrace;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * <b>{@code GraceRejoin}</b>: A stream has at most one upstream per generation, started after the
 * change that started the stream and stopped after the change that removed it. A client that
 * rejoins a stream in its grace period reuses its running upstream; a grace expiry racing the
 * rejoin re-checks "no clients, same generation" in the removing compute, so a client is never
 * attached to a stopped upstream.
 *
 * <p>jcstress test of the {@code GraceRejoin} invariant (see the {@code io.github.buffercore} package
 * documentation) against the real registry with a data path.
 *
 * <p>The only client of a stream leaves and the grace expiry runs right after it (one actor, as a
 * timer fires after the leave it times), while a new client joins the same stream (the other actor;
 * jcstress schedules at most two actors on two cores). The registry re-checks "no clients, same generation, grace over" inside the
 * compute that removes the stream (the generation check of Reactor's {@code FluxRefCountGrace}), and
 * stops the upstream only after that compute. So the joiner either reuses the running upstream or, if
 * the expiry came between the leave and the join, starts a new one; it is never attached to an
 * upstream being stopped (RxJava #6185, dotnet/reactive #2215).
 */
@JCStressTest
@Outcome(id = "1, 0", expect = ACCEPTABLE,
    desc = "The joiner reused the running upstream: it joined before the expiry, or the expiry found a client.")
@Outcome(id = "2, 0", expect = ACCEPTABLE,
    desc = "The expiry stopped the idle stream between the leave and the join; the joiner started a new upstream.")
@Outcome(id = {"1, 1", "2, 1"}, expect = FORBIDDEN,
    desc = "The joiner is attached to a stopped upstream: the expiry acted on a stale 'no clients' decision.")
@Outcome(expect = FORBIDDEN, desc = "Anything else is not a possible result.")
@State
public class GraceRejoin {

  private final io.github.buffercore.stress.scenario.GraceUnderTest scenario = new RegistryGrace();

  /** The last client leaves, then its grace period ends: the expiry follows the leave it times. */
  @Actor
  public void leaveThenExpire() {
    scenario.leave();
    scenario.expire();
  }

  @Actor
  public void rejoin() {
    scenario.rejoin();
  }

  @Arbiter
  public void arbiter(II_Result r) {
    scenario.arbiter(r);
  }

  /**
   * The {@link io.github.buffercore.stress.buffer.GraceRejoin GraceRejoin} test run against
   * {@link StaleRefCountGrace}: a grace expiry that disconnects on a stale "no clients" decision. This
   * test is expected to FAIL; the CI run ({@code StressRunner}) fails if it does not. Expected forbidden
   * outcome: {@code 1, 1} (the joiner attached to the stopped connection).
   */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE,
      desc = "The joiner reused the running upstream: it joined before the expiry, or the expiry found a client.")
  @Outcome(id = "2, 0", expect = ACCEPTABLE,
      desc = "The expiry stopped the idle stream between the leave and the join; the joiner started a new upstream.")
  @Outcome(id = {"1, 1", "2, 1"}, expect = FORBIDDEN,
      desc = "The joiner is attached to a stopped upstream: the expiry acted on a stale 'no clients' decision.")
  @Outcome(expect = FORBIDDEN, desc = "Anything else is not a possible result.")
  @State
  public static class BrokenStaleRefCount {

    private final GraceUnderTest scenario = new StaleRefCountGrace(RaceWindow.SPIN);

    /** The last client leaves, then its grace period ends: the expiry follows the leave it times. */
    @Actor
    public void leaveThenExpire() {
      scenario.leave();
      scenario.expire();
    }

    @Actor
    public void rejoin() {
      scenario.rejoin();
    }

    @Arbiter
    public void arbiter(II_Result r) {
      scenario.arbiter(r);
    }
  }
}
