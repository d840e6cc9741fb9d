package io.github.buffercore.internal.hls;

import java.net.URI;
import java.util.List;

/**
 * A parsed HLS media playlist (RFC 8216 section 4.3.3): the segments a live client fetches.
 *
 * @param url the URL the playlist was loaded from (after redirects); segment URIs are resolved
 * @param targetDurationSeconds {@code EXT-X-TARGETDURATION}
 * @param mediaSequence {@code EXT-X-MEDIA-SEQUENCE}, 0 if absent: the sequence number of the first
 *     segment
 * @param segments the segments in order, numbered from {@code mediaSequence}
 * @param endList whether {@code EXT-X-ENDLIST} is present: no segment will be added
 * @param unsupported the first feature this playlist uses that cannot be relayed as MPEG-TS
 *     ({@code EXT-X-MAP}, {@code EXT-X-BYTERANGE}, a key method other than AES-128), or {@code null}
 */
public record MediaPlaylist(URI url, int targetDurationSeconds, long mediaSequence,
    List<MediaSegment> segments, boolean endList, String unsupported) implements HlsPlaylist {

  /** Copies the segment list. */
  public MediaPlaylist {
    segments = List.copyOf(segments);
  }

  /**
   * Returns the sequence number of the last segment, or {@code mediaSequence - 1} if there is none.
   *
   * @return the last sequence number
   */
  public long lastSequence() {
    return mediaSequence + segments.size() - 1;
  }

  /**
   * Returns the segment with sequence number {@code sequence}, or {@code null} if it is not listed.
   *
   * @param sequence a media sequence number
   * @return the segment or {@code null}
   */
  public MediaSegment segment(long sequence) {
    long i = sequence - mediaSequence;
    return i >= 0 && i < segments.size() ? segments.get((int) i) : null;
  }
}
