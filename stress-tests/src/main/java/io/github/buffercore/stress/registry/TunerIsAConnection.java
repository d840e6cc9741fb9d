package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.scenario.ConnectionLimitScenario;
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
}
