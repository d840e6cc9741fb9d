package io.github.buffercore;

import java.util.List;
import java.util.Optional;

/**
 * An immutable view of a registry for status pages. Each playlist is consistent in itself; the
 * playlists are read one after another, so the snapshot as a whole is not one atomic instant (like a
 * {@link java.util.concurrent.ConcurrentHashMap} iteration). Playlists still being initialized are not
 * included.
 *
 * @param playlists the live playlists, ordered by id
 */
public record RegistrySnapshot(List<PlaylistSnapshot> playlists) {

  /**
   * Copies the list.
   *
   * @param playlists the live playlists, ordered by id
   */
  public RegistrySnapshot {
    playlists = List.copyOf(playlists);
  }

  /**
   * Returns the snapshot of one playlist.
   *
   * @param playlistId the id
   * @return the playlist's snapshot, or empty if it was not live
   */
  public Optional<PlaylistSnapshot> playlist(String playlistId) {
    return playlists.stream().filter(p -> p.id().equals(playlistId)).findFirst();
  }

  /**
   * Returns the number of clients over all playlists.
   *
   * @return the total client count
   */
  public int totalClients() {
    return playlists.stream().mapToInt(PlaylistSnapshot::clients).sum();
  }

  /**
   * Returns the number of running streams (tuners in use) over all playlists.
   *
   * @return the total stream count
   */
  public int totalStreams() {
    return playlists.stream().mapToInt(PlaylistSnapshot::tunersInUse).sum();
  }
}
