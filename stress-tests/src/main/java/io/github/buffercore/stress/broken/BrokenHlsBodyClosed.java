package io.github.buffercore.stress.broken;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.scenario.CountingBody;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The {@link io.github.buffercore.stress.buffer.HlsBodyClosed HlsBodyClosed} test run against
 * {@link CheckThenPublishSlot}. This test is expected to FAIL; the CI run ({@code StressRunner})
 * fails if it does not. Expected forbidden outcome: {@code 1, 0} (the reader went on with a body
 * that the close missed).
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE,
    desc = "The reader published first; close() found the body and closed it.")
@Outcome(id = "0, 1", expect = ACCEPTABLE,
    desc = "close() ran first; the reader saw the flag and closed the body itself.")
@Outcome(expect = FORBIDDEN,
    desc = "The connection was closed but the body it had received stayed open: a leaked upstream response.")
@State
public class BrokenHlsBodyClosed {

  private final CheckThenPublishSlot slot = new CheckThenPublishSlot();
  private final CountingBody body = new CountingBody();

  @Actor
  public void reader(II_Result r) {
    r.r1 = slot.publish(body) ? 1 : 0;
  }

  @Actor
  public void closer() {
    slot.close();
  }

  @Arbiter
  public void arbiter(II_Result r) {
    r.r2 = body.closed();
  }
}
