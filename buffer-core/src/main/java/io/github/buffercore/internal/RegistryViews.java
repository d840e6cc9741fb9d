package io.github.buffercore.internal;

import io.github.buffercore.PlaylistSnapshot;
import io.github.buffercore.RegistrySnapshot;
import io.github.buffercore.StreamSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * What the registry shows of its states: the immutable snapshot, and the cleanup report's entries for
 * one cleanup step. Pure functions of states and steps the caller already holds; no map access.
 */
final class RegistryViews {

  private RegistryViews() {
  }

  /** A consistent-per-playlist snapshot of the live playlists among {@code nodes}, sorted by id. */
  static RegistrySnapshot snapshot(Collection<RegistryNode> nodes) {
    List<PlaylistSnapshot> result = new ArrayList<>();
    for (RegistryNode node : nodes) {
      if (node instanceof PlaylistState state) {
        List<StreamSnapshot> streams = new ArrayList<>(state.streams().size());
        for (StreamState stream : state.streams().values()) {
          streams.add(new StreamSnapshot(stream.streamId(), stream.generation(), stream.viewerCount(),
              stream.stats()));
        }
        result.add(new PlaylistSnapshot(state.playlist(), streams));
      }
    }
    result.sort(Comparator.comparing(PlaylistSnapshot::id));
    return new RegistrySnapshot(result);
  }

  /** Adds what one cleanup step of {@code playlistId} evicted, stopped and removed to the report lists. */
  static void record(String playlistId, Step step, List<String> evicted, List<String> stopped,
      List<String> removed) {
    for (Effect effect : step.effects()) {
      if (effect instanceof Effect.EvictClient evict) {
        Lease lease = evict.lease();
        evicted.add(lease.playlistId() + "/" + lease.streamId() + "/" + lease.clientId());
      } else if (effect instanceof Effect.StopUpstream stop) {
        stopped.add(playlistId + "/" + stop.stream().streamId());
      }
    }
    if (step.outcome() == Outcome.REMOVED) {
      removed.add(playlistId);
    }
  }
}
