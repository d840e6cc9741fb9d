package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.broken.UnlockedIndex;
import io.github.buffercore.stress.scenario.IndexScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

/**
 * <b>{@code IndexPointConsistent}</b>: A query of the {@link
 * io.github.buffercore.internal.ts.RandomAccessIndex} returns an entry as the writer added it,
 * whole (its position with its own media time, PSI counters and tables, never fields of two
 * entries), and only while it is in the index: never an entry that a {@code dropBefore} (the ring's
 * oldest intact position) or the bounded ring of entries had already removed when the query began.
 * Every method holds the index's monitor for a few array accesses; nothing else is shared.
 *
 * <p>jcstress test of the {@code IndexPointConsistent} invariant (see the {@code
 * io.github.buffercore.internal.ts} package documentation) against the real {@link
 * io.github.buffercore.internal.ts.RandomAccessIndex}: a joining reader's query races the writer's add
 * (evicting the oldest entry) and drop ({@link IndexScenario}). The reader must get one whole entry.
 */
@JCStressTest
@Outcome(id = "100, 1, 1", expect = ACCEPTABLE, desc = "The query ran before the add: the oldest entry, whole.")
@Outcome(id = "200, 2, 2", expect = ACCEPTABLE,
    desc = "The query ran between the add (which evicted 100) and the drop.")
@Outcome(id = "300, 3, 3", expect = ACCEPTABLE, desc = "The query ran after the drop: the only entry left.")
@Outcome(expect = FORBIDDEN, desc = "Torn entry (fields of two entries), or no entry although one was always there.")
@State
public class IndexPointConsistent {

  private final IndexScenario scenario = new IndexScenario(IndexScenario.IndexUnderTest::real);

  @Actor
  public void writer() {
    scenario.write();
  }

  @Actor
  public void reader(JJJ_Result r) {
    long[] point = scenario.join();
    r.r1 = point[0];
    r.r2 = point[1];
    r.r3 = point[2];
  }

  /**
   * The {@link io.github.buffercore.stress.buffer.IndexPointConsistent IndexPointConsistent} test run against
   * {@link UnlockedIndex}: the index without its lock. This test is expected to FAIL; the CI run ({@code
   * StressRunner}) fails if it does not. Expected forbidden outcomes: a torn entry such as {@code 300, 1,
   * 1} or {@code 100, 3, 3}.
   */
  @JCStressTest
  @Outcome(id = "100, 1, 1", expect = ACCEPTABLE, desc = "The query ran before the add: the oldest entry, whole.")
  @Outcome(id = "200, 2, 2", expect = ACCEPTABLE,
      desc = "The query ran between the add (which evicted 100) and the drop.")
  @Outcome(id = "300, 3, 3", expect = ACCEPTABLE, desc = "The query ran after the drop: the only entry left.")
  @Outcome(expect = FORBIDDEN, desc = "Torn entry (fields of two entries), or no entry although one was always there.")
  @State
  public static class BrokenUnlockedIndex {

    private final IndexScenario scenario = new IndexScenario(UnlockedIndex::new);

    @Actor
    public void writer() {
      scenario.write();
    }

    @Actor
    public void reader(JJJ_Result r) {
      long[] point = scenario.join();
      r.r1 = point[0];
      r.r2 = point[1];
      r.r3 = point[2];
    }
  }
}
