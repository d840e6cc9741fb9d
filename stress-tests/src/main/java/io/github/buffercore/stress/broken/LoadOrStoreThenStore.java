package io.github.buffercore.stress.broken;

import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.Map;

/**
 * The seed's "after" fix: {@code LoadOrStore} of an empty playlist, initialize it if this call
 * stored it, then a blind {@code Store} of the initialized one.
 *
 * <pre>{@code
 * actual, loaded := BufferInformation.LoadOrStore(playlistID, newPlaylist)   // empty playlist
 * if !loaded {
 *     // ... initialization ...
 *     BufferInformation.Store(playlistID, playlist)                          // blind overwrite
 * }
 * }</pre>
 *
 * The initializer now runs once, but every other caller receives the empty, half-built playlist
 * while it runs, and a client that joined the empty playlist in the meantime is wiped out by the
 * blind store: violates {@code SingleCreation}.
 */
public final class LoadOrStoreThenStore extends SketchRegistry {

  public LoadOrStoreThenStore(Duration streamGrace, Duration idleGrace, Ticker ticker,
      Runnable window) {
    super(streamGrace, idleGrace, ticker, window);
  }

  @Override
  public Playlist getOrCreate(String playlistId, PlaylistInitializer initializer) {
    Entry empty = new Entry(emptyPlaylist(playlistId), Map.of(), now());
    Entry actual = map.putIfAbsent(playlistId, empty);
    if (actual != null) {
      return actual.playlist(); // BUG: may be the empty playlist, not yet initialized
    }
    window.run();
    Playlist playlist = newPlaylist(playlistId, initializer);
    map.put(playlistId, new Entry(playlist, Map.of(), now())); // BUG: blind store loses joiners
    return playlist;
  }
}
