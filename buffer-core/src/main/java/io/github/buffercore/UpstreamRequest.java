package io.github.buffercore;

import java.net.URI;
import java.util.Objects;

/**
 * What an {@link UpstreamSource} is asked to open: one URL of one stream, for one attempt.
 *
 * <p>Immutable and thread-safe.
 *
 * @param playlistId the playlist of the stream, for logging and error messages
 * @param streamId the stream whose upstream is opened
 * @param url the URL to open: the primary URL or one of the backup URLs of the stream
 * @param attempt the number of this attempt at {@code url} in the current round, starting at 1
 */
public record UpstreamRequest(String playlistId, String streamId, URI url, int attempt) {

  /**
   * Validates the components.
   *
   * @param playlistId the playlist of the stream, for logging and error messages
   * @param streamId the stream whose upstream is opened
   * @param url the URL to open: the primary URL or one of the backup URLs of the stream
   * @param attempt the number of this attempt at {@code url} in the current round, starting at 1
   * @throws NullPointerException if an id or the URL is {@code null}
   * @throws IllegalArgumentException if {@code attempt} is less than 1
   */
  public UpstreamRequest {
    Objects.requireNonNull(playlistId, "playlistId");
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(url, "url");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, got: " + attempt);
    }
  }
}
