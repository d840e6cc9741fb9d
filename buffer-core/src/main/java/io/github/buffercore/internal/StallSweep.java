package io.github.buffercore.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The writer-side half of cleanup that frees stalled viewers without their cooperation, and the
 * registry's own daemon thread that runs cleanup when the embedder gave no scheduler.
 *
 * <p>Why from the writer's side: a viewer whose player froze, or whose connection is half open, never
 * calls {@code read} again (its HTTP thread is stuck in a socket write, or its non-blocking stack
 * stopped asking), so a lap or a stall noticed only on the next read is never noticed. Each pass
 * compares each reader's published position with the writer's and records the result on the lease;
 * the cleanup compute that follows decides the eviction, so an eviction is released exactly once
 * (the state holds the lease until that compute) and a tuner is freed only by the same compute that
 * removes the stream's last client.
 */
final class StallSweep {

  private StallSweep() { }

  /**
   * Records each reader's progress of {@code state} on its lease (see {@link Lease#sweep}). A client
   * that joins after this read is young, so the compute keeps it whatever the sweep saw.
   *
   * @param state the playlist state about to be cleaned up
   * @param now the time of the pass
   * @return {@code true}, so a caller can chain it before its own checks
   */
  static boolean sweep(PlaylistState state, long now) {
    for (StreamState stream : state.streamArray()) {
      for (Lease lease : stream.viewers()) { // the join gate's members too
        lease.sweep(now);
      }
    }
    return true;
  }

  /**
   * A single daemon thread for periodic cleanup and the data plane's timers, owned by one registry;
   * cancelled tasks are removed at once and nothing runs after shutdown.
   *
   * @return the scheduler, to be shut down by the registry's close
   */
  static ScheduledThreadPoolExecutor ownScheduler() {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "buffer-core-sweep");
      thread.setDaemon(true); // never keeps an embedder's JVM alive
      return thread;
    });
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    scheduler.setRemoveOnCancelPolicy(true);
    return scheduler;
  }

  /** Runs {@code pass} every {@code interval} on {@code scheduler}, the first after one interval. */
  static ScheduledFuture<?> every(ScheduledExecutorService scheduler, Duration interval, Runnable pass) {
    long period = interval.toNanos();
    return scheduler.scheduleWithFixedDelay(pass, period, period, TimeUnit.NANOSECONDS);
  }

  /** Stops the registry's own scheduler, if it has one. */
  static void shutdown(ScheduledThreadPoolExecutor own) {
    if (own != null) {
      own.shutdownNow();
    }
  }
}
