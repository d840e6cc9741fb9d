package io.github.buffercore;

import java.net.URI;
import java.util.Objects;

/**
 * One variant stream of an HLS multivariant (master) playlist: an {@code EXT-X-STREAM-INF} tag and
 * the URI after it. What an {@link HlsVariantSelector} chooses from.
 *
 * <p>Immutable and thread-safe.
 *
 * @param uri the media playlist of the variant, resolved against the multivariant playlist's URL
 * @param bandwidth the {@code BANDWIDTH} attribute: peak bits per second
 * @param averageBandwidth the {@code AVERAGE-BANDWIDTH} attribute, or 0 if absent
 * @param width the width of the {@code RESOLUTION} attribute, or 0 if absent
 * @param height the height of the {@code RESOLUTION} attribute, or 0 if absent
 * @param codecs the {@code CODECS} attribute, or {@code ""} if absent
 * @param frameRate the {@code FRAME-RATE} attribute, or 0 if absent
 */
public record HlsVariant(URI uri, long bandwidth, long averageBandwidth, int width, int height,
    String codecs, double frameRate) {

  /**
   * Validates the components.
   *
   * @param uri the media playlist of the variant, resolved against the multivariant playlist's URL
   * @param bandwidth the {@code BANDWIDTH} attribute: peak bits per second
   * @param averageBandwidth the {@code AVERAGE-BANDWIDTH} attribute, or 0 if absent
   * @param width the width of the {@code RESOLUTION} attribute, or 0 if absent
   * @param height the height of the {@code RESOLUTION} attribute, or 0 if absent
   * @param codecs the {@code CODECS} attribute, or {@code ""} if absent
   * @param frameRate the {@code FRAME-RATE} attribute, or 0 if absent
   * @throws NullPointerException if {@code uri} or {@code codecs} is {@code null}
   * @throws IllegalArgumentException if a number is negative
   */
  public HlsVariant {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(codecs, "codecs");
    if (bandwidth < 0 || averageBandwidth < 0 || width < 0 || height < 0 || !(frameRate >= 0)) {
      throw new IllegalArgumentException("negative or invalid number in variant " + uri
          + ": bandwidth=" + bandwidth + ", averageBandwidth=" + averageBandwidth + ", resolution="
          + width + "x" + height + ", frameRate=" + frameRate);
    }
  }
}
