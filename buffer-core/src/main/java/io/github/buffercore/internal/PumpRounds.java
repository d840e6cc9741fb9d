package io.github.buffercore.internal;

import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.UpstreamException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connect/reconnect loop of an {@link UpstreamPump}: rounds over the URLs (primary, then backups),
 * each URL up to {@link ReconnectPolicy#maxAttempts()} times with backoff, a new round at the URL that
 * last delivered data after it dropped, until the pump is stopped or a whole round failed. Each attempt
 * is one run of the copy loop ({@link PumpCopy}). Pump thread only.
 */
final class PumpRounds {

  private static final Logger LOG = LoggerFactory.getLogger(PumpControl.LOGGER);

  /** Maximum number of earlier failures attached as suppressed to the final exception. */
  private static final int MAX_SUPPRESSED = 32;

  private final PumpControl control;
  private final PumpCopy copy;
  private final List<URI> urls;
  private final ReconnectPolicy policy;
  private final int chunkSize;

  PumpRounds(PumpControl control, PumpCopy copy, List<URI> urls, ReconnectPolicy policy, int chunkSize) {
    this.control = control;
    this.copy = copy;
    this.urls = urls;
    this.policy = policy;
    this.chunkSize = chunkSize;
  }

  /** Returns null when stopped, the failure of the last round otherwise. */
  UpstreamException run() {
    final PumpControl c = control;
    byte[] buf = new byte[chunkSize];
    int startIndex = 0;
    boolean afterDrop = false;
    boolean first = true;
    while (true) {
      List<Throwable> failures = new ArrayList<>();
      Throwable lastCause = null;
      boolean dropped = false;
      rounds:
      for (int k = 0; k < urls.size(); k++) {
        int index = (startIndex + k) % urls.size();
        URI url = urls.get(index);
        c.currentUrlIndex = index;
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
          Duration wait = attempt > 1 ? policy.backoffBefore(attempt)
              : (k == 0 && afterDrop ? policy.initialBackoff() : Duration.ZERO);
          if (!c.backoff(wait)) {
            return null;
          }
          if (!first) {
            c.reconnects++;
          }
          first = false;
          PumpCopy.AttemptEnd outcome = copy.attempt(url, index, attempt, buf);
          if (outcome.stopped) {
            return null;
          }
          if (outcome.deliveredData) {
            PumpLogging.dropped(c.playlistId, c.streamId, url, index, outcome.cause);
            c.droppedAt = c.lastByteAt;
            startIndex = index;
            afterDrop = true;
            dropped = true;
            break rounds;
          }
          PumpLogging.attemptFailed(c.playlistId, c.streamId, url, index, attempt, policy.maxAttempts(),
              outcome.cause);
          if (lastCause != null && failures.size() < MAX_SUPPRESSED) {
            failures.add(lastCause);
          }
          lastCause = outcome.cause;
        }
      }
      if (!dropped) {
        UpstreamException e = new UpstreamException(c.playlistId, c.streamId,
            UpstreamException.Reason.of(lastCause), urls.size() * policy.maxAttempts(), "all "
            + urls.size() + " URL(s) failed after " + policy.maxAttempts()
            + " attempt(s) each; last failure: " + lastCause, lastCause);
        for (Throwable t : failures) {
          e.addSuppressed(t);
        }
        return e;
      }
    }
  }
}
