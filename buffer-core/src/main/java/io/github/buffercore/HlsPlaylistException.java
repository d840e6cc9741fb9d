package io.github.buffercore;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;

/**
 * Thrown by {@link HlsUpstreamSource} when an HLS playlist cannot be used: it is not a playlist (no
 * {@code #EXTM3U}), a required tag is missing or malformed, or it has not changed for longer than
 * the staleness limit. The message names the stream, the playlist id, the URL and, for a malformed
 * line, its number. Like any {@link IOException} of an upstream, the data path retries it within its
 * {@link ReconnectPolicy} and then reports it as the cause of an {@link UpstreamException}.
 */
public final class HlsPlaylistException extends IOException {

  private static final long serialVersionUID = 1L;

  /** The URL this failure concerns, kept for the accessor and the serialized form. */
  private final URI url;

  /**
   * Creates the exception.
   *
   * @param playlistId the registry playlist of the stream
   * @param streamId the stream
   * @param url the HLS playlist URL
   * @param problem what is wrong, e.g. {@code "line 3: EXT-X-TARGETDURATION is not an integer"}
   */
  public HlsPlaylistException(String playlistId, String streamId, URI url, String problem) {
    super("HLS playlist " + Objects.requireNonNull(url, "url") + " of stream '" + streamId
        + "' in playlist '" + playlistId + "': " + problem);
    this.url = url;
  }

  /**
   * Returns the URL of the HLS playlist.
   *
   * @return the URL
   */
  public URI url() {
    return url;
  }
}
