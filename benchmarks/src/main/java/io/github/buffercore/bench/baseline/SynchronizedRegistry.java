package io.github.buffercore.bench.baseline;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * {@code impl=synchronized}: the obvious correct fix of the seed: a plain HashMap behind one global
 * monitor, every operation (including the initializer of a new playlist and the whole cleanup scan)
 * inside it. Race-free, but every thread of every playlist queues on one lock.
 */
final class SynchronizedRegistry implements RegistryUnderTest, BaselineLease.Owner {

  private final Map<String, MutablePlaylist> playlists = new HashMap<>();
  private final AtomicLong clientIds = new AtomicLong();
  private final Ticker ticker;
  private final long staleAfterNanos;
  private final long streamGraceNanos;
  private final long idleGraceNanos;

  SynchronizedRegistry(UnderTestConfig config) {
    this.ticker = config.ticker();
    this.staleAfterNanos = config.staleAfter().toNanos();
    this.streamGraceNanos = config.streamGrace().toNanos();
    this.idleGraceNanos = config.idleGrace().toNanos();
  }

  @Override
  public synchronized Object getOrCreate(String playlistId, PlaylistInitializer initializer) {
    MutablePlaylist playlist = playlists.get(playlistId);
    if (playlist == null) {
      playlist = new MutablePlaylist(playlistId, Initializers.run(playlistId, initializer), ticker.read());
      playlists.put(playlistId, playlist);
    }
    return playlist;
  }

  @Override
  public ClientLease acquire(String playlistId, String streamId) {
    BaselineLease lease = new BaselineLease(this, playlistId, streamId, clientIds.incrementAndGet(), ticker);
    synchronized (this) {
      MutablePlaylist playlist = playlists.get(playlistId);
      if (playlist == null) {
        throw new PlaylistNotFoundException(playlistId);
      }
      playlist.join(lease);
    }
    return lease;
  }

  @Override
  public void release(BaselineLease lease) {
    long now = ticker.read();
    synchronized (this) {
      MutablePlaylist playlist = playlists.get(lease.playlistId());
      if (playlist != null) {
        playlist.leave(lease, now, streamGraceNanos);
      }
    }
  }

  @Override
  public synchronized Object update(String playlistId, UnaryOperator<PlaylistSettings> fn) {
    MutablePlaylist playlist = playlists.get(playlistId);
    if (playlist == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
    playlist.settings = fn.apply(playlist.settings);
    return playlist;
  }

  @Override
  public synchronized int cleanup() {
    int[] work = new int[1];
    long now = ticker.read();
    for (Iterator<MutablePlaylist> it = playlists.values().iterator(); it.hasNext(); ) {
      if (it.next().sweep(now, staleAfterNanos, streamGraceNanos, idleGraceNanos, work)) {
        it.remove();
      }
    }
    return work[0];
  }

  @Override
  public synchronized void close() {
    playlists.values().forEach(MutablePlaylist::evictAll);
    playlists.clear();
  }
}
