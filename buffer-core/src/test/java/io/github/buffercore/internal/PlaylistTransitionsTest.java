package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.ClientKey;
import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.UpstreamTarget;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The transition function as plain functions: a table of every event in every state, with the outcome
 * and effects each cell must produce, then random event sequences checked against the invariants.
 */
class PlaylistTransitionsTest {

  private static final long STALE = 30;
  private static final long GRACE = 10;
  private static final long IDLE = 60;
  private static final long T0 = 1_000;
  private static final UpstreamTarget TARGET = UpstreamTarget.of(URI.create("inprocess:x"));

  private final PlaylistTransitions rules = new PlaylistTransitions(STALE, GRACE, IDLE, true, null);
  private final PlaylistTransitions noGrace = new PlaylistTransitions(STALE, 0, IDLE, true, null);
  /** A registry with a data path: joins to a stream that is not running need a resolved target. */
  private final PlaylistTransitions withData =
      new PlaylistTransitions(STALE, GRACE, IDLE, true, (p, s, g, t, tuner) -> null);
  private long clientIds = 10_000; // above the generations of the table's streams: a generation is a client id

  private Lease lease(String streamId, long touchedAt) {
    return lease(streamId, touchedAt, null);
  }

  private Lease lease(String streamId, long touchedAt, ClientKey key) {
    Lease lease = new Lease(released -> { }, "p1", streamId, ++clientIds, () -> touchedAt, key);
    lease.activeAt(touchedAt);
    return lease;
  }

  private static PlaylistState playlist(int tunerLimit) {
    return PlaylistState.created(
        new Playlist("p1", 1, PlaylistSettings.withTuners(tunerLimit), Optional.empty()), T0);
  }

  private static StreamState running(String streamId, long generation, Lease... clients) {
    return new StreamState(streamId, generation, PrefixSharingList.copyOf(List.of(clients)), 0L, null,
        new TunerHold(), null);
  }

  private static StreamState idle(String streamId, long generation, long idleSince) {
    return new StreamState(streamId, generation, PrefixSharingList.empty(), idleSince, null, new TunerHold(),
        null);
  }

  // ---------------------------------------------------------------------------------------------
  // The states of the table

  private static final ClientKey K1 = ClientKey.of("k1");
  private final Lease a1 = lease("a", T0, K1);
  private final Lease a2 = lease("a", T0);
  private final Map<String, PlaylistState> states = new LinkedHashMap<>();

  {
    states.put("empty", playlist(2));
    states.put("one running", playlist(2).withStream(running("a", 100, a1)));
    states.put("two clients", playlist(2).withStream(running("a", 100, a1, a2)));
    states.put("idle in grace", playlist(2).withStream(idle("a", 100, T0)));
    states.put("full, all running", playlist(1).withStream(running("a", 100, a1)));
    states.put("full, one idle", playlist(1).withStream(idle("a", 100, T0)));
  }

  /** The events of the table, each applied to every state at a given time. */
  private Map<String, Function<PlaylistState, PlaylistEvent>> events(long now) {
    Map<String, Function<PlaylistState, PlaylistEvent>> events = new LinkedHashMap<>();
    events.put("join a", s -> new PlaylistEvent.Join(lease("a", now), now, TARGET));
    events.put("join b", s -> new PlaylistEvent.Join(lease("b", now), now, TARGET));
    events.put("switch k1 to b", s -> new PlaylistEvent.Switch(lease("b", now, K1), now, TARGET));
    events.put("switch k1 to a", s -> new PlaylistEvent.Switch(lease("a", now, K1), now, TARGET));
    events.put("leave a1", s -> new PlaylistEvent.Leave(a1, now));
    events.put("leave stranger", s -> new PlaylistEvent.Leave(lease("a", now), now));
    events.put("cleanup", s -> new PlaylistEvent.Cleanup(now));
    events.put("grace expired a/100", s -> new PlaylistEvent.GraceExpired("a", 100, now));
    events.put("grace expired a/99", s -> new PlaylistEvent.GraceExpired("a", 99, now));
    events.put("upstream failed a/100", s -> new PlaylistEvent.UpstreamFailed("a", 100, now, "x", false));
    events.put("refused a/100", s -> new PlaylistEvent.UpstreamFailed("a", 100, now, "x", true));
    events.put("upstream failed a/99", s -> new PlaylistEvent.UpstreamFailed("a", 99, now, "x", false));
    events.put("update", s -> new PlaylistEvent.Update(s.playlist(),
        new Playlist("p1", 1, PlaylistSettings.withTuners(5), Optional.empty())));
    events.put("stale update", s -> new PlaylistEvent.Update(
        new Playlist("p1", 1, PlaylistSettings.withTuners(2), Optional.empty()),
        new Playlist("p1", 1, PlaylistSettings.withTuners(5), Optional.empty())));
    events.put("evict", s -> new PlaylistEvent.Evict());
    return events;
  }

