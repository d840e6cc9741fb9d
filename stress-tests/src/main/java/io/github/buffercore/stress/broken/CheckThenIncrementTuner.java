package io.github.buffercore.stress.broken;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A tuner check done apart from the start of the stream: read the playlist, see a free tuner, then
 * add the stream without checking again. Two new streams racing for the last tuner both see it free
 * and both start, one tuner over the limit (the provider then refuses or drops a stream). Violates
 * {@code TunerLimit}.
 */
public final class CheckThenIncrementTuner extends SketchRegistry {

  public CheckThenIncrementTuner(Duration streamGrace, Duration idleGrace, Ticker ticker,
      Runnable window) {
    super(streamGrace, idleGrace, ticker, window);
  }

  @Override
  public ClientLease acquire(String playlistId, String streamId) {
    Entry seen = map.get(playlistId);
    if (seen == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
    if (!seen.streams().containsKey(streamId)
        && seen.streams().size() >= seen.playlist().tunerLimit()) {
      throw limitExceeded(seen, streamId); // the check ...
    }
    window.run();
    AtomicReference<RuntimeException> unused = new AtomicReference<>();
    // ... and the increment, without the check: BUG
    Entry result = map.computeIfPresent(playlistId, (id, entry) -> join(entry, streamId, unused, false));
    if (result == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
    return newLease(playlistId, streamId);
  }
}
