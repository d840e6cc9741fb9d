package io.github.buffercore.bench.baseline;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * {@code impl=chm}: the floor. A raw {@link ConcurrentHashMap}: a hit is one {@code get}, a creation
 * one {@code computeIfAbsent} (initializer inside the bin lock, no id validation, no events, no
 * logging, no pending-creation protocol). Joins, leaves, updates and each cleanup step are one
 * {@code compute} on the playlist's key that mutates a per-stream client map in place (only ever
 * touched inside that key's compute), so it locks exactly as finely as buffer-core does but copies
 * nothing, allocates only the lease and records no side effects. Removal by cleanup is ordered with
 * joins by the same compute, so it is even correct for these operations; what it lacks is the rest of
 * the registry's contract (validation, events, initializer outside any lock, close semantics).
 */
final class ChmRegistry implements RegistryUnderTest, BaselineLease.Owner {

  private final ConcurrentHashMap<String, MutablePlaylist> playlists = new ConcurrentHashMap<>();
  private final AtomicLong clientIds = new AtomicLong();
  private final Ticker ticker;
  private final long staleAfterNanos;
  private final long streamGraceNanos;
  private final long idleGraceNanos;

  ChmRegistry(UnderTestConfig config) {
    this.ticker = config.ticker();
    this.staleAfterNanos = config.staleAfter().toNanos();
    this.streamGraceNanos = config.streamGrace().toNanos();
    this.idleGraceNanos = config.idleGrace().toNanos();
  }

  @Override
  public Object getOrCreate(String playlistId, PlaylistInitializer initializer) {
    MutablePlaylist playlist = playlists.get(playlistId);
    if (playlist != null) {
      return playlist;
    }
    return playlists.computeIfAbsent(playlistId,
        id -> new MutablePlaylist(id, Initializers.run(id, initializer), ticker.read()));
  }

  @Override
  public ClientLease acquire(String playlistId, String streamId) {
    BaselineLease lease = new BaselineLease(this, playlistId, streamId, clientIds.incrementAndGet(), ticker);
    MutablePlaylist joined = playlists.computeIfPresent(playlistId, (id, playlist) -> {
      playlist.join(lease); // a TunerLimitExceededException leaves the mapping unchanged
      return playlist;
    });
    if (joined == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
    return lease;
  }

  @Override
  public void release(BaselineLease lease) {
    long now = ticker.read();
    playlists.computeIfPresent(lease.playlistId(), (id, playlist) -> {
      playlist.leave(lease, now, streamGraceNanos);
      return playlist;
    });
  }

  @Override
  public Object update(String playlistId, UnaryOperator<PlaylistSettings> fn) {
    MutablePlaylist updated = playlists.computeIfPresent(playlistId, (id, playlist) -> {
      playlist.settings = fn.apply(playlist.settings);
      return playlist;
    });
    if (updated == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
    return updated;
  }

  @Override
  public int cleanup() {
    int[] work = new int[1];
    for (String playlistId : playlists.keySet()) {
      long now = ticker.read();
      playlists.computeIfPresent(playlistId, (id, playlist) ->
          playlist.sweep(now, staleAfterNanos, streamGraceNanos, idleGraceNanos, work) ? null : playlist);
    }
    return work[0];
  }

  @Override
  public void close() {
    for (String playlistId : playlists.keySet()) {
      playlists.computeIfPresent(playlistId, (id, playlist) -> {
        playlist.evictAll();
        return null;
      });
    }
  }
}