  /** What one cell must produce: the outcome's name and the effects' summary, in order. */
  private static String summary(Step step) {
    String outcome = step.outcome().getClass().getSimpleName();
    String effects = step.effects().stream().map(PlaylistTransitionsTest::summary)
        .collect(Collectors.joining(" "));
    return effects.isEmpty() ? outcome : outcome + ": " + effects;
  }

  private static String summary(Effect effect) {
    if (effect instanceof Effect.Notify n) {
      RegistryEvent e = n.event();
      return e.type() + (e.streamId() == null ? "" : "(" + e.streamId() + ")");
    } else if (effect instanceof Effect.StartUpstream s) {
      return "start(" + s.stream().streamId() + ")";
    } else if (effect instanceof Effect.StopUpstream s) {
      return "stop(" + s.stream().streamId() + ")";
    } else if (effect instanceof Effect.EvictClient e) {
      return "evict(" + e.lease().streamId() + (e.closeReader() ? ",reader" : "") + ")";
    } else if (effect instanceof Effect.DeleteFolder) {
      return "delete";
    } else if (effect instanceof Effect.SwitchClient c) {
      return "switch(" + c.lease().streamId() + ")";
    } else if (effect instanceof Effect.AwaitClosed w) {
      return "await(" + w.stream().streamId() + ")";
    } else if (effect instanceof Effect.ScheduleGrace g) {
      return "grace(" + g.stream().streamId() + ")";
    } else {
      return "refuse";
    }
  }

  private static final String J = "CLIENT_JOINED(a)";

