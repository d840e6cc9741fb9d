package io.github.buffercore;

/**
 * Receives the {@link RegistryEvent}s of a registry, for metrics, status pages or tests.
 *
 * <h2>Delivery contract</h2>
 * <ul>
 *   <li><b>Order.</b> Events arrive in the order of the state changes that caused them: the change
 *   records its events inside its atomic step, and they are delivered from that record in order.
 *   So for every id the order is legal ({@code EventBalance} in the package documentation): a
 *   playlist's {@code PLAYLIST_CREATED} before anything about it and its {@code PLAYLIST_REMOVED}
 *   after everything; a stream's {@code STREAM_STARTED} before its clients' events and its
 *   {@code STREAM_STOPPED} after them; a client's {@code CLIENT_JOINED} before its
 *   {@code CLIENT_LEFT} or {@code CLIENT_EVICTED}; also when {@code close()} races every other
 *   operation.</li>
 *   <li><b>One call at a time.</b> The listener is called by one thread at a time (not necessarily
 *   the thread that made the change), after the change is visible and outside of any map
 *   computation; it need not be thread-safe against itself.</li>
 *   <li><b>Your call's events before your call returns.</b> When a registry or lease method returns
 *   (or throws), the events its own changes caused have been delivered, together with every event
 *   recorded before them. If another thread is delivering at that moment, the method waits for it.
 *   Events caused by the registry's own threads (an upstream that fails or ends, a grace period that
 *   expires, a tuner slot the pool reports lost) are delivered by that thread, or, if another thread
 *   is delivering, by that thread before it returns: the registry's own threads never wait for the
 *   listener.</li>
 *   <li><b>Calling the registry from the listener</b> is allowed and is never re-entrant: the
 *   listener is not called again while it runs. The call's changes take effect at once and the call
 *   returns before its own events are delivered; they are delivered right after the current
 *   {@code onEvent} returns, in order. Do not, inside the listener, wait for another thread that
 *   calls the registry: that thread waits for the listener to return.</li>
 *   <li><b>A listener that throws</b> is logged at ERROR with the event's ids; nothing else changes:
 *   the operation that caused the event still succeeds and later events are still delivered.</li>
 * </ul>
 * Keep listeners quick: while one runs, other threads' calls that caused events wait for it.
 */
@FunctionalInterface
public interface RegistryListener {

  /**
   * Called once for each event.
   *
   * @param event the event
   */
  void onEvent(RegistryEvent event);
}
