package io.github.buffercore.internal;

import io.github.buffercore.UpstreamException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log lines of an upstream pump, one per event with the playlist and stream: a failed attempt
 * and a drop after data at INFO (stack traces at DEBUG), a successful reconnect at INFO with the gap
 * since the last byte, and a give-up as one WARN line naming the attempts, the reason and the root
 * cause (its stack trace at DEBUG). Operators read the WARN; everything else is for the curious.
 */
final class PumpLogging {

  // The pump's own logger, named by string: naming the class would make a cycle between the files.
  private static final Logger LOG = LoggerFactory.getLogger("io.github.buffercore.internal.UpstreamPump");

  private PumpLogging() { }

  static void attemptFailed(String playlistId, String streamId, URI url, int index, int attempt,
      int maxAttempts, Throwable cause) {
    LOG.info("Attempt {}/{} at upstream {} (URL #{}) of stream '{}' in playlist '{}' failed: {}", attempt,
        maxAttempts, url, index, streamId, playlistId, cause.toString());
    LOG.debug("Attempt failure of stream '{}' in playlist '{}'", streamId, playlistId, cause);
  }

  static void dropped(String playlistId, String streamId, URI url, int index, Throwable cause) {
    LOG.info("Upstream {} (URL #{}) of stream '{}' in playlist '{}' dropped after data; reconnecting: {}",
        url, index, streamId, playlistId, cause.toString());
    LOG.debug("Drop of stream '{}' in playlist '{}'", streamId, playlistId, cause);
  }

  /**
   * The first byte of a connection: after a drop ({@code droppedAt} not 0), one INFO line with the
   * gap the viewers saw since the last byte before the drop.
   *
   * @return 0, the new value of the caller's drop mark
   */
  static long firstByte(String playlistId, String streamId, URI url, long droppedAt) {
    if (droppedAt != 0L) {
      LOG.info("Upstream of stream '{}' in playlist '{}' reconnected to {} after a gap of {} ms", streamId,
          playlistId, url, (System.nanoTime() - droppedAt) / 1_000_000);
    }
    return 0L;
  }

  static void gaveUp(UpstreamException failure, long bytes) {
    LOG.warn("Gave up on the upstream of stream '{}' in playlist '{}' after {} attempt(s) and {} bytes ({}): {}",
        failure.streamId(), failure.playlistId(), failure.attempts(), bytes, failure.reason(),
        rootCause(failure));
    LOG.debug("Upstream give-up of stream '{}' in playlist '{}'", failure.streamId(), failure.playlistId(),
        failure);
  }

  /** The deepest cause's description, without a stack trace. */
  static String rootCause(Throwable failure) {
    Throwable root = failure;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 64; depth++) {
      root = root.getCause();
    }
    return root.toString();
  }
}
