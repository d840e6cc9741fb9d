package io.github.buffercore.internal.hls;

import io.github.buffercore.HlsPlaylistException;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamStatusException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network side of one HLS connection: every HTTP request it makes (playlist, key, segment), with
 * the retry policy's attempts and backoff, and every wait (for a response, a backoff, a reload), all
 * of them cut short by {@link #close()}.
 *
 * <p>Each body it hands out is published in the {@link BodySlot} first, so that {@code close()} from
 * any thread closes it ({@code HlsBodyClosed}). Everything else is confined to the reader thread.
 */
final class HlsRequests {

  private static final Logger LOG = LoggerFactory.getLogger(HlsRequests.class);

  /** A playlist's text and the URL it came from after redirects. */
  record Loaded(String text, URI url) {}

  private final HlsFetcher fetcher;
  private final ReconnectPolicy retry;
  private final int maxPlaylistBytes;
  private final String playlistId;
  private final String streamId;
  private final LongSupplier clock;
  private final CompletableFuture<Void> closedSignal = new CompletableFuture<>();
  /** The HTTP body being read (playlist, key or segment), and whether close() was called. */
  private final BodySlot slot = new BodySlot();
  /** The media playlist followed, once known; for the message of a closed connection. */
  private URI mediaUrl;

  HlsRequests(HlsFetcher fetcher, ReconnectPolicy retry, int maxPlaylistBytes, String playlistId,
      String streamId, LongSupplier clock) {
    this.fetcher = fetcher;
    this.retry = retry;
    this.maxPlaylistBytes = maxPlaylistBytes;
    this.playlistId = playlistId;
    this.streamId = streamId;
    this.clock = clock;
  }

  /** Names the media playlist in later errors. Reader thread only. */
  void following(URI url) {
    this.mediaUrl = url;
  }

  /** The slot holding the body being read. */
  BodySlot slot() {
    return slot;
  }

  Loaded loadPlaylist(URI url, String what) throws IOException {
    return readPlaylist(fetchWithRetries(url, what));
  }

  Loaded readPlaylist(HlsFetcher.Resource r) throws IOException {
    byte[] bytes = readFully(r.body(), maxPlaylistBytes + 1, r.finalUrl(), "playlist");
    if (bytes.length > maxPlaylistBytes) {
      throw new HlsPlaylistException(playlistId, streamId, r.finalUrl(),
          "larger than " + maxPlaylistBytes + " bytes");
    }
    return new Loaded(new String(bytes, StandardCharsets.UTF_8), r.finalUrl());
  }

  /** Reads a body to its end (at most {@code limit} bytes) and closes it. */
  byte[] readFully(UpstreamConnection b, int limit, URI url, String what) throws IOException {
    try {
      if (!slot.publish(b)) {
        throw closedException();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      for (int n; (n = b.read(buf, 0, Math.min(buf.length, limit - out.size()))) > 0; ) {
        out.write(buf, 0, n);
        if (out.size() >= limit) {
          break;
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      if (slot.isClosed()) {
        throw closedException();
      }
      throw new IOException("Reading " + what + " " + url + " of stream '" + streamId
          + "' in playlist '" + playlistId + "' failed: " + e.getMessage(), e);
    } finally {
      b.close();
      slot.clear(b);
    }
  }

  /**
   * Fetches with the retry policy's attempts and backoff; the body of the result is published in
   * the {@link #slot}, so that close() closes it.
   *
   * @throws UpstreamStatusException if the last attempt got a non-2xx status (a segment may be
   *     skipped then)
   */
  HlsFetcher.Resource fetchWithRetries(URI url, String what) throws IOException {
    IOException last = null;
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      if (attempt > 1) {
        sleepUntil(clock.getAsLong() + retry.backoffBefore(attempt).toNanos());
      }
      try {
        HlsFetcher.Resource r = awaitFetch(url, attempt);
        if (!slot.publish(r.body())) {
          throw closedException();
        }
        return r;
      } catch (IOException e) {
        if (slot.isClosed() || e instanceof InterruptedIOException) {
          throw e;
        }
        if (last != null) {
          e.addSuppressed(last);
        }
        last = e;
        LOG.info("HLS stream '{}' in playlist '{}': {} {} attempt {}/{} failed: {}", streamId,
            playlistId, what, url, attempt, retry.maxAttempts(), e.toString());
      }
    }
    if (last instanceof UpstreamStatusException status) {
      throw status; // its message names the status and URL; the caller may skip a segment
    }
    throw new IOException("HLS " + what + " " + url + " of stream '" + streamId + "' in playlist '"
        + playlistId + "' failed after " + retry.maxAttempts() + " attempt(s): " + last, last);
  }

  private HlsFetcher.Resource awaitFetch(URI url, int attempt) throws IOException {
    ensureOpen();
    CompletableFuture<HlsFetcher.Resource> f = fetcher.fetch(url, attempt);
    try {
      CompletableFuture.anyOf(f, closedSignal).get();
    } catch (ExecutionException | CancellationException e) {
      // Inspected below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.thenAccept(r -> r.body().close()); // nobody will read a response that arrives later
      InterruptedIOException ie = new InterruptedIOException("Interrupted while fetching " + url
          + " for stream '" + streamId + "' in playlist '" + playlistId + "'");
      ie.initCause(e);
      throw ie;
    }
    if (!f.isDone()) {
      f.thenAccept(r -> r.body().close());
      throw closedException();
    }
    try {
      return f.join();
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException("Fetching " + url + " for stream '" + streamId + "' in playlist '"
          + playlistId + "' failed: " + cause, cause);
    }
  }

  /** Waits until the clock reaches {@code deadlineNanos}; throws at once when closed. */
  void sleepUntil(long deadlineNanos) throws IOException {
    for (long wait; (wait = deadlineNanos - clock.getAsLong()) > 0; ) {
      try {
        closedSignal.get(wait, TimeUnit.NANOSECONDS);
        throw closedException();
      } catch (TimeoutException e) {
        // The deadline passed; re-checked by the loop.
      } catch (ExecutionException e) {
        throw closedException();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        InterruptedIOException ie = new InterruptedIOException("Interrupted while waiting to reload"
            + " the HLS playlist of stream '" + streamId + "' in playlist '" + playlistId + "'");
        ie.initCause(e);
        throw ie;
      }
    }
  }

  void ensureOpen() throws IOException {
    if (slot.isClosed()) {
      throw closedException();
    }
  }

  private IOException closedException() {
    return new IOException("HLS connection to " + (mediaUrl != null ? mediaUrl : "(opening)")
        + " for stream '" + streamId + "' in playlist '" + playlistId + "' was closed");
  }

  /**
   * Closes the slot (and the body in it) and wakes any wait. Any thread; idempotent.
   *
   * @return {@code true} for the call that closed
   */
  boolean close() {
    if (!slot.close()) {
      return false;
    }
    closedSignal.complete(null);
    return true;
  }
}
