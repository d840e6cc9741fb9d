package io.github.buffercore.internal;

import io.github.buffercore.Playlist;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * The placeholder stored while a playlist's initializer runs (outside the map computation). Callers
 * that find it wait on {@link #result}; only its creator replaces or removes it, and only its creator
 * settles it ({@link #complete}, {@link #fail}), once.
 *
 * <p>The future a waiter blocks on is made only when a caller actually waits: a creation nobody waits
 * for (the common case) allocates none ({@code ChurnBenchmark}, {@code -prof gc}). One field carries
 * the hand-off: {@code null} (open, nobody waits), a {@link CompletableFuture} (open, someone waits:
 * the creator completes it), or the outcome (settled: a {@link Playlist} or a {@link Failure}). The
 * creator swaps the outcome in with one {@code getAndSet} and completes the future it replaced, if
 * any; a waiter installs its future with one compare-and-set from {@code null}, or finds the future
 * or the outcome already there. Each write to the field is decisive, so no waiter is left waiting.
 * Equality is identity (the map's {@code remove(key, mine)} and {@code replace(key, mine, live)}).
 */
final class PendingPlaylist implements RegistryNode {

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(PendingPlaylist.class, "state", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A failed creation's outcome. */
  private record Failure(Throwable cause) { }

  private final Thread creator;
  @SuppressWarnings("unused") // through STATE
  private volatile Object state;

  private PendingPlaylist(Thread creator) {
    this.creator = creator;
  }

  static PendingPlaylist byCurrentThread() {
    return new PendingPlaylist(Thread.currentThread());
  }

  /** The thread running the initializer, to refuse a recursive call that would wait for itself. */
  Thread creator() {
    return creator;
  }

  /** The creator's success: releases every waiter with {@code playlist}. */
  void complete(Playlist playlist) {
    if (STATE.getAndSet(this, playlist) instanceof CompletableFuture<?> waiting) {
      future(waiting).complete(playlist);
    }
  }

  /** The creator's failure: every waiter gets {@code cause}. */
  void fail(Throwable cause) {
    if (STATE.getAndSet(this, new Failure(cause)) instanceof CompletableFuture<?> waiting) {
      waiting.completeExceptionally(cause);
    }
  }

  /**
   * A waiter's view: completed with the published playlist, or exceptionally with the reason it was
   * not; made on the first call while the creation is open.
   */
  CompletableFuture<Playlist> result() {
    Object seen = STATE.getVolatile(this);
    while (true) {
      if (seen instanceof CompletableFuture<?> waiting) {
        return future(waiting);
      } else if (seen instanceof Playlist playlist) {
        return CompletableFuture.completedFuture(playlist);
      } else if (seen instanceof Failure failure) {
        return CompletableFuture.failedFuture(failure.cause());
      }
      CompletableFuture<Playlist> mine = new CompletableFuture<>();
      seen = STATE.compareAndExchange(this, null, mine);
      if (seen == null) {
        return mine;
      }
    }
  }

  @SuppressWarnings("unchecked") // only futures of Playlist are ever stored
  private static CompletableFuture<Playlist> future(CompletableFuture<?> waiting) {
    return (CompletableFuture<Playlist>) waiting;
  }
}
