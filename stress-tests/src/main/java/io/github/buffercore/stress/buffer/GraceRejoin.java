package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.scenario.RegistryGrace;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * jcstress test of the {@code GraceRejoin} invariant (see the {@code io.github.buffercore} package
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
}
