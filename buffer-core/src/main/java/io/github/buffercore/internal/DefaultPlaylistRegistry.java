package io.github.buffercore.internal;

import io.github.buffercore.CleanupReport;
import io.github.buffercore.ClientKey;
import io.github.buffercore.ClientLease;
import io.github.buffercore.JoinPosition;
import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.RegistryClosedException;
import io.github.buffercore.RegistrySnapshot;
import io.github.buffercore.UnknownStreamException;
import io.github.buffercore.UpstreamTarget;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's control plane: one {@link ConcurrentHashMap} from playlist id to
 * {@link RegistryNode}. The public {@code PlaylistRegistry} delegates every call here; this class does
 * not know that interface. See the package documentation of {@code io.github.buffercore} for the
 * invariants.
 *
 * <p>Shape of every operation on a live playlist: validate, read the clock, apply the pure
 * {@link PlaylistTransitions} inside one {@code compute} (which records its listener events, see
 * {@link EventDelivery}), then run the {@link Effect}s it returned, once, on this thread
 * ({@link EffectRunner}). Creation ({@link PlaylistCreation}) is the one operation that runs user
 * code, outside any compute.
 *
 * <p>The data plane reaches this class only through {@link Lease.Owner} and {@link StreamOwner}.
 *
 * <p>Abstract: the builder's one subclass adds the public interface, so a call from the interface
 * reaches this class's map without a delegate in between (the {@code getOrCreate} hit is one map read
 * plus a type check; {@code GetOrCreateBenchmark}). This class does not name that interface, which
 * keeps the two files free of a cycle.
 */
public abstract class DefaultPlaylistRegistry {

  private static final Logger LOG = LoggerFactory.getLogger("io.github.buffercore.PlaylistRegistry");

  private final RegistryConfig config;
  private final ConcurrentHashMap<String, RegistryNode> playlists;
  private final PlaylistTransitions transitions;
  private final PlaylistCreation creation;
  private final EffectRunner effects;
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong clientIds = new AtomicLong();
  private final ScheduledFuture<?> periodicCleanup;
  private final ScheduledThreadPoolExecutor ownScheduler; // when the caller gave none; shut down on close
  private final StreamDataConfig data;
  private final DataPlane dataPlane;
  /** The data plane reports to the registry only through this narrow seam. */
  private final Owner owner = new Owner();
  private volatile boolean closed;

  /**
   * Creates an open registry; the public builder's subclass calls this.
   *
   * @param config the validated settings
   */
  protected DefaultPlaylistRegistry(RegistryConfig config) {
    this.config = config;
    // A plain map, not a cache: nothing may be evicted behind the registry's back; removal is decided
    // only inside a compute. Caffeine's asMap() view added a lookup, two holder arrays and a lambda to
    // every computeIfPresent, and nothing here used its cache features (AcquireCloseBenchmark, -prof gc).
    this.playlists = new ConcurrentHashMap<>();
    this.data = config.data();
    this.ownScheduler = config.scheduler() == null && config.periodicCleanup() ? StallSweep.ownScheduler() : null;
    ScheduledExecutorService scheduler = ownScheduler != null ? ownScheduler : config.scheduler();
    this.dataPlane = new DataPlane(data, scheduler);
    this.transitions = new PlaylistTransitions(config.staleAfter().toNanos(),
        config.streamGrace().toNanos(), config.idleGrace().toNanos(), config.listener() != null,
        data == null ? null : DataPlane.streams(data, owner));
    this.effects = new EffectRunner(new EventDelivery(config.listener()),
        config.tunerPool() != null ? config.tunerPool() : new InProcessTunerPool(
            id -> playlists.get(id) instanceof PlaylistState live ? live.tunerLimit() : 0), // plain read
        dataPlane.pumps(),
        dataPlane.timers(),
        config.streamGrace().toNanos(), config.ticker(), () -> closed, this::apply);
    this.creation = new PlaylistCreation(playlists, config.workingFolderBase(), generations,
        config.ticker(), effects, () -> closed, this::removeForClose);
    this.periodicCleanup = config.periodicCleanup()
        ? StallSweep.every(scheduler, config.cleanupInterval(), this::scheduledCleanup) : null;
  }

