package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.scenario.IndexScenario;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

/**
 * jcstress test of the {@code IndexPointConsistent} invariant (see the {@code
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
}
