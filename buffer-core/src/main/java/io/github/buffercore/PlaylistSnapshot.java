package io.github.buffercore;

import java.util.List;
import java.util.Objects;

/**
 * The state of one playlist at the instant of a {@link PlaylistRegistry#snapshot()}; consistent within
 * the playlist (taken from one immutable state of it).
 *
 * @param playlist the playlist and its settings
 * @param streams its streams, each holding one tuner
 */
public record PlaylistSnapshot(Playlist playlist, List<StreamSnapshot> streams) {

  /**
   * Copies the stream list.
   *
   * @param playlist the playlist and its settings
   * @param streams its streams, each holding one tuner
   */
  public PlaylistSnapshot {
    Objects.requireNonNull(playlist, "playlist");
    streams = List.copyOf(streams);
  }

  /**
   * Returns the playlist id.
   *
   * @return the id
   */
  public String id() {
    return playlist.id();
  }

  /**
   * Returns how many tuners are in use: one per stream, including streams in their grace period.
   *
   * @return tuners in use, never above the limit
   */
  public int tunersInUse() {
    return streams.size();
  }

  /**
   * Returns the total number of clients over all streams.
   *
   * @return the client count
   */
  public int clients() {
    return streams.stream().mapToInt(StreamSnapshot::clients).sum();
  }
}
