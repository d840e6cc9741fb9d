package io.github.buffercore.stress.buffer;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.Ticker;
import io.github.buffercore.internal.BroadcastRing;
import io.github.buffercore.internal.WakeBatch;
import io.github.buffercore.stress.broken.CheckThenArmBatch;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * <b>{@code BatchedWakeup}</b>: A reader parked for its wake batch ({@code WakeBatch}) is woken
 * exactly once when its batch becomes due, also when the publication that makes it due races the
 * registration of its callback.
 *
 * <p>jcstress test of the {@code BatchedWakeup} invariant of the stream buffer against the real
 * {@link BroadcastRing} with a batch of 8 bytes and a delay that never passes (a manual ticker that
 * does not move). The reader has received its first byte (so the first-delivery rule is spent); then
 * the writer publishes 8 bytes (the batch is due) while the reader's consumer registers its readiness
 * callback. r1 = how many times the callback ran.
 */
@JCStressTest
@Outcome(id = "1", expect = ACCEPTABLE, desc = "The callback ran once: by the registration's re-check or by the writer.")
@Outcome(id = "0", expect = FORBIDDEN, desc = "Lost wake-up: the batch is due and nobody ran the callback.")
@Outcome(expect = FORBIDDEN, desc = "The callback ran more than once.")
@State
public class BatchedWakeup {

  private static final int BATCH = 8;
  private static final byte[] BYTES = new byte[BATCH];

  private final BroadcastRing ring = new BroadcastRing("stress", "batched", 64, SlowClientPolicy.SKIP, 0, false);
  private final StreamReader reader;
  private final AtomicInteger runs = new AtomicInteger();

  /** A ring with a batched reader that has had its first delivery. */
  public BatchedWakeup() {
    ring.batchWakeups(WakeBatch.of(BATCH, Duration.ofDays(1), Ticker.manual()));
    reader = ring.newReader();
    ring.write(BYTES, 0, 1);
    if (reader.poll(new byte[BATCH], 0, BATCH) != 1) {
      throw new IllegalStateException("the reader did not get its first byte");
    }
  }

  @Actor
  public void writer() {
    ring.write(BYTES, 0, BATCH);
  }

  @Actor
  public void consumer() {
    reader.onReadable(runs::incrementAndGet);
  }

  @Arbiter
  public void arbiter(I_Result r) {
    r.r1 = runs.get();
  }

  /**
   * The {@link BatchedWakeup} test run against {@link CheckThenArmBatch}: the reader checks whether
   * its batch is due before it registers its callback. This test is expected to FAIL; the CI run
   * ({@code StressRunner}) fails if it does not. Expected forbidden outcome: a lost wake-up ({@code 0}).
   */
  @JCStressTest
  @Outcome(id = "1", expect = ACCEPTABLE, desc = "The callback ran once: by the registration's check or by the writer.")
  @Outcome(id = "0", expect = FORBIDDEN, desc = "Lost wake-up: the batch is due and nobody ran the callback.")
  @Outcome(expect = FORBIDDEN, desc = "The callback ran more than once.")
  @State
  public static class BrokenCheckThenArm {

    private final CheckThenArmBatch ring = new CheckThenArmBatch(BATCH);
    private final AtomicInteger runs = new AtomicInteger();

    @Actor
    public void writer() {
      ring.write(BATCH);
    }

    @Actor
    public void consumer() {
      ring.onReadable(runs::incrementAndGet);
    }

    @Arbiter
    public void arbiter(I_Result r) {
      r.r1 = runs.get();
    }
  }
}
