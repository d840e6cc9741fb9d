package io.github.buffercore.examples.jetty;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The readiness callbacks of a shard of the viewers, run by one pool task per round: a publication
 * (or the batch flush) wakes many viewers of a stream at once on the writer's thread, and a pool task
 * per viewer would cost a task and usually a parked thread's wake-up (a futex call) per viewer; here
 * it is one per shard. Each {@link StreamPump#iterate()} only polls and starts a non-blocking write.
 */
final class PoolWakeups implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(JettyHttpStack.class);

  private final Executor pool;
  private final Queue<StreamPump> due = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  PoolWakeups(Executor pool) {
    this.pool = pool;
  }

  /** Any thread (the stream's writer, the flush timer, a closing thread): queues a viewer's pump. */
  void add(StreamPump pump) {
    due.offer(pump);
    if (scheduled.compareAndSet(false, true)) {
      try {
        pool.execute(this);
      } catch (RejectedExecutionException stopped) {
        // The server is stopping: Jetty fails the open responses, whose callbacks release the leases.
        scheduled.set(false);
        LOG.debug("Jetty's pool stopped; not resuming stream {} of client {}", pump.stream.channelId(),
            pump.stream.lease().clientId());
      }
    }
  }

  @Override
  public void run() {
    // Cleared before draining: a pump queued after this point schedules the next round itself.
    scheduled.set(false);
    StreamPump pump;
    while ((pump = due.poll()) != null) {
      pump.iterate();
    }
  }
}
