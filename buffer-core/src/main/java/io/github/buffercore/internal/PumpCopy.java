package io.github.buffercore.internal;

import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamRequest;
import io.github.buffercore.UpstreamSource;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy loop of an {@link UpstreamPump}: one attempt opens a connection under the start-timeout
 * watchdog, tells the sink a new connection begins, and copies reads into the sink (marking a
 * {@linkplain ChunkSink#discontinuity() discontinuity} before the read after which the connection's
 * {@link UpstreamConnection#discontinuityCount()} grew) until the connection ends, fails or is
 * closed by a stop. Pump thread only; shares its state with other threads through {@link PumpControl}.
 */
final class PumpCopy {

  private static final Logger LOG = LoggerFactory.getLogger(PumpControl.LOGGER);

  private final PumpControl control;
  private final UpstreamSource source;
  private final ChunkSink sink;
  private final ScheduledExecutorService scheduler;

  PumpCopy(PumpControl control, UpstreamSource source, ChunkSink sink, ScheduledExecutorService scheduler) {
    this.control = control;
    this.source = source;
    this.sink = sink;
    this.scheduler = scheduler;
  }

  /** One attempt at {@code url}: open, then copy until the connection ends. */
  AttemptEnd attempt(URI url, int index, int attemptNo, byte[] buf) {
    final PumpControl c = control;
    long seq;
    c.lock.lock();
    try {
      if (c.stopRequested) {
        return AttemptEnd.STOPPED;
      }
      seq = ++c.attemptSeq;
      c.attemptTimedOut = false;
      c.firstByteSeen = false;
      c.opening = true;
      c.state = PumpState.CONNECTING;
    } finally {
      c.lock.unlock();
    }
    ScheduledFuture<?> watchdog = scheduler.schedule(
        () -> c.onStartTimeout(seq, url), c.startTimeout.toNanos(), TimeUnit.NANOSECONDS);
    UpstreamConnection conn = null;
    try {
      Throwable openFailure = null;
      try {
        conn = source.open(new UpstreamRequest(c.playlistId, c.streamId, url, attemptNo));
        if (conn == null) {
          openFailure = new IOException("UpstreamSource " + source + " returned null for " + url);
        }
      } catch (IOException | RuntimeException e) {
        openFailure = e;
      }
      boolean stop;
      boolean timedOut;
      c.lock.lock();
      try {
        c.opening = false;
        if (c.selfInterrupt) {
          c.selfInterrupt = false;
          Thread.interrupted();
        }
        stop = c.stopRequested;
        timedOut = c.attemptTimedOut;
        if (!stop && !timedOut && openFailure == null) {
          c.current = conn;
          c.connectionsOpened++;
        }
      } finally {
        c.lock.unlock();
      }
      if (stop) {
        return AttemptEnd.STOPPED;
      }
      if (timedOut) {
        return AttemptEnd.failed(c.startTimeoutFailure(url, openFailure));
      }
      if (openFailure != null) {
        return AttemptEnd.failed(openFailure);
      }
      LOG.debug("Opened upstream {} (URL #{}, attempt {}) of stream '{}' in playlist '{}'", url,
          index, attemptNo, c.streamId, c.playlistId);
      sink.newConnection();
      return copy(conn, url, buf, watchdog);
    } finally {
      watchdog.cancel(false);
      c.lock.lock();
      try {
        if (c.current == conn) {
          c.current = null;
        }
      } finally {
        c.lock.unlock();
      }
      c.closeQuietly(conn);
    }
  }

  private AttemptEnd copy(UpstreamConnection conn, URI url, byte[] buf, ScheduledFuture<?> watchdog) {
    final PumpControl c = control;
    boolean gotData = false;
    int discontinuities = conn.discontinuityCount();
    try {
      while (true) {
        int n = conn.read(buf, 0, buf.length);
        if (n < 0) {
          EOFException eof = new EOFException("Upstream " + url + " of stream '" + c.streamId
              + "' in playlist '" + c.playlistId + "' ended (a live stream must not end)");
          if (c.isStopRequested()) {
            return AttemptEnd.STOPPED;
          }
          return gotData ? AttemptEnd.dropped(eof) : AttemptEnd.failed(eof);
        }
        if (n == 0) {
          throw new IOException("UpstreamConnection.read of " + url + " returned 0 bytes");
        }
        if (!gotData) {
          boolean timedOut;
          c.lock.lock();
          try {
            timedOut = c.attemptTimedOut;
            c.firstByteSeen = !timedOut;
            if (!timedOut) {
              c.state = PumpState.STREAMING;
            }
          } finally {
            c.lock.unlock();
          }
          if (timedOut) {
            return AttemptEnd.failed(c.startTimeoutFailure(url, null));
          }
          watchdog.cancel(false);
          gotData = true;
          c.droppedAt = PumpLogging.firstByte(c.playlistId, c.streamId, url, c.droppedAt); // a reconnect's gap
        }
        c.lastByteAt = System.nanoTime();
        c.bytesIn += n;
        int passed = conn.discontinuityCount();
        if (passed != discontinuities) { // grew before this read: these bytes start after the cut
          discontinuities = passed;
          sink.discontinuity();
        }
        sink.write(buf, 0, n);
      }
    } catch (IOException e) {
      boolean stop;
      boolean timedOut;
      c.lock.lock();
      try {
        stop = c.stopRequested;
        timedOut = c.attemptTimedOut && !c.firstByteSeen;
      } finally {
        c.lock.unlock();
      }
      if (stop) {
        return AttemptEnd.STOPPED;
      }
      if (timedOut) {
        return AttemptEnd.failed(c.startTimeoutFailure(url, e));
      }
      return gotData ? AttemptEnd.dropped(e) : AttemptEnd.failed(e);
    }
  }

  /** How an attempt ended: stopped, failed before data, or dropped after data. */
  static final class AttemptEnd {
    static final AttemptEnd STOPPED = new AttemptEnd(true, false, null);

    final boolean stopped;
    final boolean deliveredData;
    final Throwable cause;

    private AttemptEnd(boolean stopped, boolean deliveredData, Throwable cause) {
      this.stopped = stopped;
      this.deliveredData = deliveredData;
      this.cause = cause;
    }

    static AttemptEnd failed(Throwable cause) {
      return new AttemptEnd(false, false, cause);
    }

    static AttemptEnd dropped(Throwable cause) {
      return new AttemptEnd(false, true, cause);
    }
  }
}
