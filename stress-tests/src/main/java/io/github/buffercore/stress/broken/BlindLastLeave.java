package io.github.buffercore.stress.broken;

import io.github.buffercore.Ticker;
import java.time.Duration;

/**
 * The seed's cleanup pattern applied to a leaving client: read the stream, decide "this is the last
 * client, stop the stream", then delete the stream unconditionally (the seed deletes
 * {@code playlist.Streams[...]} together with the client). A client that joined the stream between
 * the read and the delete is left holding a lease on a stream that no longer exists. Violates
 * {@code LastLeaveVersusJoin}.
 */
public final class BlindLastLeave extends SketchRegistry {

  public BlindLastLeave(Duration streamGrace, Duration idleGrace, Ticker ticker, Runnable window) {
    super(streamGrace, idleGrace, ticker, window);
  }

  @Override
  protected void release(String playlistId, String streamId) {
    Entry entry = map.get(playlistId);
    Stream stream = entry == null ? null : entry.streams().get(streamId);
    if (stream != null && stream.clients() <= 1 && streamGraceNanos == 0L) {
      window.run();
      long now = now();
      // BUG: removes the stream as it is now, not the one with no clients that was read
      map.computeIfPresent(playlistId, (id, current) -> current.withoutStream(streamId, now));
      return;
    }
    super.release(playlistId, streamId);
  }
}
