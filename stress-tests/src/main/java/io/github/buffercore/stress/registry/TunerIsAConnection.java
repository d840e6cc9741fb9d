package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.TunerPool;
import io.github.buffercore.TunerSlot;
import io.github.buffercore.stress.scenario.ConnectionLimitScenario;
import java.util.function.Consumer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * jcstress test of the {@code TunerIsAConnection} invariant (see the {@code io.github.buffercore}
 * package documentation): the upstream connections of a playlist open at once, an open in progress
 * included, never exceed its tuner limit; a slot returns to the pool only when the connection that
 * held it has closed. Run on the real data path, with the registry's default pool: with a limit of 1,
 * one viewer ends channel {@code a} while another starts channel {@code b}.
 *
 * <p>Scenario and result columns: {@link ConnectionLimitScenario}. The same scenario runs against
 * {@code BrokenTunerIsAConnection} (a pool that frees the slot when the registry decides to stop),
 * which this test must catch.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE,
    desc = "b started after a's connection had closed: never more than one connection open.")
@Outcome(id = "1, 0", expect = ACCEPTABLE,
    desc = "b came while a was still playing and was refused; one connection at most.")
@Outcome(id = "2, 1", expect = FORBIDDEN,
    desc = "b's connection opened while a's was still open: two connections with a limit of one.")
@Outcome(expect = FORBIDDEN, desc = "Any other result breaks TunerIsAConnection.")
@State
public class TunerIsAConnection {

  private final ConnectionLimitScenario scenario = new ConnectionLimitScenario(null);

  @Actor
  public void stopPlaying() {
    scenario.stopPlaying();
  }

  @Actor
  public void startOther(II_Result r) {
    r.r2 = scenario.startOther();
  }

  @Arbiter
  public void arbiter(II_Result r) {
    r.r1 = scenario.arbiter();
  }

  /**
   * The {@link io.github.buffercore.stress.registry.TunerIsAConnection TunerIsAConnection} test run
   * with a pool that releases on decision: it admits whatever the registry's state change decided, so a
   * stopped stream's slot is free the moment its stream leaves the state, while its connection is
   * still closing (the bug of the first tuner pool). This test is expected to FAIL; the CI run
   * ({@code StressRunner}) fails if it does not. Expected forbidden outcome: {@code 2, 1}.
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE,
      desc = "b started after a's connection had closed: never more than one connection open.")
  @Outcome(id = "1, 0", expect = ACCEPTABLE,
      desc = "b came while a was still playing and was refused; one connection at most.")
  @Outcome(id = "2, 1", expect = FORBIDDEN,
      desc = "b's connection opened while a's was still open: two connections with a limit of one.")
  @Outcome(expect = FORBIDDEN, desc = "Any other result breaks TunerIsAConnection.")
  @State
  public static class BrokenTunerIsAConnection {

    /** Admits every request: the slot count is the registry's decision, not the open connections. */
    static final TunerPool RELEASE_ON_DECISION = request -> new TunerSlot() {
      private volatile boolean held = true;

      @Override
      public String playlistId() {
        return request.playlistId();
      }

      @Override
      public String streamId() {
        return request.streamId();
      }

      @Override
      public long fencingToken() {
        return 1;
      }

      @Override
      public boolean isHeld() {
        return held;
      }

      @Override
      public void onLost(Consumer<String> action) {
        // never lost
      }

      @Override
      public void close() {
        held = false;
      }
    };

    private final ConnectionLimitScenario scenario = new ConnectionLimitScenario(RELEASE_ON_DECISION);

    @Actor
    public void stopPlaying() {
      scenario.stopPlaying();
    }

    @Actor
    public void startOther(II_Result r) {
      r.r2 = scenario.startOther();
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = scenario.arbiter();
    }
  }
}
