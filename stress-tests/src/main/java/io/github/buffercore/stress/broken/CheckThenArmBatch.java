package io.github.buffercore.stress.broken;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A broken wake batch: the reader asks whether its batch is due and only then registers its
 * readiness callback (check, then arm), instead of registering first and re-checking. A publication
 * that lands between the check and the registration finds no callback to run, and nothing runs it
 * later: the viewer waits for a batch that already arrived (a lost wake-up; with time frozen, forever).
 */
public final class CheckThenArmBatch {

  private final int batch;
  private volatile long tail;
  private final AtomicReference<Runnable> callback = new AtomicReference<>();

  /**
   * Creates the broken ring state of one reader at position 0.
   *
   * @param batch the bytes that make the reader's batch due
   */
  public CheckThenArmBatch(int batch) {
    this.batch = batch;
  }

  /**
   * Publishes {@code len} bytes and wakes the reader if its callback is registered and due.
   *
   * @param len the bytes published
   */
  public void write(int len) {
    tail += len; // single writer
    if (tail >= batch) {
      Runnable action = callback.getAndSet(null);
      if (action != null) {
        action.run();
      }
    }
  }

  /**
   * The reader's registration: checks first, registers after (the bug).
   *
   * @param action the readiness callback
   */
  public void onReadable(Runnable action) {
    if (tail >= batch) {
      action.run();
      return;
    }
    callback.set(action); // a write between the check above and this store is never seen
  }
}
