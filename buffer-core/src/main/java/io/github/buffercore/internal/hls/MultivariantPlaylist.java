package io.github.buffercore.internal.hls;

import io.github.buffercore.HlsVariant;
import java.net.URI;
import java.util.List;

/**
 * A parsed HLS multivariant (master) playlist (RFC 8216 section 4.3.4): the variants of one channel.
 *
 * @param url the URL it was loaded from (after redirects)
 * @param variants the {@code EXT-X-STREAM-INF} variants in order; never empty
 */
public record MultivariantPlaylist(URI url, List<HlsVariant> variants) implements HlsPlaylist {

  /** Copies the list. */
  public MultivariantPlaylist {
    variants = List.copyOf(variants);
  }
}
