package io.github.buffercore.stress.broken;

import io.github.buffercore.CleanupReport;
import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's {@code cleanUpStaleClients}: range over the map, decide from the value read that a
 * playlist is empty, then {@code BufferInformation.Delete(key)} unconditionally.
 *
 * <pre>{@code
 * if len(playlist.Clients) == 0 {
 *     BufferInformation.Delete(key) // removes whatever is there now, not what was read
 * }
 * }</pre>
 *
 * A client that joins between the read and the delete is removed together with its stream and
 * playlist while its request is still being served. Violates {@code JoinSurvivesCleanup}.
 */
public final class UnconditionalRemoveCleanup extends SketchRegistry {

  public UnconditionalRemoveCleanup(Duration streamGrace, Duration idleGrace, Ticker ticker,
      Runnable window) {
    super(streamGrace, idleGrace, ticker, window);
  }

  @Override
  public CleanupReport cleanup() {
    List<String> removed = new ArrayList<>();
    for (String playlistId : map.keySet()) {
      Entry entry = map.get(playlistId);
      if (entry != null && removable(entry, now())) {
        window.run();
        map.remove(playlistId); // BUG: not remove(playlistId, entry), no re-check
        removed.add(playlistId);
      }
    }
    return new CleanupReport(List.of(), List.of(), removed);
  }
}
