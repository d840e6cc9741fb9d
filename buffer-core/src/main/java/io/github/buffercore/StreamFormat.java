package io.github.buffercore;

/**
 * How {@link AutoUpstreamSource} reads an upstream URL.
 */
public enum StreamFormat {
  /**
   * Decide from the URL and the response: HLS if the URL path ends in {@code .m3u8} or {@code .m3u},
   * or the response's content type is an HLS type; raw MPEG-TS otherwise.
   */
  AUTO,
  /** An HLS playlist (multivariant or media), read through {@link HlsUpstreamSource}. */
  HLS,
  /** A continuous MPEG-TS byte stream, read as {@link HttpUpstreamSource} reads it. */
  MPEG_TS
}
