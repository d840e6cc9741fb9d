package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.internal.PrefixSharingList;
import io.github.buffercore.stress.broken.RaceWindow;
import io.github.buffercore.stress.broken.UnclaimedAppendList;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * <b>{@code AppendClaimsItsSlot}</b>: Two lists appended from the same list never see each other's
 * element: an append writes into the shared array's spare slot only after claiming it with a
 * compare-and-set of the claimed count from its own size, and copies otherwise.
 *
 * <p>jcstress test of this invariant (the {@code io.github.buffercore.internal} package
 * documentation) on the real {@link PrefixSharingList}, the list of a stream's clients and of a
 * ring's readers: a one-element list with spare capacity (its array is shared), and two threads that
 * each append their own element to it, as two computes that built a state from the same state would.
 * r1 = the last element of the first thread's list (1 is its own), r2 = that of the second's (2 is
 * its own), r3 = the first element of both, added (0 + 0: the shared prefix is intact).
 */
@JCStressTest
@Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "Each list ends with its own element over the intact prefix: one shared the array, the other copied.")
@Outcome(id = {"2, 2, 0", "1, 1, 0"}, expect = FORBIDDEN, desc = "A list ends with the other list's element: both appends wrote the same shared slot.")
@Outcome(expect = FORBIDDEN, desc = "Anything else breaks AppendClaimsItsSlot.")
@State
public class AppendClaimsItsSlot {

  private static final Integer ZERO = 0;
  private static final Integer ONE = 1;
  private static final Integer TWO = 2;

  private final PrefixSharingList<Integer> base = PrefixSharingList.<Integer>empty().append(ZERO);
  private PrefixSharingList<Integer> first;
  private PrefixSharingList<Integer> second;

  @Actor
  public void appendOne() {
    first = base.append(ONE);
  }

  @Actor
  public void appendTwo() {
    second = base.append(TWO);
  }

  @Arbiter
  public void arbiter(III_Result r) {
    r.r1 = first.get(1);
    r.r2 = second.get(1);
    r.r3 = first.get(0) + second.get(0);
  }

  /**
   * Broken variant: {@link UnclaimedAppendList}, whose append checks the claimed count and then
   * stores it, two steps. Must FAIL; expected forbidden outcomes: {@code 2, 2, 0} or {@code 1, 1, 0}
   * (one list ends with the other's element).
   */
  @JCStressTest
  @Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "Each list ends with its own element over the intact prefix: one shared the array, the other copied.")
  @Outcome(id = {"2, 2, 0", "1, 1, 0"}, expect = FORBIDDEN, desc = "A list ends with the other list's element: both appends wrote the same shared slot.")
  @Outcome(expect = FORBIDDEN, desc = "Anything else breaks AppendClaimsItsSlot.")
  @State
  public static class BrokenUnclaimedAppend {

    private final UnclaimedAppendList base = UnclaimedAppendList.of(ZERO, RaceWindow.SPIN);
    private UnclaimedAppendList first;
    private UnclaimedAppendList second;

    @Actor
    public void appendOne() {
      first = base.append(ONE);
    }

    @Actor
    public void appendTwo() {
      second = base.append(TWO);
    }

    @Arbiter
    public void arbiter(III_Result r) {
      r.r1 = (Integer) first.get(1);
      r.r2 = (Integer) second.get(1);
      r.r3 = (Integer) first.get(0) + (Integer) second.get(0);
    }
  }
}
