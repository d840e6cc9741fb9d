package io.github.buffercore;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;

/**
 * Thrown by {@link HlsUpstreamSource} for an HLS stream it refuses to play because it cannot turn it
 * into MPEG-TS without a remuxer: fragmented-MP4 segments ({@code EXT-X-MAP}), {@code SAMPLE-AES}
 * or another key method than {@code AES-128}, a DRM key format, byte-range segments, segments that
 * are not MPEG-TS (packed audio), or a multivariant playlist none of whose variants the
 * {@link HlsVariantSelector} accepts. The message names the feature, the stream, the playlist id and
 * the URL.
 */
public final class HlsUnsupportedException extends IOException {

  private static final long serialVersionUID = 1L;

  /** The URL this failure concerns, kept for the accessor and the serialized form. */
  private final URI url;

  /**
   * Creates the exception.
   *
   * @param playlistId the registry playlist of the stream
   * @param streamId the stream
   * @param url the HLS playlist (or segment) URL
   * @param feature what is not supported, e.g. {@code "fMP4 segments (EXT-X-MAP)"}
   */
  public HlsUnsupportedException(String playlistId, String streamId, URI url, String feature) {
    super("HLS stream " + Objects.requireNonNull(url, "url") + " of stream '" + streamId
        + "' in playlist '" + playlistId + "' is not supported: " + feature
        + "; only MPEG-TS segments, clear or AES-128 encrypted, can be relayed");
    this.url = url;
  }

  /**
   * Returns the URL of the refused playlist or segment.
   *
   * @return the URL
   */
  public URI url() {
    return url;
  }
}
