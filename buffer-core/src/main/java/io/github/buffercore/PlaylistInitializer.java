package io.github.buffercore;

/**
 * Builds the settings of a playlist the first time it is needed, for example by reading its M3U source
 * and tuner limit from a configuration store.
 *
 * <p>The registry runs an initializer at most once per creation of a playlist id, outside of any lock
 * or map computation, on the thread of the caller that won the creation race; concurrent callers for
 * the same id wait for its result. It may block and do I/O. It must not call back into the registry for
 * the same id (that would wait for itself and is refused with an {@link IllegalStateException}).
 */
@FunctionalInterface
public interface PlaylistInitializer {

  /**
   * Returns the settings of a new playlist.
   *
   * @param playlistId the validated id of the playlist being created
   * @return its settings, never {@code null}
   * @throws Exception any failure; nothing is stored and every waiting caller receives it wrapped in a
   *     {@link PlaylistInitializationException}
   */
  PlaylistSettings initialize(String playlistId) throws Exception;
}
