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

  // Written under the monitor, read without it on every chunk the pump writes (see held()):
  // volatile so the writer thread sees the attach without taking the lock per chunk.
  private volatile TunerSlot slot; // written under this
  private boolean released; // guarded by this
  private Runnable afterRelease; // guarded by this

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

  /** Releases the slot, if any, then runs the {@link #afterRelease} action; idempotent. */
  void release() {
    TunerSlot toClose;
    Runnable then;
    synchronized (this) {
      released = true;
      toClose = slot;
      slot = null;
      then = afterRelease;
      afterRelease = null;
    }
    if (toClose != null) {
      toClose.close();
    }
    if (then != null) {
      then.run();
    }
  }

  /** Runs {@code action} once after the release (at once if already released). */
  void afterRelease(Runnable action) {
    synchronized (this) {
      if (!released) {
        afterRelease = action;
        return;
      }
    }
    action.run();
  }

  /**
   * Whether the attached slot, if any, is still held. A lease-based slot answers from its own deadline,
   * so a node resumed after a pause past its lease sees {@code false} before its heartbeat reports the
   * loss; the data path checks this before every write so not one byte goes out on a lost slot.
   */
  boolean held() {
    TunerSlot current = slot;
    return current == null || current.isHeld();
  }

  synchronized boolean isReleased() {
    return released;
  }
}