  /**
   * Applies one event to a live playlist inside its compute and returns the step, or {@code null} if
   * the playlist is absent or still pending; the caller runs the step's effects.
   */
  private Step apply(String playlistId, PlaylistEvent event) {
    TransitionCall call = new TransitionCall(transitions, effects, event);
    playlists.computeIfPresent(playlistId, call);
    return call.step();
  }

  private void applyAndRun(String playlistId, PlaylistEvent event) {
    Step step = apply(playlistId, event);
    effects.run(step != null ? step.effects() : List.of()); // delivers what the removal recorded
  }

  /**
   * Returns the playlist, creating it with {@code initializer} if absent.
   *
   * @param playlistId the playlist id
   * @param initializer runs once per creation
   * @return the live playlist
   */
  public Playlist getOrCreate(String playlistId, PlaylistInitializer initializer) {
    RegistryNode seen = playlistId != null ? playlists.get(playlistId) : null;
    if (seen instanceof PlaylistState live) {
      // The hit path: only valid ids are ever stored, so an id that hits needs no validation; and no
      // read of `closed`: once a close() has returned the map holds no live state and never will again
      // (removeAllForClose), so a hit is a call ordered before close removed that playlist.
      Objects.requireNonNull(initializer, "initializer");
      return live.playlist();
    }
    Ids.requireValid("playlistId", playlistId);
    Objects.requireNonNull(initializer, "initializer");
    ensureOpen();
    return creation.getOrCreate(playlistId, initializer, seen);
  }

  /**
   * Returns the live playlist, if any.
   *
   * @param playlistId the playlist id
   * @return the playlist, or empty
   */
  public Optional<Playlist> find(String playlistId) {
    Ids.requireValid("playlistId", playlistId);
    ensureOpen();
    return playlists.get(playlistId) instanceof PlaylistState live
        ? Optional.of(live.playlist()) : Optional.empty();
  }

  /**
   * Replaces a playlist's settings; {@code fn} runs outside the compute and again if another update
   * came in between.
   *
   * @param playlistId the playlist id
   * @param fn computes the new settings
   * @return the updated playlist
   */
  public Playlist update(String playlistId, UnaryOperator<PlaylistSettings> fn) {
    Ids.requireValid("playlistId", playlistId);
    Objects.requireNonNull(fn, "fn");
    ensureOpen();
    while (true) {
      Playlist before = creation.liveOrThrow(playlistId).playlist();
      PlaylistSettings next = fn.apply(before.settings()); // user code: outside the compute
      if (next == null) {
        throw new NullPointerException("update function returned null settings for playlist "
            + playlistId);
      }
      Playlist after = new Playlist(playlistId, before.generation(), next, before.workingFolder());
      // Compare-and-set on the Playlist instance only: joins and leaves do not force a retry,
      // but any other update (or a re-creation) in between does, so no update is lost.
      Step step = apply(playlistId, new PlaylistEvent.Update(before, after));
      if (step != null && step.outcome() == Outcome.CHANGED) {
        LOG.debug("Updated playlist {}: tunerLimit {} -> {}", playlistId,
            before.tunerLimit(), after.tunerLimit());
        return after;
      }
      ensureOpen();
    }
  }

