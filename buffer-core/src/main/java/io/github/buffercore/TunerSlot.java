package io.github.buffercore;

import java.util.function.Consumer;

/**
 * One held tuner slot of a {@link TunerPool}: the right of one stream to keep one upstream connection
 * open. Held from {@link TunerPool#acquire} until {@link #close()}, unless it is lost first.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
public interface TunerSlot extends AutoCloseable {

  /**
   * Returns the playlist this slot counts against.
   *
   * @return the playlist id
   */
  String playlistId();

  /**
   * Returns the stream this slot was taken for.
   *
   * @return the stream id
   */
  String streamId();

  /**
   * Returns this slot's fencing token: strictly greater than the token of every slot the pool handed
   * out earlier for the same playlist, so a store can refuse work from a holder that was replaced. An
   * in-process pool returns a per-playlist counter as well.
   *
   * @return the fencing token
   */
  long fencingToken();

  /**
   * Returns whether the slot is still held: neither released nor lost.
   *
   * @return {@code true} while held
   */
  boolean isHeld();

  /**
   * Registers the action to run once if this slot is lost while held (its lease expired or was taken
   * over). The action runs on a pool thread, outside any registry computation, and receives a reason
   * naming the playlist and stream; it runs at once, on the calling thread, if the slot is already
   * lost. It never runs after {@link #close()}. At most one action is kept; a second call replaces it.
   *
   * @param action what to do when the slot is lost
   */
  void onLost(Consumer<String> action);

  /**
   * Releases the slot. Idempotent, never throws; a no-op on a lost slot.
   */
  @Override
  void close();
}
