package io.github.buffercore.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of a registry's data plane (one pump thread per running upstream, one timer thread
 * unless the caller gave a scheduler) and where the registry gets its stream data paths from: the
 * only link from the registry to {@link SharedStream}, so the registry implementation names no
 * data-plane class.
 */
final class DataPlane {

  private static final Logger LOG = LoggerFactory.getLogger("io.github.buffercore.PlaylistRegistry");

  private final ExecutorService pumpThreads;
  private final ScheduledExecutorService ownTimers;
  private final ScheduledExecutorService timers;

  /**
   * @param data how streams run, or {@code null} for a registry without upstream (no threads)
   * @param scheduler the caller's scheduler, or {@code null}
   */
  DataPlane(StreamDataConfig data, ScheduledExecutorService scheduler) {
    if (data != null) {
      this.pumpThreads = Executors.newCachedThreadPool(daemonThreads("buffer-core-pump"));
      if (scheduler == null) {
        ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, daemonThreads("buffer-core-timer"));
        own.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        own.setRemoveOnCancelPolicy(true);
        this.ownTimers = own;
      } else {
        this.ownTimers = null;
      }
    } else {
      this.pumpThreads = null;
      this.ownTimers = null;
    }
    this.timers = scheduler != null ? scheduler : ownTimers;
  }

  /** The pump threads, or {@code null} without a data path. */
  ExecutorService pumps() {
    return pumpThreads;
  }

  /** The grace and start-timeout timers, or {@code null} if there are none. */
  ScheduledExecutorService timers() {
    return timers;
  }

  /**
   * The factory of stream data paths for a registry with an upstream.
   *
   * @param data how streams run
   * @param owner where a data path reports a stream that ended for good
   * @return a factory that creates an unstarted data path per stream generation (opens nothing)
   */
  static PlaylistTransitions.StreamFactory streams(StreamDataConfig data, StreamOwner owner) {
    return (playlistId, streamId, generation, target, tuner) ->
        new SharedStream(playlistId, streamId, generation, target, data, owner, tuner);
  }

  /** After every upstream was stopped: waits (bounded) for the pumps to end, stops own timers. */
  void close() {
    if (pumpThreads != null) {
      pumpThreads.shutdown();
      try {
        if (!pumpThreads.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.warn("Upstream pumps still running 10 s after the registry closed");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("Interrupted while waiting for upstream pumps to end after close");
      }
    }
    if (ownTimers != null) {
      ownTimers.shutdownNow();
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicLong count = new AtomicLong();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
