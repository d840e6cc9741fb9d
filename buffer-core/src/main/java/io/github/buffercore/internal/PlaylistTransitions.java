package io.github.buffercore.internal;

import io.github.buffercore.LeaseEnd;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.RegistryEvent.Type;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.UpstreamTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The life of one playlist as a pure function {@code (state, event) -> (next state, effects, outcome)}.
 * The registry calls {@link #apply} inside the playlist's map computation and runs the returned effects
 * after it, once. Nothing here does I/O, reads a clock, logs or calls user code; the only objects
 * created besides states are the stream's data path handles, which open nothing until their
 * {@link Effect.StartUpstream} runs.
 *
 * <p>Events are described in the descriptions of the {@link PlaylistEvent} records; the
 * rules are the registry invariants of the {@code io.github.buffercore} package documentation.
 */
final class PlaylistTransitions {

  /** Creates the data path handle of a started stream generation; cheap, opens nothing. */
  @FunctionalInterface
  interface StreamFactory {
    SharedStream create(String playlistId, String streamId, long generation, UpstreamTarget target,
        TunerHold tuner);
  }

  private final long staleAfterNanos;
  private final long streamGraceNanos;
  private final long idleGraceNanos;
  private final boolean notify;
  private final StreamFactory streams;
  private final SwitchTransition switches;

  /**
   * @param staleAfterNanos clients untouched longer are evicted by cleanup
   * @param streamGraceNanos idle streams are kept this long
   * @param idleGraceNanos playlists without streams are kept this long
   * @param notify whether to produce {@link Effect.Notify} effects (a listener is registered)
   * @param streams the data path factory, or {@code null} for a registry without upstream
   */
  PlaylistTransitions(long staleAfterNanos, long streamGraceNanos, long idleGraceNanos, boolean notify,
      StreamFactory streams) {
    this.staleAfterNanos = staleAfterNanos;
    this.streamGraceNanos = streamGraceNanos;
    this.idleGraceNanos = idleGraceNanos;
    this.notify = notify;
    this.streams = streams;
    this.switches = new SwitchTransition(this::join, streamGraceNanos, notify);
  }

  /** The transition function. */
  Step apply(PlaylistState state, PlaylistEvent event) {
    if (event instanceof PlaylistEvent.Join join) {
      return join(state, join); // adds a client: the stream's join gate stays open
    } else if (event instanceof PlaylistEvent.Update update) {
      return state.playlist() == update.expected()
          ? new Step(state.withPlaylist(update.replacement()), List.of(), Outcome.CHANGED)
          : Step.unchanged(state);
    }
    // JoinGate: every other event may remove a client or a stream, so it first closes the gates
    // it may touch and takes their members in; its decisions then see every client.
    state = state.folded(event instanceof PlaylistEvent.Leave leave ? leave.lease().streamId() : null);
    if (event instanceof PlaylistEvent.Switch change) {
      return switches.apply(state, change);
    } else if (event instanceof PlaylistEvent.Leave leave) {
      return leave(state, leave);
    } else if (event instanceof PlaylistEvent.Cleanup cleanup) {
      return cleanup(state, cleanup.now());
    } else if (event instanceof PlaylistEvent.GraceExpired expired) {
      return graceExpired(state, expired);
    } else if (event instanceof PlaylistEvent.UpstreamFailed failed) {
      return upstreamFailed(state, failed);
    } else {
      return evict(state);
    }
  }

  private Step join(PlaylistState state, PlaylistEvent.Join join) {
    Lease lease = join.lease();
    String streamId = lease.streamId();
    StreamState stream = state.streams().get(streamId);
    if (stream != null) {
      StreamState joined = stream.withClient(lease);
      PlaylistState next = state.withStream(joined);
      List<Effect> effects = notify
          ? List.of(event(Type.CLIENT_JOINED, next, streamId, lease.clientId(), joined.clientCount()))
          : List.of();
      return new Step(next, effects, new Outcome.Joined(joined));
    }
    if (streams != null && join.target() == null) {
      return new Step(state, List.of(), Outcome.NEEDS_TARGET);
    }
    int limit = state.tunerLimit();
    Map<String, StreamState> kept = new LinkedHashMap<>(state.streams());
    List<Effect> effects = new ArrayList<>(6);
    List<StreamState> yielded = new ArrayList<>(1);
    // Streams waiting out their grace period hold a tuner only until someone needs it.
    while (kept.size() >= limit) {
      StreamState longestIdle = null;
      for (StreamState candidate : kept.values()) {
        if (candidate.idle() && (longestIdle == null || candidate.idleSince() < longestIdle.idleSince())) {
          longestIdle = candidate;
        }
      }
      if (longestIdle == null) {
        // Nothing changes on a refusal: streams picked to yield above stay, and are not stopped.
        TunerLimitExceededException refusal = new TunerLimitExceededException(state.id(), streamId,
            limit, List.copyOf(state.streams().keySet()));
        List<Effect> refused = notify
            ? List.of(new Effect.Refuse(refusal),
                event(Type.TUNER_LIMIT_REACHED, state, streamId, lease.clientId(), 0))
            : List.of(new Effect.Refuse(refusal));
        return new Step(state, refused, new Outcome.Refused(refusal));
      }
      kept.remove(longestIdle.streamId());
      yielded.add(longestIdle);
      effects.add(new Effect.StopUpstream(state.id(), longestIdle, "yielded its tuner"));
    }
    // The starter's client id is unique per registry, so it names this start of the stream without
    // a shared counter on the join path.
    long generation = lease.clientId();
    TunerHold tuner = new TunerHold();
    SharedStream shared = streams == null ? null
        : streams.create(state.id(), streamId, generation, join.target(), tuner);
    StreamState started = StreamState.started(streamId, generation, lease, shared, tuner, !notify);
    kept.put(streamId, started);
    PlaylistState next = state.withStreams(kept, join.now());
    if (notify) {
      for (StreamState stopped : yielded) {
        effects.add(event(Type.STREAM_STOPPED, next, stopped.streamId(), 0L, 0));
      }
      effects.add(event(Type.STREAM_STARTED, next, streamId, 0L, 1));
      effects.add(event(Type.CLIENT_JOINED, next, streamId, lease.clientId(), 1));
    }
    effects.add(new Effect.StartUpstream(state.id(), started, limit)); // last: after the yields
    return new Step(next, effects, new Outcome.Started(started));
  }

  private Step leave(PlaylistState state, PlaylistEvent.Leave leave) {
    Lease lease = leave.lease();
    String streamId = lease.streamId();
    StreamState stream = state.streams().get(streamId);
    if (stream == null || !stream.holds(lease)) {
      return Step.unchanged(state); // already evicted by cleanup or close: nothing left to release
    }
    StreamState left = stream.withoutClient(lease, leave.now());
    if (left.idle() && streamGraceNanos == 0L) {
      PlaylistState next = state.withoutStream(streamId, leave.now());
      List<Effect> effects = new ArrayList<>(3);
      effects.add(new Effect.StopUpstream(state.id(), left, "its last client left"));
      if (notify) {
        effects.add(event(Type.CLIENT_LEFT, next, streamId, lease.clientId(), 0));
        effects.add(event(Type.STREAM_STOPPED, next, streamId, 0L, 0));
      }
      return new Step(next, effects, Outcome.CHANGED);
    }
    PlaylistState next = state.withStream(left);
    Effect left1 = notify ? event(Type.CLIENT_LEFT, next, streamId, lease.clientId(), left.clientCount()) : null;
    Effect grace = left.idle() ? new Effect.ScheduleGrace(state.id(), left) : null;
    List<Effect> effects = left1 == null
        ? (grace == null ? List.of() : List.of(grace))
        : (grace == null ? List.of(left1) : List.of(left1, grace));
    return new Step(next, effects, Outcome.CHANGED);
  }

  private Step graceExpired(PlaylistState state, PlaylistEvent.GraceExpired expired) {
    String streamId = expired.streamId();
    StreamState stream = state.streams().get(streamId);
    // The generation check: a stream that was rejoined, or stopped and started again, is not ours.
    if (stream == null || stream.generation() != expired.generation() || !stream.idle()
        || expired.now() - stream.idleSince() < streamGraceNanos) {
      return Step.unchanged(state);
    }
    PlaylistState next = state.withoutStream(streamId, stream.idleSince());
    List<Effect> effects = new ArrayList<>(2);
    effects.add(new Effect.StopUpstream(state.id(), stream, "its grace period ended"));
    if (notify) {
      effects.add(event(Type.STREAM_STOPPED, next, streamId, 0L, 0));
    }
    return new Step(next, effects, Outcome.CHANGED);
  }

  private Step upstreamFailed(PlaylistState state, PlaylistEvent.UpstreamFailed failed) {
    String streamId = failed.streamId();
    StreamState stream = state.streams().get(streamId);
    if (stream == null || stream.generation() != failed.generation()) {
      return Step.unchanged(state);
    }
    PlaylistState next = state.withoutStream(streamId, failed.now());
    List<Effect> effects = new ArrayList<>(2 * stream.clientCount() + 3);
    if (failed.refused() && notify) {
      long refusedClient = stream.idle() ? 0L : stream.clients().get(0).clientId();
      effects.add(event(Type.TUNER_LIMIT_REACHED, next, streamId, refusedClient, 0));
    }
    for (Lease lease : stream.clients()) {
      effects.add(new Effect.EvictClient(lease, false, LeaseEnd.Reason.UPSTREAM_FAILED));
    }
    effects.add(new Effect.StopUpstream(state.id(), stream, failed.reason()));
    if (notify) {
      for (Lease lease : stream.clients()) {
        effects.add(event(Type.CLIENT_EVICTED, next, streamId, lease.clientId(), 0));
      }
      if (!failed.refused()) {
        effects.add(event(Type.UPSTREAM_FAILED, next, streamId, 0L, 0));
      }
      effects.add(event(Type.STREAM_STOPPED, next, streamId, 0L, 0));
    }
    return new Step(next, effects, Outcome.CHANGED);
  }

  /**
   * Read-only: would {@link #cleanup} at {@code now} remove {@code state} whole and do nothing else
   * but delete its folder (no streams, idle past its grace, no listener to tell)? The registry then
   * removes it with the map's {@code remove(id, state)} instead of a compute: the same decision, made
   * on the same state, re-checked atomically (only that state, or an equal one, is removed). If a join,
   * an update or anything else replaced it meanwhile, the registry runs the cleanup compute on the
   * newer state instead, so the pass still removes whatever is removable when it gets there
   * ({@code RegistryLinearizabilityTest}: an update racing a cleanup of an idle playlist).
   */
  boolean removesWhole(PlaylistState state, long now) {
    return !notify && state.streams().isEmpty() && now - state.idleSince() >= idleGraceNanos;
  }

  /** Read-only: could {@link #cleanup} change this state at {@code now}? */
  boolean mayNeedCleanup(PlaylistState state, long now) {
    if (state.streams().isEmpty()) {
      return now - state.idleSince() >= idleGraceNanos;
    }
    for (StreamState stream : state.streamArray()) {
      if (stream.idle()) {
        if (now - stream.idleSince() >= streamGraceNanos) {
          return true;
        }
        continue;
      }
      for (Lease lease : stream.viewers()) { // the join gate's members too
        if (now - lease.lastTouched() > staleAfterNanos || lease.lappedStall()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Every condition is checked against the state being replaced, so a client that joined a moment
   * ago keeps its stream and playlist.
   */
  private Step cleanup(PlaylistState state, long now) {
    if (state.streams().isEmpty()) {
      // Without streams the only possible change is removing the playlist: no lists to build (the
      // same step as the general path below gives for an empty playlist; ChurnBenchmark).
      if (now - state.idleSince() < idleGraceNanos) {
        return Step.unchanged(state);
      }
      List<Effect> effects = notify
          ? List.of(new Effect.DeleteFolder(state), event(Type.PLAYLIST_REMOVED, state, null, 0L, 0))
          : List.of(new Effect.DeleteFolder(state));
      return new Step(null, effects, Outcome.REMOVED);
    }
    Map<String, StreamState> kept = new LinkedHashMap<>();
    List<Lease> evicted = new ArrayList<>();
    List<StreamState> stopped = new ArrayList<>();
    long lastActivity = state.idleSince();
    for (StreamState stream : state.streamArray()) {
      List<Lease> clients = new ArrayList<>(stream.clientCount());
      long lastTouch = Long.MIN_VALUE;
      for (Lease lease : stream.clients()) {
        long touched = lease.lastTouched();
        if (now - touched > staleAfterNanos || lease.lappedStall()) {
          evicted.add(lease);
          lastTouch = Math.max(lastTouch, touched);
        } else {
          clients.add(lease);
        }
      }
      StreamState next = stream;
      if (clients.size() != stream.clientCount()) {
        // A stream whose clients all vanished has been idle since the last of them was active.
        next = stream.withClients(clients, lastTouch);
      }
      if (next.idle() && now - next.idleSince() >= streamGraceNanos) {
        stopped.add(next);
        lastActivity = Math.max(lastActivity, next.idleSince());
        continue;
      }
      kept.put(next.streamId(), next);
    }
    boolean changed = !evicted.isEmpty() || !stopped.isEmpty();
    if (!changed && !state.streams().isEmpty()) {
      return Step.unchanged(state);
    }
    PlaylistState next = changed ? state.withStreams(kept, lastActivity) : state;
    boolean remove = next.streams().isEmpty() && now - next.idleSince() >= idleGraceNanos;
    if (!changed && !remove) {
      return Step.unchanged(state);
    }
    List<Effect> effects = new ArrayList<>();
    for (Lease lease : evicted) {
      // Stale or lapped clients stopped reading: their reader is closed too.
      effects.add(new Effect.EvictClient(lease, true,
          lease.lappedStall() ? LeaseEnd.Reason.LAPPED : LeaseEnd.Reason.EVICTED_STALE));
    }
    for (StreamState stream : stopped) {
      effects.add(new Effect.StopUpstream(state.id(), stream, "it had no clients"));
    }
    if (remove) {
      effects.add(new Effect.DeleteFolder(next));
    }
    // Events describe the state this compute publishes (or, for a removal, the last one).
    if (notify) {
      for (Lease lease : evicted) {
        StreamState stream = kept.get(lease.streamId());
        effects.add(event(Type.CLIENT_EVICTED, next, lease.streamId(), lease.clientId(),
            stream == null ? 0 : stream.clientCount()));
      }
      for (StreamState stream : stopped) {
        effects.add(event(Type.STREAM_STOPPED, next, stream.streamId(), 0L, 0));
      }
      if (remove) {
        effects.add(event(Type.PLAYLIST_REMOVED, next, null, 0L, 0));
      }
    }
    return remove ? new Step(null, effects, Outcome.REMOVED) : new Step(next, effects, Outcome.CHANGED);
  }

  private Step evict(PlaylistState state) {
    List<Effect> effects = new ArrayList<>();
    List<Effect> events = new ArrayList<>();
    PlaylistState empty = state.withStreams(Map.of(), 0L);
    for (StreamState stream : state.streams().values()) {
      for (Lease lease : stream.clients()) {
        effects.add(new Effect.EvictClient(lease, false, LeaseEnd.Reason.REGISTRY_CLOSED));
        if (notify) {
          events.add(event(Type.CLIENT_EVICTED, empty, stream.streamId(), lease.clientId(), 0));
        }
      }
    }
    for (StreamState stream : state.streams().values()) {
      effects.add(new Effect.StopUpstream(state.id(), stream, "the registry closed"));
      if (notify) {
        events.add(event(Type.STREAM_STOPPED, empty, stream.streamId(), 0L, 0));
      }
    }
    effects.add(new Effect.DeleteFolder(state));
    effects.addAll(events);
    if (notify) {
      effects.add(event(Type.PLAYLIST_REMOVED, empty, null, 0L, 0));
    }
    return new Step(null, effects, Outcome.REMOVED);
  }

  private static Effect.Notify event(Type type, PlaylistState state, String streamId, long clientId,
      int streamClients) {
    return new Effect.Notify(new RegistryEvent(type, state.id(), streamId, clientId, streamClients,
        state.streams().size(), state.tunerLimit()));
  }
}
