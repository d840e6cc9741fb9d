package io.github.buffercore.stress.scenario;

import io.github.buffercore.PlaylistSnapshot;
import io.github.buffercore.RegistrySnapshot;
import io.github.buffercore.StreamSnapshot;
import java.util.Optional;

/** Small helpers the scenarios' arbiters use to read a {@link RegistrySnapshot}. */
final class Scenarios {

  static final String PLAYLIST = "provider-1";

  private Scenarios() { }

  /** The stream, if the playlist and the stream exist. */
  static Optional<StreamSnapshot> stream(RegistrySnapshot snapshot, String streamId) {
    return snapshot.playlist(PLAYLIST)
        .flatMap(p -> p.streams().stream().filter(s -> s.streamId().equals(streamId)).findFirst());
  }

  /** Clients of the stream, or -1 if there is no such stream (or playlist). */
  static int clientsOf(RegistrySnapshot snapshot, String streamId) {
    return stream(snapshot, streamId).map(StreamSnapshot::clients).orElse(-1);
  }

  /** Clients of the playlist, or -1 if there is no such playlist. */
  static int clientsOfPlaylist(RegistrySnapshot snapshot) {
    return snapshot.playlist(PLAYLIST).map(PlaylistSnapshot::clients).orElse(-1);
  }

  /** Tuners in use in the playlist, or -1 if there is no such playlist. */
  static int tunersInUse(RegistrySnapshot snapshot) {
    return snapshot.playlist(PLAYLIST).map(PlaylistSnapshot::tunersInUse).orElse(-1);
  }
}
