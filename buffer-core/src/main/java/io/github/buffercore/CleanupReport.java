package io.github.buffercore;

import java.util.List;

/**
 * What one {@link PlaylistRegistry#cleanup()} pass removed.
 *
 * @param evictedClients the clients removed because they were not touched within {@code staleAfter},
 *     as {@code playlistId/streamId/clientId} strings
 * @param stoppedStreams the streams removed because they had no clients past their grace period, as
 *     {@code playlistId/streamId} strings
 * @param removedPlaylists the ids of the playlists removed because they had no streams past their
 *     idle grace
 */
public record CleanupReport(
    List<String> evictedClients, List<String> stoppedStreams, List<String> removedPlaylists) {

  /**
   * Copies the lists.
   *
   * @param evictedClients the clients removed because they were not touched within {@code
   *     staleAfter}, as {@code playlistId/streamId/clientId} strings
   * @param stoppedStreams the streams removed because they had no clients past their grace period,
   *     as {@code playlistId/streamId} strings
   * @param removedPlaylists the ids of the playlists removed because they had no streams past their
   *     idle grace
   */
  public CleanupReport {
    evictedClients = List.copyOf(evictedClients);
    stoppedStreams = List.copyOf(stoppedStreams);
    removedPlaylists = List.copyOf(removedPlaylists);
  }

  /**
   * Returns whether nothing was removed.
   *
   * @return {@code true} if the pass removed nothing
   */
  public boolean isEmpty() {
    return evictedClients.isEmpty() && stoppedStreams.isEmpty() && removedPlaylists.isEmpty();
  }
}