  /** Every event in every state, at a time when no grace has run out yet (T0 + 1). */
  @Test
  void everyEventInEveryStateWhileNoGraceHasRunOut() {
    Map<String, String> expected = new LinkedHashMap<>();
    expect(expected, "join a",
        "Started: STREAM_STARTED(a) " + J + " start(a)", "Joined: " + J, "Joined: " + J, "Joined: " + J,
        "Joined: " + J, "Joined: " + J);
    String startB = "STREAM_STARTED(b) CLIENT_JOINED(b) start(b)";
    expect(expected, "join b", "Started: " + startB, "Started: " + startB, "Started: " + startB,
        "Started: " + startB, "Refused: refuse TUNER_LIMIT_REACHED(b)",
        "Started: stop(a) STREAM_STOPPED(a) " + startB);
    String leftA = "switch(a) CLIENT_LEFT(a) ";
    expect(expected, "switch k1 to b", "Started: " + startB, "Started: " + leftA + "STREAM_STARTED(b) "
        + "CLIENT_JOINED(b) grace(a) start(b)", "Started: " + leftA + startB, "Started: " + startB,
        "Started: " + leftA + "stop(a) STREAM_STOPPED(a) STREAM_STARTED(b) CLIENT_JOINED(b) await(a) start(b)",
        "Started: stop(a) STREAM_STOPPED(a) STREAM_STARTED(b) CLIENT_JOINED(b) await(a) start(b)");
    expected.put("switch k1 to a @ empty", "Started: STREAM_STARTED(a) " + J + " start(a)");
    states.keySet().stream().skip(1).forEach(state -> expected.put("switch k1 to a @ " + state, "Joined: " + J));
    expect(expected, "leave a1", "Unchanged", "Changed: CLIENT_LEFT(a) grace(a)",
        "Changed: CLIENT_LEFT(a)", "Unchanged", "Changed: CLIENT_LEFT(a) grace(a)", "Unchanged");
    expect(expected, "leave stranger", "Unchanged", "Unchanged", "Unchanged", "Unchanged", "Unchanged",
        "Unchanged");
    expect(expected, "cleanup", "Unchanged", "Unchanged", "Unchanged", "Unchanged", "Unchanged",
        "Unchanged");
    expect(expected, "grace expired a/100", "Unchanged", "Unchanged", "Unchanged", "Unchanged",
        "Unchanged", "Unchanged");
    expect(expected, "grace expired a/99", "Unchanged", "Unchanged", "Unchanged", "Unchanged",
        "Unchanged", "Unchanged");
    String failedOne = "Changed: evict(a) stop(a) CLIENT_EVICTED(a) UPSTREAM_FAILED(a) STREAM_STOPPED(a)";
    expect(expected, "upstream failed a/100", "Unchanged", failedOne,
        "Changed: evict(a) evict(a) stop(a) CLIENT_EVICTED(a) CLIENT_EVICTED(a) UPSTREAM_FAILED(a)"
            + " STREAM_STOPPED(a)",
        "Changed: stop(a) UPSTREAM_FAILED(a) STREAM_STOPPED(a)", failedOne,
        "Changed: stop(a) UPSTREAM_FAILED(a) STREAM_STOPPED(a)");
    String refusedOne = "Changed: TUNER_LIMIT_REACHED(a) evict(a) stop(a) CLIENT_EVICTED(a) STREAM_STOPPED(a)";
    expect(expected, "refused a/100", "Unchanged", refusedOne,
        "Changed: TUNER_LIMIT_REACHED(a) evict(a) evict(a) stop(a) CLIENT_EVICTED(a) CLIENT_EVICTED(a)"
            + " STREAM_STOPPED(a)",
        "Changed: TUNER_LIMIT_REACHED(a) stop(a) STREAM_STOPPED(a)", refusedOne,
        "Changed: TUNER_LIMIT_REACHED(a) stop(a) STREAM_STOPPED(a)");
    expect(expected, "upstream failed a/99", "Unchanged", "Unchanged", "Unchanged", "Unchanged",
        "Unchanged", "Unchanged");
    expect(expected, "update", "Changed", "Changed", "Changed", "Changed", "Changed", "Changed");
    expect(expected, "stale update", "Unchanged", "Unchanged", "Unchanged", "Unchanged", "Unchanged",
        "Unchanged");
    String evictOne = "Removed: evict(a) stop(a) delete CLIENT_EVICTED(a) STREAM_STOPPED(a) PLAYLIST_REMOVED";
    expect(expected, "evict", "Removed: delete PLAYLIST_REMOVED", evictOne,
        "Removed: evict(a) evict(a) stop(a) delete CLIENT_EVICTED(a) CLIENT_EVICTED(a) STREAM_STOPPED(a)"
            + " PLAYLIST_REMOVED",
        "Removed: stop(a) delete STREAM_STOPPED(a) PLAYLIST_REMOVED", evictOne,
        "Removed: stop(a) delete STREAM_STOPPED(a) PLAYLIST_REMOVED");

    assertThat(actual(rules, T0 + 1)).containsExactlyEntriesOf(expected);
  }

  /** The same table after every grace period and the stale limit have run out (T0 + 100). */
  @Test
  void everyEventInEveryStateAfterEveryGraceRanOut() {
    Map<String, String> table = actual(rules, T0 + 100);
    String evictStale = "evict(a,reader)";
    assertThat(table).containsEntry("cleanup @ empty", "Removed: delete PLAYLIST_REMOVED")
        .containsEntry("cleanup @ one running",
            "Removed: " + evictStale + " stop(a) delete CLIENT_EVICTED(a) STREAM_STOPPED(a) PLAYLIST_REMOVED")
        .containsEntry("cleanup @ idle in grace", // the playlist's last activity was T0, past its grace
            "Removed: stop(a) delete STREAM_STOPPED(a) PLAYLIST_REMOVED")
        .containsEntry("grace expired a/100 @ idle in grace", "Changed: stop(a) STREAM_STOPPED(a)")
        .containsEntry("grace expired a/100 @ full, one idle", "Changed: stop(a) STREAM_STOPPED(a)")
        .containsEntry("grace expired a/99 @ idle in grace", "Unchanged")
        .containsEntry("grace expired a/100 @ one running", "Unchanged");
    // Every cell of the table is covered and has a known outcome.
    assertThat(table).hasSize(states.size() * events(0).size());
  }

  @Test
  void withoutGraceTheLastLeaveStopsTheStreamAtOnce() {
    PlaylistState state = states.get("one running");
    Step step = noGrace.apply(state, new PlaylistEvent.Leave(a1, T0 + 1));
    assertThat(summary(step)).isEqualTo("Changed: stop(a) CLIENT_LEFT(a) STREAM_STOPPED(a)");
    assertThat(step.next().streams()).isEmpty();
    assertThat(step.next().idleSince()).isEqualTo(T0 + 1);
  }

