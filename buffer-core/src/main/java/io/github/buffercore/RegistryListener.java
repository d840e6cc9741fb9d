package io.github.buffercore;

/**
 * Receives the {@link RegistryEvent}s of a registry, for metrics, status pages or tests.
 *
 * <p>The registry calls the listener synchronously on the thread that made the change, after the
 * change is visible and outside of any lock or map computation, so a listener may call back into the
 * registry. Events of one thread arrive in the order that thread made its changes; events of different
 * threads may interleave in any order. A listener that throws is logged with the event's ids and changes
 * nothing else: the operation that caused the event still succeeds. Keep listeners quick.
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
