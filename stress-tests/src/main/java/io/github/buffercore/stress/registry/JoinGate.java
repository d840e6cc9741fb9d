package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.CheckThenJoinGate;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.scenario.GateUnderTest;
import io.github.buffercore.stress.scenario.RegistryGate;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * <b>{@code JoinGate}</b>: A join to a stream that is running and has a client of its own takes a
 * slot in the stream's join gate with one compare-and-set instead of a compute, and a gate member's
 * leave frees its slot the same way; every compute that may remove a client or a stream first
 * closes the gates it touches and takes their members in as clients, so each join and leave through
 * a gate lands either before the close (and the compute sees it) or not at all (and it goes through
 * the compute): no stream is removed, and no client lost or kept, because of a gate.
 *
 * <p>jcstress test of this invariant (the {@code io.github.buffercore} package documentation) on
 * the real registry ({@link RegistryFactory#REAL}, no listener, stream grace 0): stream {@code a}
 * has its anchor (joined through the compute) and a gate member; one thread joins a new client and
 * then lets the member leave while the other lets the anchor leave (two actors: the machine has two
 * cores). Scenario and columns: {@link GateUnderTest}.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The stream has exactly the joiner, whose lease is open.")
@Outcome(id = {"-1, 1", "0, 1"}, expect = FORBIDDEN, desc = "The joiner holds an open lease that no state counts (joined a closed gate).")
@Outcome(id = "2, 1", expect = FORBIDDEN, desc = "A client that left is still counted (its gate leave was lost).")
@Outcome(expect = FORBIDDEN, desc = "Anything else breaks JoinGate.")
@State
public class JoinGate {

  private final GateUnderTest gate = new RegistryGate(RegistryFactory.REAL);

  @Actor
  public void joinThenLeaveMember() {
    gate.join();
    gate.leaveMember();
  }

  @Actor
  public void leaveAnchor() {
    gate.leaveAnchor();
  }

  @Arbiter
  public void arbiter(II_Result r) {
    gate.arbiter(r);
  }

  /**
   * Broken variant: {@link CheckThenJoinGate}, a gate whose join checks "open" and then adds the
   * member, two steps. Must FAIL; expected forbidden outcome: {@code -1, 1} (the stream removed,
   * the joiner in a gate nobody reads).
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The stream has exactly the joiner, whose lease is open.")
  @Outcome(id = {"-1, 1", "0, 1"}, expect = FORBIDDEN, desc = "The joiner holds an open lease that no state counts (joined a closed gate).")
  @Outcome(id = "2, 1", expect = FORBIDDEN, desc = "A client that left is still counted (its gate leave was lost).")
  @Outcome(expect = FORBIDDEN, desc = "Anything else breaks JoinGate.")
  @State
  public static class BrokenCheckThenJoin {

    private final GateUnderTest gate = new CheckThenJoinGate(RaceWindow.SPIN);

    @Actor
    public void joinThenLeaveMember() {
      gate.join();
      gate.leaveMember();
    }

    @Actor
    public void leaveAnchor() {
      gate.leaveAnchor();
    }

    @Arbiter
    public void arbiter(II_Result r) {
      gate.arbiter(r);
    }
  }
}