  @Test
  void aJoinWithADataPathNeedsATargetOnlyToStartAStream() {
    PlaylistState state = states.get("one running");
    assertThat(summary(withData.apply(state, new PlaylistEvent.Join(lease("b", T0), T0, null))))
        .isEqualTo("NeedsTarget");
    assertThat(summary(withData.apply(state, new PlaylistEvent.Join(lease("a", T0), T0, null))))
        .isEqualTo("Joined: " + J);
  }

  @Test
  void aRefusalChangesNothingEvenAfterPickingIdleStreamsToYield() {
    // Limit lowered to 1 with two streams, one idle: yielding the idle one is not enough.
    PlaylistState state = playlist(1).withStream(running("a", 100, a1)).withStream(idle("c", 101, T0));
    Step step = rules.apply(state, new PlaylistEvent.Join(lease("b", T0), T0, TARGET));
    assertThat(step.next()).isSameAs(state);
    assertThat(summary(step)).isEqualTo("Refused: refuse TUNER_LIMIT_REACHED(b)");
    assertThat(((Outcome.Refused) step.outcome()).refusal().activeStreams()).containsExactly("a", "c");
  }

  @Test
  void theFunctionIsDeterministic() {
    for (long now : new long[] {T0 + 1, T0 + 100}) {
      assertThat(actual(rules, now)).isEqualTo(actual(rules, now));
    }
  }

  private void expect(Map<String, String> table, String event, String... perState) {
    int i = 0;
    for (String state : states.keySet()) {
      table.put(event + " @ " + state, perState[i++]);
    }
  }

  private Map<String, String> actual(PlaylistTransitions transitions, long now) {
    Map<String, String> table = new LinkedHashMap<>();
    events(now).forEach((name, event) -> states.forEach((stateName, state) -> {
      PlaylistEvent applied = event.apply(state);
      Step step = transitions.apply(state, applied);
      checkInvariants(state, applied, step);
      table.put(name + " @ " + stateName, summary(step));
    }));
    return table;
  }

  // ---------------------------------------------------------------------------------------------
  // Invariants, checked on every step of the table and of the random sequences

