package io.github.buffercore.stress.broken;

import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The seed's {@code updatePlaylistAtomic}: load the playlist, change the copy, {@code Store} it
 * back. Each step is atomic, the whole is not: of two concurrent updates that read the same
 * version, the second store silently discards the first. Violates {@code NoLostUpdate}.
 */
public final class GetThenPutUpdate extends SketchRegistry {

  public GetThenPutUpdate(Duration streamGrace, Duration idleGrace, Ticker ticker, Runnable window) {
    super(streamGrace, idleGrace, ticker, window);
  }

  @Override
  public Playlist update(String playlistId, UnaryOperator<PlaylistSettings> fn) {
    Entry entry = map.get(playlistId);
    if (entry == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
    Playlist next = withSettings(entry.playlist(), fn.apply(entry.playlist().settings()));
    window.run();
    map.put(playlistId, entry.withPlaylist(next)); // BUG: overwrites whatever happened since get
    return next;
  }
}
