package io.github.buffercore.stress.metrics;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.micrometer.BufferCoreMetrics;
import io.github.buffercore.stress.broken.UnguardedDeltaBooks;
import io.github.buffercore.stress.scenario.ExactDeltasScenario;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * <b>{@code ExactDeltas}</b>: However many threads refresh a binder at once (scrapes, registry
 * events, {@code monitor}), each byte, connection and lap that a stream generation's stats counted
 * up to a refresh is added to the stats-fed counters exactly once: the snapshot, the "last seen"
 * stats and the counter increments of one refresh form one pass under the binder's monitor. Proven
 * by the jcstress test {@code metrics.ExactDeltas} in {@code stress-tests}, which catches {@code
 * BrokenExactDeltas} (the same pass without the monitor: both threads add the same delta).
 *
 * <p>jcstress test of the {@code ExactDeltas} invariant (see the {@code io.github.buffercore.micrometer}
 * package documentation) against the real {@link BufferCoreMetrics}.
 *
 * <p>Two threads refresh one binder at once over a stream whose stats stay at
 * {@link ExactDeltasScenario#BYTES} received bytes. The binder computes each delta against the stats it
 * saw last and stores the new ones in one pass under its monitor, so the bytes are added once; a
 * refresh that reads "last seen" and stores "now" in two unguarded steps lets both threads add them.
 */
@JCStressTest
@Outcome(id = "1", expect = ACCEPTABLE, desc = "The received bytes were counted exactly once.")
@Outcome(id = "2", expect = FORBIDDEN, desc = "Both refreshes added the same delta: the bytes counted twice.")
@Outcome(expect = FORBIDDEN, desc = "Any other count means a delta was lost or added in part.")
@State
public class ExactDeltas {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final BufferCoreMetrics metrics = BufferCoreMetrics.builder().build();
  private final ExactDeltasScenario scenario;

  /** Binds a fresh binder; it does not monitor the registry until the actors run. */
  public ExactDeltas() {
    metrics.bindTo(meters);
    scenario = new ExactDeltasScenario(new ExactDeltasScenario.Books() {
      @Override
      public void monitor(PlaylistRegistry registry) {
        metrics.monitor(registry);
      }

      @Override
      public SimpleMeterRegistry meters() {
        return meters;
      }
    });
  }

  @Actor
  public void refreshA() {
    scenario.refresh();
  }

  @Actor
  public void refreshB() {
    scenario.refresh();
  }

  @Arbiter
  public void arbiter(J_Result r) {
    scenario.arbiter(r);
  }

  /**
   * The {@link io.github.buffercore.stress.metrics.ExactDeltas ExactDeltas} test run against
   * {@link UnguardedDeltaBooks}: the binder's refresh without its monitor. This test is expected to FAIL;
   * the CI run ({@code StressRunner}) fails if it does not. Expected forbidden outcome: {@code 2}.
   */
  @JCStressTest
  @Outcome(id = "1", expect = ACCEPTABLE, desc = "The received bytes were counted exactly once.")
  @Outcome(id = "2", expect = FORBIDDEN, desc = "Both refreshes added the same delta: the bytes counted twice.")
  @Outcome(expect = FORBIDDEN, desc = "Any other count means a delta was lost or added in part.")
  @State
  public static class BrokenUnguardedBooks {

    private final ExactDeltasScenario scenario = new ExactDeltasScenario(new UnguardedDeltaBooks());

    @Actor
    public void refreshA() {
      scenario.refresh();
    }

    @Actor
    public void refreshB() {
      scenario.refresh();
    }

    @Arbiter
    public void arbiter(J_Result r) {
      scenario.arbiter(r);
    }
  }
}