  private static void checkInvariants(PlaylistState before, PlaylistEvent event, Step step) {
    PlaylistState after = step.next();
    List<Effect> effects = step.effects();
    Map<Long, StreamState> was = byGeneration(before);
    Map<Long, StreamState> is = after == null ? Map.of() : byGeneration(after);
    Set<Long> stopped = new HashSet<>();
    Set<Long> startedNow = new HashSet<>();
    for (Effect effect : effects) {
      if (effect instanceof Effect.StopUpstream stop) {
        assertThat(stopped.add(stop.stream().generation())).as("stopped once").isTrue();
      } else if (effect instanceof Effect.StartUpstream start) {
        assertThat(startedNow.add(start.stream().generation())).as("started once").isTrue();
        assertThat(effects.get(effects.size() - 1)).as("a start runs after every other effect")
            .isSameAs(effect);
      }
    }
    // A stream leaves the state exactly when its upstream is stopped, and only a start adds one.
    Set<Long> gone = new HashSet<>(was.keySet());
    gone.removeAll(is.keySet());
    assertThat(stopped).isEqualTo(gone);
    Set<Long> added = new HashSet<>(is.keySet());
    added.removeAll(was.keySet());
    assertThat(startedNow).isEqualTo(added);
    if (step.outcome() instanceof Outcome.Unchanged || step.outcome() instanceof Outcome.Refused
        || step.outcome() instanceof Outcome.NeedsTarget) {
      assertThat(after).isSameAs(before);
    }
    if (step.outcome() instanceof Outcome.Unchanged || step.outcome() instanceof Outcome.NeedsTarget) {
      assertThat(effects).isEmpty();
    }
    assertThat(after == null).isEqualTo(step.outcome() instanceof Outcome.Removed);
    assertThat(effects.stream().filter(Effect.DeleteFolder.class::isInstance).count())
        .isEqualTo(after == null ? 1 : 0);
    if (after != null && !added.isEmpty()) {
      assertThat(after.streams().size()).as("tuner limit").isLessThanOrEqualTo(after.tunerLimit());
    }
    // Clients that vanished other than by their own leave were evicted, each once.
    Set<Lease> evicted = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Effect effect : effects) {
      if (effect instanceof Effect.EvictClient evict) {
        assertThat(evicted.add(evict.lease())).isTrue();
      } else if (effect instanceof Effect.SwitchClient switched) { // ended by its own key's switch
        assertThat(evicted.add(switched.lease())).isTrue();
        assertThat(event).isInstanceOf(PlaylistEvent.Switch.class);
      } else if (effect instanceof Effect.StopUpstream stop && !startedNow.isEmpty()
          && event instanceof PlaylistEvent.Switch) { // the tuner passes only once the old one closed
        assertThat(effects).as("stop of %s awaited", stop.stream()).anyMatch(
            e -> e instanceof Effect.AwaitClosed w && w.stream() == stop.stream());
      }
    }
    Lease leaving = event instanceof PlaylistEvent.Leave leave ? leave.lease() : null;
    for (StreamState stream : was.values()) {
      for (Lease lease : stream.clients()) {
        StreamState now = is.get(stream.generation());
        boolean vanished = now == null || !now.holds(lease);
        assertThat(evicted.contains(lease)).as("evicted iff it vanished without leaving")
            .isEqualTo(vanished && lease != leaving);
      }
    }
  }

  private static Map<Long, StreamState> byGeneration(PlaylistState state) {
    Map<Long, StreamState> map = new HashMap<>();
    state.streams().values().forEach(s -> map.put(s.generation(), s));
    return map;
  }

  // ---------------------------------------------------------------------------------------------
  // Random sequences

  @Test
  void randomEventSequencesKeepEveryInvariant() {
    Random random = new Random(42);
    for (int run = 0; run < 300; run++) {
      PlaylistTransitions transitions = random.nextBoolean() ? rules : noGrace;
      PlaylistState state = playlist(1 + random.nextInt(3));
      long now = T0;
      Set<Long> startedGenerations = new HashSet<>();
      Set<Long> stoppedGenerations = new HashSet<>();
      List<Lease> joined = new ArrayList<>();
      for (int i = 0; i < 40 && state != null; i++) {
        now += random.nextInt(25);
        PlaylistEvent event;
        int pick = random.nextInt(10);
        String stream = "s" + random.nextInt(4);
        if (pick < 4) {
          int key = random.nextInt(3);
          Lease lease = lease(stream, now, key == 0 ? null : ClientKey.of("k" + key));
          joined.add(lease);
          event = key == 0 ? new PlaylistEvent.Join(lease, now, TARGET)
              : new PlaylistEvent.Switch(lease, now, TARGET);
        } else if (pick < 7 && !joined.isEmpty()) {
          Lease lease = joined.get(random.nextInt(joined.size()));
          event = new PlaylistEvent.Leave(lease, now);
        } else if (pick == 7) {
          event = new PlaylistEvent.Cleanup(now);
        } else if (pick == 8 && !state.streams().isEmpty()) {
          StreamState target = List.copyOf(state.streams().values())
              .get(random.nextInt(state.streams().size()));
          event = random.nextBoolean()
              ? new PlaylistEvent.GraceExpired(target.streamId(), target.generation(), now)
              : new PlaylistEvent.UpstreamFailed(target.streamId(), target.generation(), now, "x",
                  random.nextBoolean());
        } else {
          event = new PlaylistEvent.Update(state.playlist(), new Playlist("p1", 1,
              PlaylistSettings.withTuners(1 + random.nextInt(3)), Optional.empty()));
        }
        Step step = transitions.apply(state, event);
        checkInvariants(state, event, step);
        for (Effect effect : step.effects()) {
          if (effect instanceof Effect.StartUpstream start) {
            assertThat(startedGenerations.add(start.stream().generation())).isTrue();
          } else if (effect instanceof Effect.StopUpstream stop) {
            assertThat(startedGenerations).contains(stop.stream().generation());
            assertThat(stoppedGenerations.add(stop.stream().generation())).as("stopped at most once")
                .isTrue();
          }
        }
        state = step.next();
      }
      if (state != null) {
        Step end = transitions.apply(state, new PlaylistEvent.Evict());
        checkInvariants(state, new PlaylistEvent.Evict(), end);
        end.effects().stream().filter(Effect.StopUpstream.class::isInstance)
            .forEach(e -> stoppedGenerations.add(((Effect.StopUpstream) e).stream().generation()));
      }
      // Every stream that was started is stopped exactly once by the end.
      assertThat(stoppedGenerations).isEqualTo(startedGenerations);
    }
  }
}
