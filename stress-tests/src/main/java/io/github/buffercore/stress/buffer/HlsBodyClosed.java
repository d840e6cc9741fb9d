package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.internal.hls.BodySlot;
import io.github.buffercore.stress.broken.CheckThenPublishSlot;
import io.github.buffercore.stress.scenario.CountingBody;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * <b>{@code HlsBodyClosed}</b>: Once a connection's {@code close()} has returned and its reader has
 * published an HTTP body (a playlist, key or segment response), that body is closed, whichever
 * happened first: closing an HLS connection never leaves an upstream HTTP response open. The reader
 * publishes the body before it reads the flag; {@code close()} sets the flag before it reads the
 * body.
 *
 * <p>jcstress test of the {@code HlsBodyClosed} invariant (package documentation of
 * {@code io.github.buffercore.internal.hls}) against the real {@link BodySlot} of an HLS connection:
 * the reader publishes the HTTP response it just received while another thread closes the
 * connection. r1 = whether the reader was told the slot is open (1) or closed (0), r2 = whether the
 * body ended up closed.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE,
    desc = "The reader published first; close() found the body and closed it.")
@Outcome(id = "0, 1", expect = ACCEPTABLE,
    desc = "close() ran first; the reader saw the flag and closed the body itself.")
@Outcome(expect = FORBIDDEN,
    desc = "The connection was closed but the body it had received stayed open: a leaked upstream response.")
@State
public class HlsBodyClosed {

  private final BodySlot slot = new BodySlot();
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
  public static class BrokenCheckThenPublish {

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
}
