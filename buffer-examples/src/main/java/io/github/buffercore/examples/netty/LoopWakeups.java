package io.github.buffercore.examples.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The readiness callbacks of one event loop's viewers, run by one task per round: a publication (or
 * the batch flush) wakes many viewers of a stream at once on the writer's thread, and handing each
 * its own task would cost a task and a selector wake-up per viewer; here it is one per loop.
 */
final class LoopWakeups implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(NettyHttpStack.class);

  private final EventExecutor loop;
  private final Queue<StreamPump> due = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  LoopWakeups(EventExecutor loop) {
    this.loop = loop;
  }

  /** Any thread (the stream's writer, the flush timer, a closing thread): queues a viewer's pump. */
  void add(StreamPump pump) {
    due.offer(pump);
    if (scheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this);
      } catch (RejectedExecutionException stopped) {
        // The server is shutting down: closing the loop closes its channels, and their
        // channelInactive releases the leases; there is nothing left to pump.
        LOG.debug("Event loop {} stopped; not waking stream {} of client {}", loop,
            pump.stream.channelId(), pump.lease().clientId());
      }
    }
  }

  @Override
  public void run() {
    // Cleared before draining: a pump queued after this point schedules the next round itself.
    scheduled.set(false);
    StreamPump pump;
    while ((pump = due.poll()) != null) {
      pump.wake();
    }
  }
}
