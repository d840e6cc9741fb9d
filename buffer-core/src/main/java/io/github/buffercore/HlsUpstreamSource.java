package io.github.buffercore;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.buffercore.internal.hls.HlsConnection;
import io.github.buffercore.internal.hls.HlsFetcher;
import io.github.buffercore.internal.hls.ResumePoints;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link UpstreamSource} that turns a live HLS channel ({@code .m3u8}, RFC 8216) into the
 * continuous MPEG-TS byte stream the stream buffer expects, in pure Java on the JDK's HTTP client; no
 * ffmpeg or streamlink process per channel.
 *
 * <ul>
 *   <li>A multivariant (master) playlist is resolved to one variant by the
 *       {@link HlsVariantSelector} (default: {@linkplain HlsVariantSelector#highestBandwidth() highest
 *       bandwidth}). Alternative renditions ({@code EXT-X-MEDIA}) are not mixed in: a variant whose
 *       audio is only in a separate rendition plays without it.
 *   <li>A live media playlist is joined {@linkplain Builder#liveEdgeSegments(int) a number of
 *       segments} before its end (default 3, as RFC 8216 section 6.3.3 advises) and reloaded at the
 *       pace of section 6.3.4: the target duration after a reload that changed it, half of it after
 *       one that did not. Segments are fetched in media-sequence order, each exactly once.
 *   <li>{@code EXT-X-KEY METHOD=AES-128} segments are decrypted (the key is fetched once per URI per
 *       connection; the IV is the tag's or the media sequence number). {@code SAMPLE-AES}, DRM key
 *       formats, fMP4 segments ({@code EXT-X-MAP}), byte ranges and non-TS segments are refused with
 *       {@link HlsUnsupportedException}.
 *   <li>{@code EXT-X-DISCONTINUITY}, a media-sequence jump and a restart of the server's numbering
 *       are passed to the data path through {@link UpstreamConnection#discontinuityCount()}, which
 *       splices exactly as after a failover. {@code EXT-X-ENDLIST} ends the stream after its last
 *       segment.
 *   <li>A connection the data path opens after a drop continues with the segment after the last one
 *       the previous connection of the same stream started (if the playlist still lists it), so
 *       viewers never get the same segment twice.
 *   <li>A segment the server still refuses after the retries is skipped with a splice (one lost
 *       segment is a glitch, not a reconnect), at most as many in a row as the retry policy has
 *       attempts.
 *   <li>A playlist, key or segment request that fails is retried with the
 *       {@linkplain Builder#retryPolicy(ReconnectPolicy) retry policy}'s attempts and backoff; after
 *       the last one, or when the playlist is stale (unchanged for
 *       {@linkplain Builder#staleFactor(double) 3 target durations}), the connection fails, and the
 *       data path reconnects within the registry's {@link ReconnectPolicy} and then reports an
 *       {@link UpstreamException}.
 *   <li>Every request uses the {@link HttpUpstreamSource} of its registry playlist: the same
 *       headers, user agent, timeouts and redirect policy as raw streams, settable
 *       {@linkplain Builder#http(String, HttpUpstreamSource) per playlist}.
 * </ul>
 *
 * <p>To choose between HLS and a raw MPEG-TS stream per channel automatically, use
 * {@link AutoUpstreamSource}. Build one with {@link #builder()}. Thread-safe: one instance serves any
 * number of streams at once.
 */
public final class HlsUpstreamSource implements UpstreamSource {

  /** The default number of segments before the live edge where a connection starts: {@value}. */
  public static final int DEFAULT_LIVE_EDGE_SEGMENTS = 3;

  /** The default staleness limit, in target durations: {@value}. */
  public static final double DEFAULT_STALE_FACTOR = 3.0;

  /** The largest playlist accepted: {@value} bytes. */
  public static final int MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

  private final HttpUpstreamSource http;
  private final Map<String, HttpUpstreamSource> perPlaylist;
  private final HlsConnection.Settings settings;

  private HlsUpstreamSource(Builder b) {
    this.http = b.http;
    this.perPlaylist = Map.copyOf(b.perPlaylist);
    this.settings = new HlsConnection.Settings(b.selector, b.liveEdgeSegments, b.retry,
        b.staleFactor, MAX_PLAYLIST_BYTES, new CachedResumePoints());
  }

  /**
   * Returns a builder preset to {@link HttpUpstreamSource}'s defaults, the highest-bandwidth
   * variant, {@value #DEFAULT_LIVE_EDGE_SEGMENTS} segments behind live, {@link ReconnectPolicy#defaults()}
   * for each request and a staleness limit of {@value #DEFAULT_STALE_FACTOR} target durations.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the HTTP settings used for the streams of a registry playlist: its own if one was set
   * with {@link Builder#http(String, HttpUpstreamSource)}, the default otherwise.
   *
   * @param playlistId a registry playlist id
   * @return the HTTP source
   */
  public HttpUpstreamSource httpFor(String playlistId) {
    return perPlaylist.getOrDefault(Objects.requireNonNull(playlistId, "playlistId"), http);
  }

  /**
   * Loads the HLS playlist at the request's URL (a multivariant playlist is resolved to a variant)
   * and returns a connection positioned at the live edge. Blocks while the playlists load;
   * interruptible.
   *
   * @param request the stream and playlist URL
   * @return the open connection; its {@link UpstreamConnection#discontinuityCount()} counts splices
   * @throws HlsUnsupportedException if the stream cannot be relayed as MPEG-TS
   * @throws HlsPlaylistException if a playlist is malformed
   * @throws IOException if loading failed after the retries, or the thread was interrupted
   */
  @Override
  public UpstreamConnection open(UpstreamRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    return HlsConnection.open(fetcher(request), settings, request.playlistId(), request.streamId(),
        request.url(), null);
  }

  /** Opens from a response to the request's URL that is already known to be an HLS playlist. */
  UpstreamConnection open(UpstreamRequest request, HttpUpstreamSource.Fetched first)
      throws IOException {
    return HlsConnection.open(fetcher(request), settings, request.playlistId(), request.streamId(),
        request.url(), new HlsFetcher.Resource(first.body(), first.finalUrl(), first.contentType()));
  }

  private HlsFetcher fetcher(UpstreamRequest request) {
    HttpUpstreamSource source = httpFor(request.playlistId());
    return (url, attempt) -> source
        .fetchAsync(new UpstreamRequest(request.playlistId(), request.streamId(), url, attempt))
        .thenApply(f -> new HlsFetcher.Resource(f.body(), f.finalUrl(), f.contentType()));
  }

  /**
   * Resume points in a bounded cache: a stream's entry is forgotten 10 minutes after its last
   * segment (by then its sequence numbers have left any live playlist anyway).
   */
  private static final class CachedResumePoints implements ResumePoints {
    private final Cache<String, Long> cache = Caffeine.newBuilder()
        .maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();

    private static String key(String playlistId, String streamId, URI mediaUrl) {
      return playlistId + '\n' + streamId + '\n' + mediaUrl;
    }

    @Override
    public long lastStarted(String playlistId, String streamId, URI mediaUrl) {
      Long seq = cache.getIfPresent(key(playlistId, streamId, mediaUrl));
      return seq == null ? -1 : seq;
    }

    @Override
    public void started(String playlistId, String streamId, URI mediaUrl, long sequence) {
      cache.put(key(playlistId, streamId, mediaUrl), sequence);
    }
  }

  @Override
  public String toString() {
    return "HlsUpstreamSource[http=" + http + ", perPlaylist=" + perPlaylist.keySet()
        + ", liveEdgeSegments=" + settings.liveEdgeSegments() + ", retry=" + settings.retry()
        + ", staleFactor=" + settings.staleFactor() + "]";
  }

  /**
   * Builds an {@link HlsUpstreamSource}. Every setter validates its argument at once and throws
   * {@link IllegalArgumentException} (or {@link NullPointerException} for {@code null}) naming the
   * rejected value. Not thread-safe.
   */
  public static final class Builder {

    private HttpUpstreamSource http = HttpUpstreamSource.builder().build();
    private final Map<String, HttpUpstreamSource> perPlaylist = new HashMap<>();
    private HlsVariantSelector selector = HlsVariantSelector.highestBandwidth();
    private int liveEdgeSegments = DEFAULT_LIVE_EDGE_SEGMENTS;
    private ReconnectPolicy retry = ReconnectPolicy.defaults();
    private double staleFactor = DEFAULT_STALE_FACTOR;

    private Builder() {}

    /**
     * Sets the HTTP settings (headers, user agent, timeouts) of every request of every playlist
     * without its own (default: {@code HttpUpstreamSource.builder().build()}).
     *
     * @param http the HTTP source whose settings and client are used
     * @return this builder
     */
    public Builder http(HttpUpstreamSource http) {
      this.http = Objects.requireNonNull(http, "http");
      return this;
    }

    /**
     * Sets the HTTP settings of the streams of one registry playlist, e.g. a provider that only
     * serves its own player's User-Agent.
     *
     * @param playlistId the registry playlist id
     * @param http the HTTP source for that playlist
     * @return this builder
     * @throws IllegalArgumentException if {@code playlistId} is blank
     */
    public Builder http(String playlistId, HttpUpstreamSource http) {
      if (playlistId == null || playlistId.isBlank()) {
        throw new IllegalArgumentException("playlistId must not be blank, got: " + playlistId);
      }
      perPlaylist.put(playlistId, Objects.requireNonNull(http, "http"));
      return this;
    }

    /**
     * Sets how a variant of a multivariant playlist is chosen (default
     * {@link HlsVariantSelector#highestBandwidth()}).
     *
     * @param selector the selector
     * @return this builder
     */
    public Builder variantSelector(HlsVariantSelector selector) {
      this.selector = Objects.requireNonNull(selector, "selector");
      return this;
    }

    /**
     * Sets how many segments before the end of a live playlist a connection starts (default 3):
     * more is steadier, fewer is closer to live.
     *
     * @param segments at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code segments} is less than 1
     */
    public Builder liveEdgeSegments(int segments) {
      if (segments < 1) {
        throw new IllegalArgumentException("liveEdgeSegments must be at least 1, got: " + segments);
      }
      this.liveEdgeSegments = segments;
      return this;
    }

    /**
     * Sets the attempts and backoff of each playlist, key and segment request inside one
     * connection (default {@link ReconnectPolicy#defaults()}: 3 attempts, 500 ms doubling).
     *
     * @param retry the policy
     * @return this builder
     */
    public Builder retryPolicy(ReconnectPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /**
     * Sets after how many target durations without change a live playlist is stale (default 3).
     *
     * @param factor a finite number, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code factor} is less than 1 or not finite
     */
    public Builder staleFactor(double factor) {
      if (!(factor >= 1) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException("staleFactor must be a finite number of at least 1, got: "
            + factor);
      }
      this.staleFactor = factor;
      return this;
    }

    /**
     * Builds the source.
     *
     * @return the source
     */
    public HlsUpstreamSource build() {
      return new HlsUpstreamSource(this);
    }
  }
}
