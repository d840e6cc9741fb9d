package io.github.buffercore.redis;

import java.util.function.Consumer;

/**
 * What a {@link RedisTunerSlot} asks of its pool: the side effects of leaving HELD. Each is called at
 * most once per slot, by the thread whose compare-and-set decided it, after the state change.
 */
interface SlotOwner {

  /** The lease TTL, for messages. */
  long leaseTtlMillis();

  /** The slot was closed while held: remove its lease in Redis. */
  void release(RedisTunerSlot slot);

  /** The slot was lost while held: log it and hand {@code action} (may be null) to a pool thread. */
  void lost(RedisTunerSlot slot, String reason, Consumer<String> action);
}
