package io.github.buffercore.internal;

import io.github.buffercore.ClientKey;
import io.github.buffercore.RegistryEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The {@link PlaylistEvent.Switch} transition, part of the playlist transitions (pure: no I/O, no
 * clock, no user code); it is handed their join, so the two files do not depend on each other. The old leases of the client key leave their streams, then the new lease
 * joins on that intermediate state, so the ordinary join rules decide the tuner: a stream the switch
 * left idle yields it like any stream in its grace period, a stream other viewers still watch keeps
 * it. If the join is refused (or needs a target), the whole step is dropped and the state is
 * unchanged: the old lease keeps playing.
 *
 * <p>Without an old lease it is a join, except that here too every stream stopped in the step is
 * awaited. Every stream stopped in the step is awaited ({@link Effect.AwaitClosed}) before the new stream's
 * {@link Effect.StartUpstream}: the tuner is a connection, so it passes to the new stream only once
 * the old connection has closed.
 */
final class SwitchTransition {

  private final BiFunction<PlaylistState, PlaylistEvent.Join, Step> join;
  private final long streamGraceNanos;
  private final boolean notify;

  SwitchTransition(BiFunction<PlaylistState, PlaylistEvent.Join, Step> join, long streamGraceNanos,
      boolean notify) {
    this.join = join;
    this.streamGraceNanos = streamGraceNanos;
    this.notify = notify;
  }

  Step apply(PlaylistState state, PlaylistEvent.Switch event) {
    Lease lease = event.lease();
    ClientKey key = lease.key();
    String streamId = lease.streamId();
    List<Lease> ended = new ArrayList<>(1);
    for (StreamState stream : state.streams().values()) {
      if (!stream.streamId().equals(streamId)) {
        for (Lease old : stream.clients()) {
          if (key.equals(old.key())) {
            ended.add(old);
          }
        }
      }
    }
    PlaylistEvent.Join asJoin = new PlaylistEvent.Join(lease, event.now(), event.target());
    PlaylistState cut = state;
    List<StreamState> stopped = new ArrayList<>(1);
    List<StreamState> idled = new ArrayList<>(1);
    for (Lease old : ended) {
      StreamState left = cut.streams().get(old.streamId()).withoutClient(old, event.now());
      if (left.idle() && streamGraceNanos == 0L) {
        cut = cut.withoutStream(left.streamId(), event.now());
        stopped.add(left);
      } else {
        cut = cut.withStream(left);
        if (left.idle()) {
          idled.add(left);
        }
      }
    }
    Step joined = join.apply(cut, asJoin);
    if (!(joined.outcome() instanceof Outcome.Started) && !(joined.outcome() instanceof Outcome.Joined)) {
      return new Step(state, joined.effects(), joined.outcome()); // refused or needs a target
    }
    PlaylistState next = joined.next();
    List<Effect> effects = new ArrayList<>(joined.effects().size() + 4 * ended.size());
    for (Lease old : ended) {
      effects.add(new Effect.SwitchClient(old, streamId));
    }
    if (notify) {
      for (Lease old : ended) {
        StreamState from = next.streams().get(old.streamId());
        effects.add(event(RegistryEvent.Type.CLIENT_LEFT, next, old.streamId(), old.clientId(),
            from == null ? 0 : from.clientCount()));
      }
    }
    for (StreamState stream : stopped) {
      effects.add(new Effect.StopUpstream(state.id(), stream, "its last client switched to " + streamId));
      if (notify) {
        effects.add(event(RegistryEvent.Type.STREAM_STOPPED, next, stream.streamId(), 0L, 0));
      }
    }
    List<Effect> rest = joined.effects();
    Effect last = rest.isEmpty() ? null : rest.get(rest.size() - 1);
    Effect.StartUpstream start = last instanceof Effect.StartUpstream s ? s : null;
    effects.addAll(start == null ? rest : rest.subList(0, rest.size() - 1));
    for (StreamState idle : idled) {
      StreamState kept = next.streams().get(idle.streamId());
      if (kept != null && kept.generation() == idle.generation() && kept.idle()) {
        effects.add(new Effect.ScheduleGrace(state.id(), kept)); // not yielded: wait out its grace
      }
    }
    if (start != null) {
      // The tuner is a connection: the new upstream opens only after every stopped one has closed.
      for (Effect effect : List.copyOf(effects)) {
        if (effect instanceof Effect.StopUpstream stop) {
          effects.add(new Effect.AwaitClosed(state.id(), stop.stream(), start));
        }
      }
      effects.add(start); // last, as in every start
    }
    return new Step(next, List.copyOf(effects), joined.outcome());
  }

  private static Effect.Notify event(RegistryEvent.Type type, PlaylistState state, String streamId,
      long clientId, int streamClients) {
    return new Effect.Notify(new RegistryEvent(type, state.id(), streamId, clientId, streamClients,
        state.streams().size(), state.tunerLimit()));
  }
}
