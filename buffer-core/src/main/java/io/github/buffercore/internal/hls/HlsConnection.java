package io.github.buffercore.internal.hls;

import io.github.buffercore.HlsPlaylistException;
import io.github.buffercore.HlsUnsupportedException;
import io.github.buffercore.HlsVariant;
import io.github.buffercore.HlsVariantSelector;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamStatusException;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live HLS channel read as a continuous MPEG-TS byte stream: the reload loop of RFC 8216
 * section 6.3 behind the {@link UpstreamConnection} interface.
 *
 * <ul>
 *   <li>{@link #open} loads the URL; a multivariant playlist is resolved to one variant with the
 *       {@link HlsVariantSelector}; the media playlist is checked for features that cannot be relayed
 *       ({@link HlsUnsupportedException}); a live playlist is joined {@code liveEdgeSegments} segments
 *       before its end, a finished one ({@code EXT-X-ENDLIST}) at its start.
 *   <li>{@link #read} returns the bytes of one segment at a time, in media-sequence order, each
 *       segment fetched once; AES-128 segments are decrypted on the fly (key fetched once per URI
 *       per connection). Between segments the playlist is reloaded when the {@link ReloadPacer} says
 *       it is due; when no segment is left, {@code read} waits for the next reload.
 *   <li>A segment after {@code EXT-X-DISCONTINUITY}, after a media-sequence jump (segments left the
 *       playlist before they were fetched) or after the server restarted its numbering increments
 *       {@link #discontinuityCount()} before its first byte is returned; one {@code read} never
 *       crosses a segment boundary, so never a discontinuity.
 *   <li>A playlist, key or segment request that fails (status, I/O, timeout) is retried with the
 *       backoff of the retry {@link ReconnectPolicy}; after its last attempt, and when the playlist is
 *       stale, {@code read} throws, so the data path reconnects and finally reports an
 *       {@link io.github.buffercore.UpstreamException}. {@code EXT-X-ENDLIST} ends the stream
 *       ({@code -1}) after its last segment.
 * </ul>
 *
 * <p>Thread-safety: read by one thread; {@link #close()} from any thread unblocks it (an HTTP body
 * being read is closed, a wait for a response or a reload or a backoff is cut short).
 *
 * <p>Split by role: this class follows the playlist (where to start, reloads, which segment is next,
 * skips and discontinuities); {@link SegmentReader} fetches, decrypts and checks one segment;
 * {@link HlsRequests} makes every request with retries and every interruptible wait.
 */
public final class HlsConnection implements UpstreamConnection {

  private static final Logger LOG = LoggerFactory.getLogger(HlsConnection.class);

  /**
   * How a connection behaves.
   *
   * @param selector picks the variant of a multivariant playlist
   * @param liveEdgeSegments how many segments before the end of a live playlist to start; at least 1
   * @param retry attempts and backoff per playlist, key and segment request
   * @param staleFactor target durations an unchanged playlist is tolerated; at least 1
   * @param maxPlaylistBytes the largest playlist accepted
   * @param resumePoints where a reconnect resumes
   */
  public record Settings(HlsVariantSelector selector, int liveEdgeSegments, ReconnectPolicy retry,
      double staleFactor, int maxPlaylistBytes, ResumePoints resumePoints) {

    /** Validates. */
    public Settings {
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(retry, "retry");
      Objects.requireNonNull(resumePoints, "resumePoints");
      if (liveEdgeSegments < 1) {
        throw new IllegalArgumentException("liveEdgeSegments must be at least 1, got: "
            + liveEdgeSegments);
      }
      if (maxPlaylistBytes < 1024) {
        throw new IllegalArgumentException("maxPlaylistBytes must be at least 1024, got: "
            + maxPlaylistBytes);
      }
      new ReloadPacer(staleFactor); // validates the factor
    }
  }

  private final Settings settings;
  private final String playlistId;
  private final String streamId;
  private final PlaylistParser parser;
  private final LongSupplier clock;
  private final ReloadPacer pacer;
  private final HlsRequests requests;
  private final SegmentReader segments;
  private volatile int discontinuities;
  private volatile long segmentsFetched;

  // Reader-thread state.
  private URI mediaUrl;
  private MediaPlaylist playlist;
  private String lastText;
  private long nextSequence;
  private boolean splicePending;
  private boolean anySegmentStarted;
  private int skippedInARow;

  private HlsConnection(HlsFetcher fetcher, Settings settings, String playlistId, String streamId,
      LongSupplier clock) {
    this.settings = settings;
    this.playlistId = playlistId;
    this.streamId = streamId;
    this.parser = new PlaylistParser(playlistId, streamId);
    this.clock = clock;
    this.pacer = new ReloadPacer(settings.staleFactor());
    this.requests = new HlsRequests(fetcher, settings.retry(), settings.maxPlaylistBytes(),
        playlistId, streamId, clock);
    this.segments = new SegmentReader(requests, playlistId, streamId);
  }

  /**
   * Opens an HLS stream: loads {@code url} (or uses {@code first}, a response to it that is already
   * open), resolves a multivariant playlist to a variant, and positions at the live edge.
   *
   * @param fetcher fetches with the playlist's HTTP settings
   * @param settings how to behave
   * @param playlistId the registry playlist, for logs and errors
   * @param streamId the stream, for logs and errors
   * @param url the playlist URL
   * @param first an open response to {@code url} whose body is the playlist, or {@code null} to
   *     fetch it; closed by this method
   * @return the open connection
   * @throws HlsUnsupportedException if the stream uses a feature that cannot be relayed
   * @throws HlsPlaylistException if a playlist is malformed
   * @throws IOException if fetching failed after the retries, or the thread was interrupted
   */
  public static HlsConnection open(HlsFetcher fetcher, Settings settings, String playlistId,
      String streamId, URI url, HlsFetcher.Resource first) throws IOException {
    HlsConnection c = new HlsConnection(fetcher, settings, playlistId, streamId, System::nanoTime);
    try {
      c.start(url, first);
      return c;
    } catch (IOException | RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  private void start(URI url, HlsFetcher.Resource first) throws IOException {
    long loadStart = clock.getAsLong();
    HlsRequests.Loaded loaded = first != null ? requests.readPlaylist(first)
        : requests.loadPlaylist(url, "playlist");
    HlsPlaylist parsed = parser.parse(loaded.text(), loaded.url());
    if (parsed instanceof MultivariantPlaylist master) {
      HlsVariant chosen = settings.selector().select(master.variants());
      if (chosen == null || !master.variants().contains(chosen)) {
        throw new HlsUnsupportedException(playlistId, streamId, master.url(),
            chosen == null ? "no variant of " + master.variants().size()
                + " is acceptable to the variant selector"
                : "the variant selector returned a variant not in the playlist: " + chosen.uri());
      }
      LOG.info("HLS stream '{}' in playlist '{}': variant {} ({} bit/s, {}x{}) of {} chosen from {}",
          streamId, playlistId, chosen.uri(), chosen.bandwidth(), chosen.width(), chosen.height(),
          master.variants().size(), master.url());
      loadStart = clock.getAsLong();
      loaded = requests.loadPlaylist(chosen.uri(), "variant playlist");
      parsed = parser.parse(loaded.text(), loaded.url());
      if (!(parsed instanceof MediaPlaylist)) {
        throw new HlsPlaylistException(playlistId, streamId, loaded.url(),
            "a variant of multivariant playlist " + master.url() + " is itself multivariant");
      }
    }
    MediaPlaylist media = (MediaPlaylist) parsed;
    refuseUnsupported(media);
    mediaUrl = media.url();
    requests.following(mediaUrl);
    playlist = media;
    lastText = loaded.text();
    pacer.loaded(loadStart, true, media.targetDurationSeconds());
    long resume = settings.resumePoints().lastStarted(playlistId, streamId, mediaUrl) + 1;
    // A reconnect continues after the segment the last connection started; a stream restarted long
    // after (its resume point far behind live) joins at the live edge like a new one.
    long earliestResume = media.endList() ? media.mediaSequence()
        : Math.max(media.mediaSequence(), liveEdge(media) - settings.liveEdgeSegments());
    if (resume > 0 && resume >= earliestResume && resume <= media.lastSequence() + 1) {
      nextSequence = resume;
      LOG.info("HLS stream '{}' in playlist '{}': resuming after segment {}", streamId, playlistId,
          resume - 1);
    } else {
      nextSequence = media.endList() ? media.mediaSequence() : liveEdge(media);
    }
    LOG.info("HLS stream '{}' in playlist '{}': media playlist {} (target duration {} s, segments"
        + " {}..{}{}), starting at sequence {}", streamId, playlistId, mediaUrl,
        media.targetDurationSeconds(), media.mediaSequence(), media.lastSequence(),
        media.endList() ? ", ended" : "", nextSequence);
  }

  private long liveEdge(MediaPlaylist media) {
    return Math.max(media.mediaSequence(), media.lastSequence() + 1 - settings.liveEdgeSegments());
  }

  private void refuseUnsupported(MediaPlaylist media) throws HlsUnsupportedException {
    if (media.unsupported() != null) {
      throw new HlsUnsupportedException(playlistId, streamId, media.url(), media.unsupported());
    }
  }

  /**
   * Returns the number of discontinuities passed: {@code EXT-X-DISCONTINUITY} tags, media-sequence
   * jumps and restarts of the server's numbering, counted before the first byte after each.
   *
   * @return the count, never decreasing
   */
  @Override
  public int discontinuityCount() {
    return discontinuities;
  }

  /**
   * Returns how many segments this connection has started fetching.
   *
   * @return the count
   */
  public long segmentsFetched() {
    return segmentsFetched;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, buf.length);
    if (len == 0) {
      return 0;
    }
    while (true) {
      requests.ensureOpen();
      if (segments.active()) {
        int n = segments.read(buf, off, len);
        if (n > 0) {
          return n;
        }
        segments.end();
        continue;
      }
      if (!playlist.endList() && pacer.due(clock.getAsLong())) {
        reload();
      }
      MediaSegment next = playlist.segment(nextSequence);
      if (next != null) {
        try {
          startSegment(next);
          skippedInARow = 0;
        } catch (UpstreamStatusException e) {
          skip(next, e);
        }
        continue;
      }
      if (nextSequence < playlist.mediaSequence()) {
        LOG.warn("HLS stream '{}' in playlist '{}': segments {}..{} left {} before they were"
            + " fetched; skipping to {} (splice)", streamId, playlistId, nextSequence,
            playlist.mediaSequence() - 1, mediaUrl, playlist.mediaSequence());
        nextSequence = playlist.mediaSequence();
        splicePending = true;
        continue;
      }
      if (playlist.endList()) {
        LOG.info("HLS stream '{}' in playlist '{}' ended (EXT-X-ENDLIST) after sequence {}",
            streamId, playlistId, playlist.lastSequence());
        return -1;
      }
      requests.sleepUntil(pacer.nextReloadAt());
      reload();
    }
  }

  private void reload() throws IOException {
    long loadStart = clock.getAsLong();
    HlsRequests.Loaded loaded = requests.loadPlaylist(mediaUrl, "media playlist");
    boolean changed = !loaded.text().equals(lastText);
    if (!changed) {
      pacer.loaded(loadStart, false, playlist.targetDurationSeconds());
      if (pacer.stale()) {
        throw new HlsPlaylistException(playlistId, streamId, mediaUrl, "stale: unchanged for "
            + TimeUnit.NANOSECONDS.toMillis(pacer.unchangedNanos()) + " ms, more than "
            + settings.staleFactor() + " x the target duration of "
            + playlist.targetDurationSeconds() + " s");
      }
      return;
    }
    HlsPlaylist parsed = parser.parse(loaded.text(), loaded.url());
    if (!(parsed instanceof MediaPlaylist media)) {
      throw new HlsPlaylistException(playlistId, streamId, loaded.url(),
          "a media playlist turned into a multivariant playlist on reload");
    }
    refuseUnsupported(media);
    pacer.loaded(loadStart, true, media.targetDurationSeconds());
    lastText = loaded.text();
    if (media.lastSequence() + 1 < nextSequence && anySegmentStarted) {
      long restart = liveEdge(media);
      LOG.warn("HLS stream '{}' in playlist '{}': media sequence went back from {} to {}..{} in {}"
          + " (server restarted?); rejoining at {} (splice)", streamId, playlistId, nextSequence,
          media.mediaSequence(), media.lastSequence(), mediaUrl, restart);
      nextSequence = restart;
      splicePending = true;
    }
    playlist = media;
  }

  /**
   * A segment the server still refuses after the retries (e.g. 404: deleted early, or never written)
   * is skipped with a splice, so one lost segment costs viewers a glitch and not a reconnect; but not
   * the first segment of a connection, and not more than the retry policy's attempts in a row, so a
   * dead stream still fails the connection and reaches the data path's reconnect policy.
   */
  private void skip(MediaSegment failed, UpstreamStatusException e) throws IOException {
    if (!anySegmentStarted || skippedInARow >= settings.retry().maxAttempts()) {
      throw new IOException("HLS segment " + failed.sequence() + " (" + failed.uri()
          + ") of stream '" + streamId + "' in playlist '" + playlistId + "' failed after "
          + settings.retry().maxAttempts() + " attempt(s)"
          + (anySegmentStarted ? " (" + (skippedInARow + 1) + " segments in a row)" : "")
          + ": " + e.getMessage(), e);
    }
    skippedInARow++;
    LOG.warn("HLS stream '{}' in playlist '{}': skipping segment {} ({}) after {} attempt(s): {}"
        + " (splice)", streamId, playlistId, failed.sequence(), failed.uri(),
        settings.retry().maxAttempts(), e.getMessage());
    nextSequence = failed.sequence() + 1;
    splicePending = true;
  }

  private void startSegment(MediaSegment next) throws IOException {
    SegmentReader.Fetched fetched = segments.fetch(next);
    settings.resumePoints().started(playlistId, streamId, mediaUrl, next.sequence());
    // Counted before any byte of this segment is returned, never in the middle of a read.
    if (anySegmentStarted && (splicePending || next.discontinuity())) {
      discontinuities++;
      LOG.info("HLS stream '{}' in playlist '{}': discontinuity #{} before segment {} ({})",
          streamId, playlistId, discontinuities, next.sequence(),
          next.discontinuity() ? "EXT-X-DISCONTINUITY" : "sequence jump");
    }
    splicePending = false;
    anySegmentStarted = true;
    nextSequence = next.sequence() + 1;
    segmentsFetched++;
    segments.begin(fetched);
  }

  @Override
  public void close() {
    if (!requests.close()) {
      return;
    }
    LOG.debug("HLS connection of stream '{}' in playlist '{}' closed after {} segment(s)",
        streamId, playlistId, segmentsFetched);
  }

  @Override
  public String toString() {
    return "HlsConnection[stream=" + streamId + ", playlist=" + playlistId + ", media=" + mediaUrl
        + ", next=" + nextSequence + ", discontinuities=" + discontinuities + "]";
  }
}
