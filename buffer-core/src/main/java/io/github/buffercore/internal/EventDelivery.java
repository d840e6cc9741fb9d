package io.github.buffercore.internal;

import io.github.buffercore.RegistryEvent;
import io.github.buffercore.RegistryListener;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the registry's events to its listener in the order of the state changes that produced
 * them ({@code EventBalance} in the {@code io.github.buffercore} package documentation).
 *
 * <p>Why a queue: effects run after the compute on the thread that made it, so two threads' effects
 * could reach the listener in the opposite order of their computes (an acquire's
 * {@code STREAM_STARTED} after a racing close's {@code PLAYLIST_REMOVED}). Here a compute only
 * <em>records</em> its events, by appending them to one per-registry queue ({@link #record(Step)}:
 * no callback, no I/O, no lock but the compute's own). Computes of one playlist are serialized by
 * its map entry, so the queue holds each playlist's events in compute order. Delivery drains the
 * queue outside any compute, under one delivery lock, so the listener is called by one thread at a
 * time, in queue order (as Caffeine drains its buffers).
 *
 * <p>Who delivers:
 * <ul>
 *   <li>{@link #deliver()}, after an embedder's call: takes the lock, waiting if another thread is
 *   delivering, and drains. Every event the call recorded was queued before, so when it returns
 *   they have been delivered, by this thread or by the one it waited for.</li>
 *   <li>{@link #deliverIfFree()}, after a change reported by the registry's own threads (an upstream
 *   pump, a grace timer, a tuner pool's callback): drains only if nobody is delivering, never waits.
 *   Those threads may be waited for by a listener's own call (a close waits for the pumps to end),
 *   so they must never wait for the listener. A thread that finds the lock taken leaves its events
 *   to the holder, which looks at the queue again after unlocking.</li>
 *   <li>A call made by the listener itself (the delivering thread holds the lock) only records: its
 *   events are delivered by the same thread right after the current listener call returns, before
 *   the outermost delivery ends. The listener is never re-entered.</li>
 * </ul>
 *
 * <p>Without a listener nothing is recorded and delivery is a field check: the hot path allocates
 * nothing for events.
 */
final class EventDelivery {

  private static final Logger LOG = LoggerFactory.getLogger("io.github.buffercore.PlaylistRegistry");

  private final RegistryListener listener; // null: no events are built, recorded or delivered
  private final ConcurrentLinkedQueue<RegistryEvent> queue = new ConcurrentLinkedQueue<>();
  private final ReentrantLock delivering = new ReentrantLock();

  /**
   * @param listener the listener, or {@code null} for none
   */
  EventDelivery(RegistryListener listener) {
    this.listener = listener;
  }

  /** Whether events go anywhere. */
  boolean hasListener() {
    return listener != null;
  }

  /**
   * Appends the events ({@link Effect.Notify}) of a step, in order. Called inside the compute that
   * produced the step, so the queue order is the compute order.
   *
   * @param step the step just decided
   */
  void record(Step step) {
    if (listener == null) {
      return;
    }
    List<Effect> effects = step.effects();
    for (int i = 0, n = effects.size(); i < n; i++) {
      if (effects.get(i) instanceof Effect.Notify notify) {
        queue.offer(notify.event());
      }
    }
  }

  /**
   * Appends one event decided outside a compute (a creation's, before it publishes the playlist).
   *
   * @param event the event
   */
  void record(RegistryEvent event) {
    if (listener != null) {
      queue.offer(event);
    }
  }

  /**
   * After an embedder's call: returns once every event recorded before it has been delivered. From
   * inside the listener it returns at once (the enclosing delivery delivers them next).
   */
  void deliver() {
    drain(true);
  }

  /** After a change reported by the registry's own threads: delivers if nobody else is, never waits. */
  void deliverIfFree() {
    drain(false);
  }

  private void drain(boolean wait) {
    if (listener == null || delivering.isHeldByCurrentThread()) {
      return;
    }
    // Events are polled only under the lock and delivered before it is released: an empty queue
    // with the lock free means everything recorded so far has been delivered.
    if (queue.isEmpty() && !delivering.isLocked()) {
      return;
    }
    boolean mustWait = wait;
    do {
      if (mustWait) {
        delivering.lock();
      } else if (!delivering.tryLock()) {
        return; // the holder looks at the queue again after unlocking
      }
      try {
        for (RegistryEvent event = queue.poll(); event != null; event = queue.poll()) {
          fire(event);
        }
      } finally {
        delivering.unlock();
      }
      mustWait = false; // our own events are out; later ones: drained here if free, else by the holder
    } while (!queue.isEmpty());
  }

  /** Calls the listener; a listener that throws is logged and ignored. */
  private void fire(RegistryEvent event) {
    try {
      listener.onEvent(event);
    } catch (VirtualMachineError fatal) {
      throw fatal;
    } catch (Throwable e) {
      LOG.error("Registry listener failed on {} of playlist {} stream {} client {}; ignoring it",
          event.type(), event.playlistId(), event.streamId(), event.clientId(), e);
    }
  }
}
