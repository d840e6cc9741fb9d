package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.broken.CheckBeforePublishRing;
import io.github.buffercore.stress.scenario.RingWakeUp;
import io.github.buffercore.stress.scenario.WakeUpUnderTest;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * <b>{@code NoLostWakeUp}</b>: A reader waiting for data (parked in read, or with a readiness
 * callback armed) is woken by the write that makes it readable: the reader registers, then re-
 * checks the tail; the writer publishes the tail, then checks for registered readers (both
 * sequentially consistent, the Dekker pattern), so at least one of them sees the other.
 *
 * <p>jcstress test of the {@code NoLostWakeUp} invariant (see the {@code
 * io.github.buffercore.internal} package documentation) on the real BroadcastRing (RingWakeUp): a
 * caught-up reader arms its readiness callback while the writer writes one packet. The callback
 * must run exactly once.
 *
 * <p>Why the callback and not a parked read: a parked reader whose wake-up is lost is not stuck for
 * good, it re-checks the tail when its park times out and returns the data late; telling "late"
 * from "lost" needs a time threshold. The callback has no timeout, so a lost wake-up is a plain 0
 * here, and both forms share the writer's one check after its tail store. See stress-
 * tests/README.md on what this cannot catch (the ring's fences on x86).
 */
@JCStressTest
@Outcome(id = "1", expect = ACCEPTABLE, desc = "The reader was woken once: by its own re-check or by the writer.")
@Outcome(id = "0", expect = FORBIDDEN, desc = "Lost wake-up: data was published and the armed reader was never told.")
@Outcome(expect = FORBIDDEN, desc = "Anything else (woken twice) breaks NoLostWakeUp.")
@State
public class NoLostWakeUp {

  private final WakeUpUnderTest ring = new RingWakeUp();

  @Actor
  public void arm() {
    ring.arm();
  }

  @Actor
  public void publish() {
    ring.publish();
  }

  @Arbiter
  public void arbiter(I_Result r) {
    r.r1 = ring.woken();
  }


  /**
   * The NoLostWakeUp test run against CheckBeforePublishRing: the writer looks for armed readers
   * before it publishes the tail, so a reader arming in between is never woken. This test is
   * expected to FAIL; the CI run (StressRunner) fails if it does not. Expected forbidden outcome:
   * 0.
   */
  @JCStressTest
  @Outcome(id = "1", expect = ACCEPTABLE, desc = "The reader was woken once: by its own re-check or by the writer.")
  @Outcome(id = "0", expect = FORBIDDEN, desc = "Lost wake-up: data was published and the armed reader was never told.")
  @Outcome(expect = FORBIDDEN, desc = "Anything else (woken twice) breaks NoLostWakeUp.")
  @State
  public static class BrokenCheckBeforePublish {

    private final WakeUpUnderTest ring = new CheckBeforePublishRing();

    @Actor
    public void arm() {
      ring.arm();
    }

    @Actor
    public void publish() {
      ring.publish();
    }

    @Arbiter
    public void arbiter(I_Result r) {
      r.r1 = ring.woken();
    }

  }
}
