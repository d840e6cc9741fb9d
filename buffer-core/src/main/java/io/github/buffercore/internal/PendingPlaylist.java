package io.github.buffercore.internal;

import io.github.buffercore.Playlist;
import java.util.concurrent.CompletableFuture;

/**
 * The placeholder stored while a playlist's initializer runs (outside the map computation). Callers
 * that find it wait on {@link #result}; only its creator replaces or removes it.
 *
 * @param creator the thread running the initializer, to refuse a recursive call that would wait for itself
 * @param result completed with the published playlist, or exceptionally with the reason it was not
 */
record PendingPlaylist(Thread creator, CompletableFuture<Playlist> result) implements RegistryNode {

  static PendingPlaylist byCurrentThread() {
    return new PendingPlaylist(Thread.currentThread(), new CompletableFuture<>());
  }
}