  /**
   * Joins a client to a stream, starting it if needed, its reader starting at {@code join}; with a
   * key, an open lease of the same key on another stream of the playlist is ended and its place given
   * to this join in the same step (a switch).
   *
   * @param playlistId the playlist id
   * @param streamId the stream id
   * @param key the client key, or {@code null} for a client without one
   * @param join where the reader starts, or {@code null} for the registry's default
   * @return the client's lease
   */
  public ClientLease acquire(String playlistId, String streamId, ClientKey key, JoinPosition join) {
    long now = config.ticker().read(); // one clock read for the lease and a first-try join
    Lease lease = new Lease(owner, playlistId, streamId, clientIds.incrementAndGet(), config.ticker(),
        key, now);
    if (join != null) { // a plain acquire takes no extra monitor
      lease.joinAt(join);
    }
    // JoinGate: no compute, no event, no validation (ids found in the map were valid when stored).
    StreamState gated = key == null && config.listener() == null && playlistId != null && streamId != null
        ? PlaylistState.joinThroughGate(playlists.get(playlistId), lease) : null;
    if (gated != null) {
      return joined(lease, gated, List.of()); // checks `closed` after the join
    }
    Ids.requireValid("playlistId", playlistId);
    Ids.requireValid("streamId", streamId);
    ensureOpen();
    UpstreamTarget target = null;
    boolean waited = false;
    while (true) {
      if (data != null && target == null && !(playlists.get(playlistId) instanceof PlaylistState seen
          && seen.streams().containsKey(streamId))) {
        target = resolve(playlistId, streamId); // user code: before and outside the compute
        waited = true;
      }
      if (waited) {
        now = config.ticker().read();
        lease.activeAt(now); // a join is activity: time spent waiting for a pending creation is not
      }
      waited = true; // any later try comes after a wait, a resolve or a race: read the clock again
      Step step = apply(playlistId, key == null ? new PlaylistEvent.Join(lease, now, target)
          : new PlaylistEvent.Switch(lease, now, target));
      if (step == null) {
        creation.awaitOrThrow(playlistId);
        continue;
      }
      Outcome outcome = step.outcome();
      if (outcome == Outcome.NEEDS_TARGET) {
        continue; // the stream stopped after we looked: resolve its upstream, then join again
      }
      if (outcome instanceof Outcome.Refused refused) {
        effects.run(step.effects());
        throw refused.refusal();
      }
      return joined(lease, outcome instanceof Outcome.Joined j ? j.stream()
          : ((Outcome.Started) outcome).stream(), step.effects());
    }
  }

  /** The end of a join: attach the data path, run the join's effects, make sure a close saw it. */
  private Lease joined(Lease lease, StreamState joined, List<Effect> joinEffects) {
    lease.attach(joined.shared());
    effects.run(joinEffects); // stops yielded streams, then admits and starts the new one
    ensureOpen();
    return lease;
  }

  /**
   * Creates the playlist if needed, then joins the stream.
   *
   * @param playlistId the playlist id
   * @param streamId the stream id
   * @param key the client key, or {@code null}
   * @param initializer runs once per creation
   * @return the client's lease
   */
  public ClientLease acquire(String playlistId, String streamId, ClientKey key,
      PlaylistInitializer initializer) {
    Ids.requireValid("playlistId", playlistId);
    Ids.requireValid("streamId", streamId);
    Objects.requireNonNull(initializer, "initializer");
    while (true) {
      getOrCreate(playlistId, initializer);
      try {
        return acquire(playlistId, streamId, key, (JoinPosition) null);
      } catch (PlaylistNotFoundException removedInBetween) {
        LOG.debug("Playlist {} was removed between creation and join of stream {}; retrying",
            playlistId, streamId);
      }
    }
  }

  private UpstreamTarget resolve(String playlistId, String streamId) {
    UpstreamTarget target = data.resolver().resolve(playlistId, streamId);
    if (target == null) {
      throw new UnknownStreamException(playlistId, streamId);
    }
    return target;
  }

  /** The data plane's reports, kept off the registry's own methods. */
  private final class Owner implements Lease.Owner, StreamOwner {
    @Override
    public void release(Lease lease) {
      applyAndRun(lease.playlistId(), new PlaylistEvent.Leave(lease, config.ticker().read()));
    }

    @Override
    public void streamEnded(String playlistId, String streamId, long generation, String reason) {
      effects.report(playlistId, new PlaylistEvent.UpstreamFailed(streamId, generation,
          config.ticker().read(), reason, false));
    }
  }

