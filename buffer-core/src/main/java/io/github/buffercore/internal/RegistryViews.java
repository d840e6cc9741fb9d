package io.github.buffercore.internal;

import io.github.buffercore.CleanupReport;
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

  /**
   * The lists of one cleanup pass's report, each made only when the pass puts something in it: a pass
   * that removes nothing allocates nothing for its report, and one that removes a single playlist one
   * one-element list ({@code ChurnBenchmark}, {@code -prof gc}). Used by one thread, for one pass.
   */
  static final class CleanupTally {

    private static final CleanupReport NOTHING = new CleanupReport(List.of(), List.of(), List.of());

    private List<String> evicted;
    private List<String> stopped;
    private List<String> removed;

    /**
     * Adds what one cleanup step of {@code playlistId} evicted, stopped and removed.
     *
     * @return {@code tally}, or a new one if it was {@code null} and the step removed something
     */
    static CleanupTally record(CleanupTally tally, String playlistId, Step step) {
      if (step.effects().isEmpty() && step.outcome() != Outcome.REMOVED) {
        return tally;
      }
      CleanupTally into = tally != null ? tally : new CleanupTally();
      into.add(playlistId, step);
      return into;
    }

    /**
     * Adds a removed playlist.
     *
     * @return {@code tally}, or a new one if it was {@code null}
     */
    static CleanupTally removed(CleanupTally tally, String playlistId) {
      CleanupTally into = tally != null ? tally : new CleanupTally();
      into.removed = add(into.removed, playlistId);
      return into;
    }

    private void add(String playlistId, Step step) {
      for (Effect effect : step.effects()) {
        if (effect instanceof Effect.EvictClient evict) {
          Lease lease = evict.lease();
          evicted = add(evicted, lease.playlistId() + "/" + lease.streamId() + "/" + lease.clientId());
        } else if (effect instanceof Effect.StopUpstream stop) {
          stopped = add(stopped, playlistId + "/" + stop.stream().streamId());
        }
      }
      if (step.outcome() == Outcome.REMOVED) {
        removed = add(removed, playlistId);
      }
    }

    /** The report of the pass; {@code tally} may be {@code null}: nothing was removed. */
    static CleanupReport report(CleanupTally tally) {
      return tally == null ? NOTHING : new CleanupReport(orNone(tally.evicted), orNone(tally.stopped),
          orNone(tally.removed));
    }

    private static List<String> add(List<String> list, String item) {
      if (list == null) {
        return List.of(item); // kept as it is by the report's List.copyOf
      }
      List<String> grown = list instanceof ArrayList<String> growing ? growing : new ArrayList<>(list);
      grown.add(item);
      return grown;
    }

    private static List<String> orNone(List<String> list) {
      return list == null ? List.of() : list;
    }
  }
}
