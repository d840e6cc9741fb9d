package io.github.buffercore.internal;

import io.github.buffercore.TunerSlot;

/**
 * The tuner slot of one stream generation, filled after the compute that started the stream (the
 * pool is asked outside any compute) and released exactly once: when the generation's upstream
 * connection has closed, or when it stops before it ever opened one. A slot attached after the
 * release is closed at once, so a stream removed while its slot was being acquired never keeps it.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
final class TunerHold {

  private TunerSlot slot; // guarded by this
  private boolean released; // guarded by this

  /**
   * Attaches the acquired slot; returns {@code false} (and closes the slot) if the stream has already
   * released its hold.
   */
  boolean attach(TunerSlot acquired) {
    synchronized (this) {
      if (!released) {
        slot = acquired;
        return true;
      }
    }
    acquired.close();
    return false;
  }

  /** Releases the slot, if any; idempotent. */
  void release() {
    TunerSlot toClose;
    synchronized (this) {
      released = true;
      toClose = slot;
      slot = null;
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  synchronized boolean isReleased() {
    return released;
  }
}
