package io.github.buffercore;

/**
 * Tells the registry where the upstream of a stream is, for example by looking the channel up in an
 * M3U playlist. Called by {@link PlaylistRegistry#acquire} outside any lock, before anything changes,
 * whenever the stream is not running yet; it should be quick (a map look-up).
 */
@FunctionalInterface
public interface UpstreamResolver {

  /**
   * Returns the upstream of a stream, or {@code null} if the playlist has no such stream; the caller
   * then gets an {@link UnknownStreamException} and nothing changes.
   *
   * @param playlistId the playlist id
   * @param streamId the stream (channel) id
   * @return the upstream, or {@code null} if unknown
   */
  UpstreamTarget resolve(String playlistId, String streamId);
}
