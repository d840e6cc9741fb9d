package io.github.buffercore.examples;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Readiness callbacks run in rounds: one executor task wakes every item queued since the previous
 * round. A publication (or the batch flush) wakes many viewers of a stream at once on the writer's
 * thread; handing each its own task would cost a task and a wake-up of the executor's thread (a
 * selector wake-up or a futex call) per viewer, a round costs one per executor and round. The stacks
 * keep one per event loop (Netty) or per shard of the pool (Jetty).
 *
 * <p>Thread-safe: {@link #add} may be called from any thread; {@code wake} runs on the executor, one
 * round at a time, so it must not block.
 *
 * @param <T> what a round wakes (a stack's stream pump)
 */
public final class WakeupRounds<T> implements Runnable {

  private final Executor executor;
  private final Queue<T> due;
  private final Consumer<? super T> wake;
  /** A round is queued on the executor and has not started draining. */
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /**
   * Creates the rounds of one executor.
   *
   * @param executor runs the rounds
   * @param due an empty, unbounded queue that takes offers from many threads and polls from one
   * @param wake what a round does with each item, on the executor
   */
  public WakeupRounds(Executor executor, Queue<T> due, Consumer<? super T> wake) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.due = Objects.requireNonNull(due, "due");
    this.wake = Objects.requireNonNull(wake, "wake");
  }

  /**
   * Queues an item for the next round, and schedules that round unless one is already scheduled.
   *
   * @param item what to wake
   * @return {@code false} if the executor refused the round (it is stopping); the item stays queued
   *     and is woken only if a later add gets a round scheduled, so the caller says so with its ids
   */
  public boolean add(T item) {
    due.offer(item);
    if (scheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this);
      } catch (RejectedExecutionException stopped) {
        scheduled.set(false); // a later add asks again rather than waiting for a round that never runs
        return false;
      }
    }
    return true;
  }

  /** One round: wakes every item queued so far. */
  @Override
  public void run() {
    // Cleared before draining: an item queued after this point schedules the next round itself.
    scheduled.set(false);
    T item;
    while ((item = due.poll()) != null) {
      wake.accept(item);
    }
  }
}
