package io.github.buffercore.examples;

import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamRequest;
import io.github.buffercore.UpstreamSource;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link UpstreamSource} that logs what the example's operator needs about upstream connections,
 * one line per event with the playlist and channel: a failed attempt (INFO, stack trace at DEBUG), a
 * connection lost after data (INFO), and a successful reconnect with the gap since the last byte
 * (INFO), each failure named by its {@link UpstreamException.Reason}. The single WARN line of an
 * upstream the library gave up on is {@link ProxyApp}'s, from the library's {@link UpstreamException}
 * (its reason and attempt count).
 *
 * <p>The example silences the library's own pump logger (see {@code simplelogger.properties}), whose
 * give-up line is an ERROR with a stack trace; these lines replace it.
 *
 * <p>Thread-safety: one entry per channel, written by that stream's pump thread only (a stream has one
 * pump at a time), read by viewer threads for the WARN line.
 */
final class UpstreamLogging implements UpstreamSource {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamLogging.class);

  /** What the pump of one channel has been through since it last delivered data. */
  private static final class Track {
    volatile int failedAttempts;
    /** Nanos of the last byte before the connection was lost; 0 if it was not lost. */
    volatile long lostAt;
  }

  private final UpstreamSource delegate;
  /** One entry per channel ever opened: bounded by the channel map. */
  private final ConcurrentHashMap<String, Track> tracks = new ConcurrentHashMap<>();

  UpstreamLogging(UpstreamSource delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  private static String key(String playlistId, String channelId) {
    return playlistId + '\n' + channelId;
  }

  @Override
  public UpstreamConnection open(UpstreamRequest request) throws IOException {
    Track track = tracks.computeIfAbsent(key(request.playlistId(), request.streamId()), k -> new Track());
    UpstreamConnection connection;
    try {
      connection = delegate.open(request);
    } catch (IOException | RuntimeException e) {
      attemptFailed(request, track, e);
      throw e;
    }
    return new Logged(request, track, connection);
  }

  private static void attemptFailed(UpstreamRequest request, Track track, Throwable cause) {
    track.failedAttempts++;
    LOG.info("Upstream attempt {} of channel '{}' in playlist '{}' failed ({}): {}", request.attempt(),
        request.streamId(), request.playlistId(), UpstreamException.Reason.of(cause), Problems.describe(cause));
    LOG.debug("Upstream attempt failure of channel '{}' in playlist '{}'", request.streamId(),
        request.playlistId(), cause);
  }

  @Override
  public String toString() {
    return "UpstreamLogging[" + delegate + "]";
  }

  /** One connection: notices its first byte, and whether it was lost or closed by the pump. */
  private static final class Logged implements UpstreamConnection {
    private final UpstreamRequest request;
    private final Track track;
    private final UpstreamConnection connection;
    // Written by the pump thread only; volatile because close() may run on another thread.
    private volatile boolean gotData;
    private volatile boolean ended;
    private long lastByte;
    private volatile boolean closedByPump;

    Logged(UpstreamRequest request, Track track, UpstreamConnection connection) {
      this.request = request;
      this.track = track;
      this.connection = connection;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n;
      try {
        n = connection.read(buf, off, len);
      } catch (IOException | RuntimeException e) {
        ended(e);
        throw e;
      }
      if (n < 0) {
        ended(null);
        return n;
      }
      long now = System.nanoTime();
      if (!gotData) {
        gotData = true;
        firstByte(now);
      }
      lastByte = now;
      return n;
    }

    private void firstByte(long now) {
      long lostAt = track.lostAt;
      int failed = track.failedAttempts;
      if (lostAt != 0) {
        LOG.info("Upstream of channel '{}' in playlist '{}' reconnected after a gap of {} ms"
            + " ({} failed attempt(s))", request.streamId(), request.playlistId(),
            (now - lostAt) / 1_000_000, failed);
      } else if (failed > 0) {
        LOG.info("Upstream of channel '{}' in playlist '{}' delivering after {} failed attempt(s)",
            request.streamId(), request.playlistId(), failed);
      }
      track.lostAt = 0;
      track.failedAttempts = 0;
    }

    private void ended(Throwable cause) {
      if (ended || closedByPump) {
        return; // closed by the pump (stop, start timeout): its read then fails, which is no loss
      }
      ended = true;
      if (gotData) {
        track.lostAt = lastByte;
        LOG.info("Upstream of channel '{}' in playlist '{}' lost after data: {}", request.streamId(),
            request.playlistId(), cause == null ? "it ended" : Problems.describe(cause));
        if (cause != null) {
          LOG.debug("Upstream loss of channel '{}' in playlist '{}'", request.streamId(),
              request.playlistId(), cause);
        }
      } else {
        attemptFailed(request, track, cause == null ? new IOException("it ended before any data") : cause);
      }
    }

    @Override
    public void close() {
      if (!gotData && !ended) {
        // Closed before its first byte and before a read failed: the pump's start timeout (or a
        // stop). Counted as a failed attempt; a stop makes no difference since the stream is gone.
        track.failedAttempts++;
        LOG.debug("Upstream attempt {} of channel '{}' in playlist '{}' closed before its first byte"
            + " (start timeout or stop)", request.attempt(), request.streamId(), request.playlistId());
      }
      if (!ended) {
        closedByPump = true;
        if (gotData) {
          track.lostAt = 0; // stopped while delivering: the next connection is a new stream, not a reconnect
        }
      }
      connection.close();
    }

    @Override
    public int discontinuityCount() {
      return connection.discontinuityCount();
    }
  }
}
