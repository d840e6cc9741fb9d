package io.github.buffercore;

import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link UpstreamSource} that reads each upstream URL as HLS or as a raw MPEG-TS stream, whichever
 * it is: HLS (through an {@link HlsUpstreamSource}) when the URL path ends in {@code .m3u8} or
 * {@code .m3u}, or when the response's {@code Content-Type} is {@code application/vnd.apple.mpegurl},
 * {@code application/x-mpegurl} or {@code audio/mpegurl} (any case, parameters ignored); raw MPEG-TS
 * otherwise, with the same per-playlist {@link HttpUpstreamSource} the HLS source uses. A
 * {@linkplain Builder#format(Function) format function} overrides the choice per request (per
 * playlist, stream or URL).
 *
 * <p>Deciding by content type costs no extra request: the response to the stream's URL is read as a
 * playlist or handed on as the stream. Thread-safe.
 */
public final class AutoUpstreamSource implements UpstreamSource {

  private static final Logger LOG = LoggerFactory.getLogger(AutoUpstreamSource.class);

  private static final Set<String> HLS_TYPES =
      Set.of("application/vnd.apple.mpegurl", "application/x-mpegurl", "audio/mpegurl",
          "audio/x-mpegurl");

  private final HlsUpstreamSource hls;
  private final Function<UpstreamRequest, StreamFormat> format;

  private AutoUpstreamSource(Builder b) {
    this.hls = b.hls;
    this.format = b.format;
  }

  /**
   * Returns a builder preset to {@code HlsUpstreamSource.builder().build()} and
   * {@link StreamFormat#AUTO} for every request.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns whether a {@code Content-Type} value names an HLS playlist.
   *
   * @param contentType a header value such as {@code "application/vnd.apple.mpegurl; charset=utf-8"}
   * @return {@code true} for the HLS types
   */
  public static boolean isHlsContentType(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim()
        .toLowerCase(Locale.ROOT);
    return HLS_TYPES.contains(type);
  }

  /**
   * Returns whether a URL path names an HLS playlist by its suffix ({@code .m3u8} or {@code .m3u},
   * any case).
   *
   * @param request the request whose URL is checked
   * @return {@code true} if the path ends in an HLS suffix
   */
  public static boolean hasHlsSuffix(UpstreamRequest request) {
    String path = request.url().getPath();
    if (path == null) {
      return false;
    }
    String p = path.toLowerCase(Locale.ROOT);
    return p.endsWith(".m3u8") || p.endsWith(".m3u");
  }

  /**
   * Opens the request's URL as HLS or raw MPEG-TS, as the class documentation describes.
   *
   * @param request the stream and URL
   * @return the open connection
   * @throws UpstreamStatusException if the upstream answered with a failure status
   * @throws HlsUnsupportedException if an HLS stream cannot be relayed
   * @throws IOException if opening failed
   */
  @Override
  public UpstreamConnection open(UpstreamRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    StreamFormat f = format.apply(request);
    if (f == null) {
      throw new IOException("The format function of " + this + " returned null for stream '"
          + request.streamId() + "' in playlist '" + request.playlistId() + "' (" + request.url()
          + ")");
    }
    if (f == StreamFormat.HLS || (f == StreamFormat.AUTO && hasHlsSuffix(request))) {
      return hls.open(request);
    }
    HttpUpstreamSource http = hls.httpFor(request.playlistId());
    if (f == StreamFormat.MPEG_TS) {
      return http.open(request);
    }
    HttpUpstreamSource.Fetched fetched = http.fetch(request);
    if (isHlsContentType(fetched.contentType())) {
      LOG.debug("Upstream {} of stream '{}' in playlist '{}' is HLS by its content type {}",
          request.url(), request.streamId(), request.playlistId(), fetched.contentType());
      return hls.open(request, fetched);
    }
    return fetched.body();
  }

  @Override
  public String toString() {
    return "AutoUpstreamSource[hls=" + hls + "]";
  }

  /** Builds an {@link AutoUpstreamSource}. Not thread-safe. */
  public static final class Builder {

    private HlsUpstreamSource hls = HlsUpstreamSource.builder().build();
    private Function<UpstreamRequest, StreamFormat> format = request -> StreamFormat.AUTO;

    private Builder() {}

    /**
     * Sets the HLS source, whose per-playlist {@link HttpUpstreamSource} also reads raw streams.
     *
     * @param hls the HLS source
     * @return this builder
     */
    public Builder hls(HlsUpstreamSource hls) {
      this.hls = Objects.requireNonNull(hls, "hls");
      return this;
    }

    /**
     * Sets the format of each request: {@link StreamFormat#AUTO} to detect it, or
     * {@link StreamFormat#HLS} / {@link StreamFormat#MPEG_TS} to force it (e.g. from a per-channel
     * setting of the M3U entry). Called on the pump thread for every attempt; must be quick and
     * must not return {@code null}.
     *
     * @param format the format per request
     * @return this builder
     */
    public Builder format(Function<UpstreamRequest, StreamFormat> format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    /**
     * Builds the source.
     *
     * @return the source
     */
    public AutoUpstreamSource build() {
      return new AutoUpstreamSource(this);
    }
  }
}
