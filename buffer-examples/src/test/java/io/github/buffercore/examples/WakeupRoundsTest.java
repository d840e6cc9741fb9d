package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The rounds on an executor that holds its tasks until the test runs them, so each step of a round is
 * taken in a known order.
 */
class WakeupRoundsTest {

  /** Queues tasks; refuses them while {@code refusing}. */
  private static final class HeldExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();
    boolean refusing;

    @Override
    public void execute(Runnable task) {
      if (refusing) {
        throw new RejectedExecutionException("stopping");
      }
      tasks.add(task);
    }
  }

  @Test
  void itemsQueuedBeforeARoundRunsShareOneTaskAndAreWokenInOrder() {
    HeldExecutor executor = new HeldExecutor();
    List<String> woken = new ArrayList<>();
    WakeupRounds<String> rounds = new WakeupRounds<>(executor, new ConcurrentLinkedQueue<>(), woken::add);

    assertThat(rounds.add("a")).isTrue();
    assertThat(rounds.add("b")).isTrue();
    assertThat(rounds.add("c")).isTrue();

    assertThat(executor.tasks).hasSize(1);
    assertThat(woken).isEmpty();
    executor.tasks.poll().run();
    assertThat(woken).containsExactly("a", "b", "c");
  }

  @Test
  void anItemQueuedWhileARoundDrainsIsWokenByThatRoundOrTheNext() {
    HeldExecutor executor = new HeldExecutor();
    List<String> woken = new ArrayList<>();
    AtomicReference<WakeupRounds<String>> self = new AtomicReference<>();
    // Waking "a" queues "b", as a pump woken by one round may park and be woken again at once.
    self.set(new WakeupRounds<>(executor, new ConcurrentLinkedQueue<>(), item -> {
      woken.add(item);
      if (item.equals("a")) {
        self.get().add("b");
      }
    }));

    self.get().add("a");
    executor.tasks.poll().run();

    // The round was marked unscheduled before it drained, so adding "b" scheduled a round of its own;
    // the running round also found "b" in the queue. Either way "b" is woken, and the extra round
    // finds nothing left.
    assertThat(woken).containsExactly("a", "b");
    assertThat(executor.tasks).hasSize(1);
    executor.tasks.poll().run();
    assertThat(woken).containsExactly("a", "b");
    assertThat(executor.tasks).isEmpty();
  }

  @Test
  void aRefusedRoundIsReportedAndALaterAddAsksAgain() {
    HeldExecutor executor = new HeldExecutor();
    List<String> woken = new ArrayList<>();
    WakeupRounds<String> rounds = new WakeupRounds<>(executor, new ConcurrentLinkedQueue<>(), woken::add);

    executor.refusing = true;
    assertThat(rounds.add("refused")).isFalse();
    assertThat(executor.tasks).isEmpty();

    executor.refusing = false;
    assertThat(rounds.add("later")).isTrue();
    assertThat(executor.tasks).hasSize(1);
    executor.tasks.poll().run();
    // The refused item stayed queued; the next round that runs wakes it too.
    assertThat(woken).containsExactly("refused", "later");
  }
}
