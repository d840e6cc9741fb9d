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
   * The lists of one cleanup pass's report, each made only when the pass puts something in it. The
   * pass carries its tally as an {@code Object}: {@code null} (nothing yet), the id of the one playlist
   * removed so far (a {@link String}: the common pass that removes a single idle playlist allocates
   * only its report and that report's one-element list, {@code ChurnBenchmark}, {@code -prof gc}), or
   * a {@link CleanupTally} once there is more. Used by one thread, for one pass.
   */
  static final class CleanupTally {

    private static final CleanupReport NOTHING = new CleanupReport(List.of(), List.of(), List.of());

    private List<String> evicted;
    private List<String> stopped;
    private List<String> removed;

    private CleanupTally() {
    }

    /**
     * Adds what one cleanup step of {@code playlistId} evicted, stopped and removed.
     *
     * @param tally the pass's tally so far ({@code null}, a removed id or a {@code CleanupTally})
     * @return the tally with the step added
     */
    static Object record(Object tally, String playlistId, Step step) {
      if (step.effects().isEmpty() && step.outcome() != Outcome.REMOVED) {
        return tally;
      }
      CleanupTally into = grown(tally);
      into.add(playlistId, step);
      return into;
    }

    /**
     * Adds a removed playlist.
     *
     * @param tally the pass's tally so far ({@code null}, a removed id or a {@code CleanupTally})
     * @return the tally with {@code playlistId} added
     */
    static Object removed(Object tally, String playlistId) {
      if (tally == null) {
        return playlistId;
      }
      CleanupTally into = grown(tally);
      into.removed = add(into.removed, playlistId);
      return into;
    }

    /** The tally as lists: {@code tally} itself, or a new one holding what it stood for. */
    private static CleanupTally grown(Object tally) {
      if (tally instanceof CleanupTally lists) {
        return lists;
      }
      CleanupTally into = new CleanupTally();
      if (tally != null) {
        into.removed = List.of((String) tally);
      }
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

    /** The report of the pass; {@code tally} is {@code null} (nothing removed), a removed id or lists. */
    static CleanupReport report(Object tally) {
      if (tally == null) {
        return NOTHING;
      }
      if (tally instanceof String onlyRemoved) {
        return new CleanupReport(List.of(), List.of(), List.of(onlyRemoved));
      }
      CleanupTally lists = (CleanupTally) tally;
      return new CleanupReport(orNone(lists.evicted), orNone(lists.stopped), orNone(lists.removed));
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