  /** One cleanup pass over every playlist (its values: no entry object per item); returns what was removed. */
  public CleanupReport cleanup() {
    ensureOpen();
    Object tally = null; // the report's lists, made only if something is removed (CleanupTally)
    for (RegistryNode node : playlists.values()) {
      long now = config.ticker().read();
      if (!(node instanceof PlaylistState seen) || !StallSweep.sweep(seen, now)
          || !transitions.mayNeedCleanup(seen, now)) {
        // Nothing to remove in the state we saw; what a later join or leave made removable is found
        // by the next pass. Safety never depends on this pre-check: every removal is re-checked atomically.
        continue;
      }
      String playlistId = seen.id();
      // The step would be "remove it, delete its folder": removed atomically only if still that state;
      if (transitions.removesWhole(seen, now) && playlists.remove(playlistId, seen)) {
        effects.removed(seen);
        tally = RegistryViews.CleanupTally.removed(tally, playlistId);
        continue;
      } // else a newer state (an update, a join): the compute decides on it, as for any other state
      Step step = apply(playlistId, new PlaylistEvent.Cleanup(now));
      if (step == null) {
        continue;
      }
      effects.run(step.effects());
      tally = RegistryViews.CleanupTally.record(tally, playlistId, step);
    }
    return RegistryViews.CleanupTally.report(tally);
  }

  private void scheduledCleanup() {
    if (closed) {
      return;
    }
    try {
      CleanupReport report = cleanup();
      if (!report.isEmpty()) {
        LOG.debug("Scheduled cleanup removed {}", report);
      }
    } catch (IllegalStateException closedMeanwhile) {
      LOG.debug("Scheduled cleanup skipped: {}", closedMeanwhile.getMessage());
    } catch (RuntimeException e) {
      // Thrown out of a scheduled task it would silently cancel all later runs.
      LOG.error("Scheduled cleanup failed; it will run again", e);
    }
  }

  /**
   * A consistent-per-playlist view of every live playlist.
   *
   * @return the snapshot, sorted by playlist id
   */
  public RegistrySnapshot snapshot() {
    ensureOpen();
    return RegistryViews.snapshot(playlists.values());
  }

  /** Closes the registry: evicts every client, stops every upstream, removes every playlist. */
  public void close() {
    if (closed) {
      // Another close() is sweeping: help it, so that this call too returns only once the map is
      // empty, and later calls of this thread miss on every id (the getOrCreate hit reads no flag).
      removeAllForClose();
      return;
    }
    closed = true; // volatile write before the sweep: see PlaylistCreation and acquire()
    if (periodicCleanup != null) {
      periodicCleanup.cancel(false);
    }
    LOG.info("Closing playlist registry with {} playlist(s)", playlists.size());
    removeAllForClose();
    dataPlane.close(); // every pump was stopped above; they end once their connection is closed
    StallSweep.shutdown(ownScheduler);
  }

  /**
   * Removes every playlist, until the map is empty; after {@code closed} is set nothing live enters
   * it again (a creation that read {@code closed} false before this sweep is removed by it, one that
   * reads it true never publishes).
   */
  private void removeAllForClose() {
    while (!playlists.isEmpty()) {
      for (String playlistId : playlists.keySet()) {
        removeForClose(playlistId);
      }
    }
  }

  /** Removes one playlist because the registry closed; pending creations fail on their own. */
  private void removeForClose(String playlistId) {
    Step[] step = new Step[1];
    playlists.computeIfPresent(playlistId, (id, node) -> {
      if (node instanceof PlaylistState state) {
        step[0] = transitions.apply(state, new PlaylistEvent.Evict());
        effects.record(step[0]);
      }
      return null; // a pending creation's replace() then fails and it reports the close
    });
    if (step[0] != null) {
      effects.run(step[0].effects());
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new RegistryClosedException(null);
    }
  }
}
