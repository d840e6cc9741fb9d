package io.github.buffercore.stress.broken;

import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The seed's "before": check under the lock, unlock, initialize, lock again, store.
 *
 * <pre>{@code
 * Lock.Lock()
 * if p, ok := BufferInformation.Load(playlistID); !ok {
 *     Lock.Unlock()          // race window opens here
 *     // ... initialization ...
 *     Lock.Lock()
 *     BufferInformation.Store(playlistID, playlist)
 *     Lock.Unlock()
 * }
 * }</pre>
 *
 * Two callers both see "absent", both run the initializer, and the second store overwrites the
 * first playlist (and any client that joined it): violates {@code SingleCreation}.
 */
public final class LockGapCreation extends SketchRegistry {

  private final ReentrantLock lock = new ReentrantLock();

  public LockGapCreation(Duration streamGrace, Duration idleGrace, Ticker ticker, Runnable window) {
    super(streamGrace, idleGrace, ticker, window);
  }

  @Override
  public Playlist getOrCreate(String playlistId, PlaylistInitializer initializer) {
    lock.lock();
    Entry existing = map.get(playlistId);
    if (existing != null) {
      lock.unlock();
      return existing.playlist();
    }
    lock.unlock(); // BUG: the decision "absent" is no longer protected
    window.run();
    Playlist playlist = newPlaylist(playlistId, initializer);
    lock.lock();
    try {
      map.put(playlistId, new Entry(playlist, Map.of(), now())); // BUG: blind store
    } finally {
      lock.unlock();
    }
    return playlist;
  }
}
