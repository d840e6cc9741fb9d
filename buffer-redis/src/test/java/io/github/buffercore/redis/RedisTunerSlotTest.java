package io.github.buffercore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The slot's state machine ({@code SingleExit} in {@code package-info.java}) without Redis: HELD is
 * left exactly once, the side effect of that exit runs once, the loss action at most once and never
 * once the slot was closed first.
 */
class RedisTunerSlotTest {

  /** Records the side effects; runs a handed-over loss action on the calling thread. */
  static final class Recorder implements SlotOwner {
    final AtomicInteger releases = new AtomicInteger();
    final AtomicInteger losses = new AtomicInteger();
    final List<String> reasons = new CopyOnWriteArrayList<>();

    @Override
    public long leaseTtlMillis() {
      return 1000;
    }

    @Override
    public void release(RedisTunerSlot slot) {
      releases.incrementAndGet();
    }

    @Override
    public void lost(RedisTunerSlot slot, String reason, Consumer<String> action) {
      losses.incrementAndGet();
      reasons.add(reason);
      if (action != null) {
        slot.runLossAction(action, reason);
      }
    }
  }

  private final Recorder owner = new Recorder();

  private RedisTunerSlot slot(long deadlineNanos) {
    return new RedisTunerSlot(owner, "provider", "ch-1", "node-a:1", 42, deadlineNanos);
  }

  private RedisTunerSlot fresh() {
    return slot(System.nanoTime() + TimeUnit.MINUTES.toNanos(1));
  }

  @Test
  void closeFirstReleasesOnceAndNoLossFollows() {
    RedisTunerSlot slot = fresh();
    List<String> actions = new CopyOnWriteArrayList<>();
    slot.onLost(actions::add);
    slot.close();
    slot.close();
    assertThat(slot.lose("late")).isFalse();
    slot.onLost(actions::add);
    assertThat(owner.releases).hasValue(1);
    assertThat(owner.losses).hasValue(0);
    assertThat(actions).isEmpty();
    assertThat(slot.isHeld()).isFalse();
  }

  @Test
  void lossFirstRunsTheActionOnceAndCloseReleasesNothing() {
    RedisTunerSlot slot = fresh();
    List<String> actions = new CopyOnWriteArrayList<>();
    slot.onLost(actions::add);
    assertThat(slot.lose("it is gone")).isTrue();
    assertThat(slot.lose("again")).isFalse();
    slot.close();
    assertThat(owner.releases).hasValue(0);
    assertThat(owner.losses).hasValue(1);
    assertThat(actions).singleElement().asString()
        .contains("provider", "ch-1", "node-a:1", "42", "it is gone");
    List<String> afterClose = new CopyOnWriteArrayList<>();
    slot.onLost(afterClose::add);
    assertThat(afterClose).as("never after close()").isEmpty();
  }

  @Test
  void anActionRegisteredAfterTheLossRunsAtOnce() {
    RedisTunerSlot slot = fresh();
    slot.lose("expired");
    List<String> actions = new CopyOnWriteArrayList<>();
    slot.onLost(actions::add);
    assertThat(actions).singleElement().asString().contains("expired");
  }

  @Test
  void pastItsDeadlineASlotIsNotHeldAndReportsTheLoss() {
    RedisTunerSlot slot = slot(System.nanoTime() - 1);
    assertThat(slot.isHeld()).isFalse();
    assertThat(owner.losses).hasValue(1);
    assertThat(owner.reasons).singleElement().asString()
        .contains("not renewed within the lease TTL of 1000 ms");
  }

  @Test
  void aLateRenewalNeverMovesTheDeadlineBack() {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    RedisTunerSlot slot = slot(deadline);
    slot.extendTo(deadline + 10);
    slot.extendTo(deadline - 10);
    assertThat(slot.state().deadlineNanos()).isEqualTo(deadline + 10);
    slot.close();
    slot.extendTo(deadline + 20);
    assertThat(slot.state().deadlineNanos()).isEqualTo(deadline + 10);
  }

  @Test
  void closeRacingLossLeavesHeldExactlyOnce() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      int rounds = 5_000;
      for (int round = 0; round < rounds; round++) {
        Recorder recorder = new Recorder();
        RedisTunerSlot slot = new RedisTunerSlot(recorder, "provider", "ch-" + round, "node-a:" + round,
            round, System.nanoTime() + TimeUnit.MINUTES.toNanos(1));
        AtomicInteger actions = new AtomicInteger();
        slot.onLost(reason -> actions.incrementAndGet());
        CyclicBarrier start = new CyclicBarrier(2);
        CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
          await(start);
          slot.close();
        }, threads);
        CompletableFuture<Void> loser = CompletableFuture.runAsync(() -> {
          await(start);
          slot.lose("raced");
        }, threads);
        CompletableFuture.allOf(closer, loser).get(10, TimeUnit.SECONDS);
        assertThat(recorder.releases.get() + recorder.losses.get()).as("exits in round " + round)
            .isEqualTo(1);
        // A loss that wins runs its action unless close() came in between: never after close().
        assertThat(actions.get()).as("loss actions in round " + round)
            .isLessThanOrEqualTo(recorder.losses.get());
        assertThat(slot.state().phase()).isEqualTo(RedisTunerSlot.Phase.CLOSED);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
