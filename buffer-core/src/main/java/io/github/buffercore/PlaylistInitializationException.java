package io.github.buffercore;

/**
 * Thrown to every caller that waited for a playlist whose {@link PlaylistInitializer} failed (or whose
 * working folder could not be created). Nothing was stored: a later call runs the initializer again.
 * The original failure is the {@linkplain #getCause() cause}.
 */
public final class PlaylistInitializationException extends BufferCoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param playlistId the playlist whose creation failed
   * @param cause what the initializer threw
   */
  public PlaylistInitializationException(String playlistId, Throwable cause) {
    super("Creating playlist '" + playlistId + "' failed: " + cause, playlistId, null, cause);
  }
}
