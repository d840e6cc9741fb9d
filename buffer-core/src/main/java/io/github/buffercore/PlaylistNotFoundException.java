package io.github.buffercore;

/**
 * Thrown when an operation names a playlist that the registry does not hold: it was never created,
 * its creation failed, or cleanup removed it. Create it with {@link PlaylistRegistry#getOrCreate}
 * or use {@link PlaylistRegistry#acquire(String, String, PlaylistInitializer)}, which creates it on
 * demand.
 */
public final class PlaylistNotFoundException extends BufferCoreException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param playlistId the id that was not found
   */
  public PlaylistNotFoundException(String playlistId) {
    super("No playlist with ID '" + playlistId + "': create it with getOrCreate() first",
        playlistId, null, null);
  }
}
