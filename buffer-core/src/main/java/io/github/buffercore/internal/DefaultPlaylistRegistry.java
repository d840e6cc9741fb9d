package io.github.buffercore.internal;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.buffercore.CleanupReport;
import io.github.buffercore.ClientLease;
import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistInitializationException;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.PlaylistSnapshot;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.RegistryEvent.Type;
import io.github.buffercore.RegistryListener;
import io.github.buffercore.RegistrySnapshot;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.StreamStats;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerPool;
import io.github.buffercore.TunerPoolUnavailableException;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import io.github.buffercore.UnknownStreamException;
import io.github.buffercore.UpstreamTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry: one Caffeine {@code asMap()} view from playlist id to {@link RegistryNode}. See the
 * package documentation of {@code io.github.buffercore} for the invariants.
 *
 * <p>Shape of every operation: validate, build the next immutable state inside one {@code compute}
 * (pure: no callbacks, no I/O, no logging; only local bookkeeping in a {@link Changes}), then perform
 * the side effects that the compute decided, once, on this thread. Map functions may record into
 * {@code Changes} because ConcurrentHashMap (behind Caffeine's unbounded map) runs each function at
 * most once per call.
 */
public final class DefaultPlaylistRegistry implements PlaylistRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(PlaylistRegistry.class);

  /**
   * How long a start may wait for a tuner slot that is being released: a yielded stream frees its
   * slot only once its connection has closed, which the pump does promptly after a stop.
   */
  static final Duration TUNER_WAIT = Duration.ofSeconds(5);

  private final RegistryConfig config;
  private final long staleAfterNanos;
  private final long streamGraceNanos;
  private final long idleGraceNanos;
  private final ConcurrentMap<String, RegistryNode> playlists;
  private final WorkingFolders folders;
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong clientIds = new AtomicLong();
  private final ScheduledFuture<?> periodicCleanup;
  private final StreamDataConfig data;
  private final ExecutorService pumpThreads;
  private final ScheduledExecutorService ownTimers;
  private final ScheduledExecutorService timers;
  /** The newest data path of each playlist/stream key, so a new generation can retire the old one. */
  private final ConcurrentMap<String, SharedStream> upstreamByKey = new java.util.concurrent.ConcurrentHashMap<>();
  private final TunerPool tunerPool;
  /** The data plane reports to the registry only through this narrow seam. */
  private final Owner owner = new Owner();
  private volatile boolean closed;

  /**
   * Creates an open registry; use {@link PlaylistRegistry#builder()}.
   *
   * @param config the validated settings
   */
  public DefaultPlaylistRegistry(RegistryConfig config) {
    this.config = config;
    this.staleAfterNanos = config.staleAfter().toNanos();
    this.streamGraceNanos = config.streamGrace().toNanos();
    this.idleGraceNanos = config.idleGrace().toNanos();
    // Unbounded on purpose: nothing may be evicted behind the registry's back (Caffeine #1207 is an
    // in-use entry recreated after eviction); removal is decided only by cleanup, inside a compute.
    this.playlists = Caffeine.newBuilder().<String, RegistryNode>build().asMap();
    this.folders = config.workingFolderBase() == null ? null
        : new WorkingFolders(config.workingFolderBase());
    this.data = config.data();
    this.tunerPool = config.tunerPool() != null ? config.tunerPool() : new InProcessTunerPool();
    if (data != null) {
      this.pumpThreads = Executors.newCachedThreadPool(daemonThreads("buffer-core-pump"));
      if (config.scheduler() == null) {
        ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, daemonThreads("buffer-core-timer"));
        own.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        own.setRemoveOnCancelPolicy(true);
        this.ownTimers = own;
      } else {
        this.ownTimers = null;
      }
    } else {
      this.pumpThreads = null;
      this.ownTimers = null;
    }
    this.timers = config.scheduler() != null ? config.scheduler() : ownTimers;
    if (config.scheduler() != null) {
      long period = config.cleanupInterval().toNanos();
      this.periodicCleanup = config.scheduler().scheduleWithFixedDelay(
          this::scheduledCleanup, period, period, TimeUnit.NANOSECONDS);
    } else {
      this.periodicCleanup = null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // getOrCreate

  @Override
  public Playlist getOrCreate(String playlistId, PlaylistInitializer initializer) {
    if (playlistId != null && playlists.get(playlistId) instanceof PlaylistState live && !closed) {
      // The hit path: only valid ids are ever stored, so an id that hits needs no validation.
      Objects.requireNonNull(initializer, "initializer");
      return live.playlist();
    }
    Ids.requireValid("playlistId", playlistId);
    Objects.requireNonNull(initializer, "initializer");
    ensureOpen();
    while (true) {
      RegistryNode node = playlists.get(playlistId);
      if (node instanceof PlaylistState live) {
        return live.playlist();
      }
      if (node instanceof PendingPlaylist pending) {
        return awaitCreation(playlistId, pending);
      }
      PendingPlaylist mine = PendingPlaylist.byCurrentThread();
      if (playlists.putIfAbsent(playlistId, mine) == null) {
        return create(playlistId, initializer, mine);
      }
      // Lost the race to another creator (or a removal happened in between): look again.
    }
  }

  private Playlist create(String playlistId, PlaylistInitializer initializer, PendingPlaylist mine) {
    LOG.info("Creating new playlist for ID: {}", playlistId);
    Path folder = null;
    Playlist playlist;
    try {
      PlaylistSettings settings = initializer.initialize(playlistId);
      if (settings == null) {
        throw new NullPointerException("initializer returned null settings for playlist " + playlistId);
      }
      long generation = generations.incrementAndGet();
      if (folders != null) {
        folder = folders.create(playlistId, generation);
      }
      playlist = new Playlist(playlistId, generation, settings, Optional.ofNullable(folder));
    } catch (Throwable failure) {
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      playlists.remove(playlistId, mine);
      if (folder != null) {
        WorkingFolders.delete(playlistId, folder);
      }
      LOG.warn("Creating playlist {} failed; nothing was stored, a later call will try again",
          playlistId, failure);
      mine.result().completeExceptionally(failure);
      if (failure instanceof VirtualMachineError vmError) {
        throw vmError;
      }
      throw new PlaylistInitializationException(playlistId, failure);
    }
    // Publish only now, fully built: the placeholder is replaced by the live state in one step.
    boolean published = playlists.replace(playlistId, mine, PlaylistState.created(playlist, now()));
    // close() sets `closed` before it empties the map, so a creation that published after close's
    // sweep is seen here and undone; one published before the sweep is removed by the sweep.
    if (!published || closed) {
      if (published) {
        removeForClose(playlistId);
      } else if (folder != null) {
        WorkingFolders.delete(playlistId, folder);
      }
      IllegalStateException closedFailure = closedException();
      mine.result().completeExceptionally(closedFailure);
      throw closedFailure;
    }
    mine.result().complete(playlist);
    if (config.listener() != null) {
      fire(new RegistryEvent(Type.PLAYLIST_CREATED, playlistId, null, 0L, 0, 0, playlist.tunerLimit()));
    }
    return playlist;
  }

  private Playlist awaitCreation(String playlistId, PendingPlaylist pending) {
    if (pending.creator() == Thread.currentThread()) {
      throw new IllegalStateException("The initializer of playlist '" + playlistId
          + "' called back into the registry for the same id; it would wait for itself");
    }
    try {
      return pending.result().join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RegistryClosedException closedFailure) {
        throw new RegistryClosedException(closedFailure);
      }
      throw new PlaylistInitializationException(playlistId, cause);
    }
  }

  @Override
  public Optional<Playlist> find(String playlistId) {
    Ids.requireValid("playlistId", playlistId);
    ensureOpen();
    return playlists.get(playlistId) instanceof PlaylistState live
        ? Optional.of(live.playlist()) : Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------
  // update

  @Override
  public Playlist update(String playlistId, UnaryOperator<PlaylistSettings> fn) {
    Ids.requireValid("playlistId", playlistId);
    Objects.requireNonNull(fn, "fn");
    ensureOpen();
    while (true) {
      PlaylistState seen = liveOrThrow(playlistId);
      Playlist before = seen.playlist();
      PlaylistSettings next = fn.apply(before.settings()); // user code: outside the compute
      if (next == null) {
        throw new NullPointerException("update function returned null settings for playlist "
            + playlistId);
      }
      Playlist after = new Playlist(playlistId, before.generation(), next, before.workingFolder());
      // Compare-and-set on the Playlist instance only: joins and leaves do not force a retry,
      // but any other update (or a re-creation) in between does, so no update is lost.
      RegistryNode result = playlists.computeIfPresent(playlistId, (id, node) ->
          node instanceof PlaylistState current && current.playlist() == before
              ? current.withPlaylist(after) : node);
      if (result instanceof PlaylistState current && current.playlist() == after) {
        LOG.debug("Updated playlist {}: tunerLimit {} -> {}", playlistId,
            before.tunerLimit(), after.tunerLimit());
        return after;
      }
      ensureOpen();
    }
  }

  private PlaylistState liveOrThrow(String playlistId) {
    while (true) {
      RegistryNode node = playlists.get(playlistId);
      if (node instanceof PlaylistState live) {
        return live;
      }
      if (node instanceof PendingPlaylist pending) {
        awaitCreation(playlistId, pending);
        continue;
      }
      throw new PlaylistNotFoundException(playlistId);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // acquire / release

  @Override
  public ClientLease acquire(String playlistId, String streamId) {
    Ids.requireValid("playlistId", playlistId);
    Ids.requireValid("streamId", streamId);
    ensureOpen();
    Lease lease = new Lease(owner, playlistId, streamId, clientIds.incrementAndGet(), config.ticker());
    UpstreamTarget target = null;
    while (true) {
      if (data != null && target == null && !isRunning(playlistId, streamId)) {
        target = resolve(playlistId, streamId); // user code: before and outside the compute
      }
      Changes changes = new Changes(playlistId, config.listener() != null);
      long now = now();
      lease.activeAt(now); // a join is activity: time spent waiting for a pending creation is not
      UpstreamTarget resolved = target;
      RegistryNode result = playlists.compute(playlistId, (id, node) -> {
        if (node instanceof PlaylistState state) {
          return join(state, lease, now, resolved, changes);
        }
        changes.pending = (PendingPlaylist) node; // null when absent
        return node;
      });
      if (result instanceof PlaylistState) {
        if (changes.needsTarget) {
          continue; // the stream stopped after we looked: resolve its upstream, then join again
        }
        if (changes.refusal != null) {
          publish(changes);
          throw changes.refusal;
        }
        if (changes.joinedStream.shared() != null) {
          lease.attach(changes.joinedStream.shared());
        }
        publish(changes); // stops yielded streams before the new one asks for their slot
        if (changes.startedStream != null) {
          admit(playlistId, changes.startedStream, changes.tunerLimit); // outside any compute
          if (changes.startedStream.shared() != null) {
            startUpstream(changes.startedStream.shared());
          }
        }
        if (closed) { // the close sweep may have run before our join; make sure the lease is gone
          removeForClose(playlistId);
        }
        ensureOpen();
        return lease;
      }
      if (changes.pending == null) {
        throw new PlaylistNotFoundException(playlistId);
      }
      awaitCreation(playlistId, changes.pending);
    }
  }

  /**
   * Opens a new generation's upstream, after the previous generation of the same key (already removed
   * from the registry, or this one could not exist) has closed its connection: the thread that removed
   * it stops it after its compute, but that may not have happened yet, so never two upstreams per key.
   */
  private void startUpstream(SharedStream shared) {
    SharedStream previous = upstreamByKey.put(shared.key(), shared);
    if (previous != null && previous != shared) {
      previous.stopAndAwait(5, TimeUnit.SECONDS);
    }
    shared.start(pumpThreads, timers);
  }

  private boolean isRunning(String playlistId, String streamId) {
    return playlists.get(playlistId) instanceof PlaylistState state
        && state.streams().containsKey(streamId);
  }

  private UpstreamTarget resolve(String playlistId, String streamId) {
    UpstreamTarget target = data.resolver().resolve(playlistId, streamId);
    if (target == null) {
      throw new UnknownStreamException(playlistId, streamId);
    }
    return target;
  }

  /** The join decision; runs inside the compute, so it only builds state and records changes. */
  private PlaylistState join(PlaylistState state, Lease lease, long now, UpstreamTarget target,
      Changes changes) {
    String streamId = lease.streamId();
    StreamState stream = state.streams().get(streamId);
    if (stream != null) {
      StreamState joined = stream.withClient(lease);
      changes.joinedStream = joined;
      PlaylistState next = state.withStream(joined);
      changes.event(Type.CLIENT_JOINED, next, streamId, lease.clientId(), joined.clientCount());
      return next;
    }
    if (data != null && target == null) {
      changes.needsTarget = true;
      return state;
    }
    int limit = state.tunerLimit();
    Map<String, StreamState> streams = new LinkedHashMap<>(state.streams());
    // Streams waiting out their grace period hold a tuner only until someone needs it.
    while (streams.size() >= limit) {
      StreamState longestIdle = streams.values().stream().filter(StreamState::idle)
          .min(Comparator.comparingLong(StreamState::idleSince)).orElse(null);
      if (longestIdle == null) {
        changes.refusal = new TunerLimitExceededException(state.id(), streamId, limit,
            List.copyOf(state.streams().keySet()));
        changes.event(Type.TUNER_LIMIT_REACHED, state, streamId, lease.clientId(), 0);
        // Nothing changes on a refusal: streams this loop picked to yield stay, and are not stopped.
        changes.stoppedStreams = List.of();
        return state;
      }
      streams.remove(longestIdle.streamId());
      changes.stopped(new StoppedStream(state.id(), longestIdle, "yielded its tuner"));
    }
    long generation = generations.incrementAndGet();
    // Cheap to create here: the ring is allocated and the upstream opened only by start(), after this.
    TunerHold tuner = new TunerHold();
    SharedStream shared = data == null ? null
        : new SharedStream(state.id(), streamId, generation, target, data, owner, tuner);
    StreamState started = StreamState.started(streamId, generation, lease, shared, tuner);
    changes.tunerLimit = limit;
    changes.joinedStream = started;
    streams.put(streamId, started);
    PlaylistState next = state.withStreams(streams, now);
    for (StoppedStream yielded : changes.stoppedStreams) {
      changes.event(Type.STREAM_STOPPED, next, yielded.stream().streamId(), 0L, 0);
    }
    changes.startedStream = started;
    changes.event(Type.STREAM_STARTED, next, streamId, 0L, 1);
    changes.event(Type.CLIENT_JOINED, next, streamId, lease.clientId(), 1);
    return next;
  }

  @Override
  public ClientLease acquire(String playlistId, String streamId, PlaylistInitializer initializer) {
    Ids.requireValid("playlistId", playlistId);
    Ids.requireValid("streamId", streamId);
    Objects.requireNonNull(initializer, "initializer");
    while (true) {
      getOrCreate(playlistId, initializer);
      try {
        return acquire(playlistId, streamId);
      } catch (PlaylistNotFoundException removedInBetween) {
        LOG.debug("Playlist {} was removed between creation and join of stream {}; retrying",
            playlistId, streamId);
      }
    }
  }

  /**
   * Takes the tuner slot of a stream that the caller's compute just started, from the pool and outside
   * any compute (a remote pool may block). On a refusal the stream is removed again, with every client
   * that joined it meanwhile, and the caller gets the pool's exception.
   */
  private void admit(String playlistId, StreamState started, int tunerLimit) {
    String streamId = started.streamId();
    TunerSlot slot;
    try {
      slot = tunerPool.acquire(new TunerRequest(playlistId, streamId, tunerLimit, TUNER_WAIT));
      Objects.requireNonNull(slot, "the tuner pool returned no slot");
    } catch (TunerLimitExceededException refusal) {
      LOG.warn("No free tuner slot in playlist {} (limit {}, held by {}); refused stream {}",
          playlistId, refusal.tunerLimit(), refusal.activeStreams(), streamId);
      removeGeneration(playlistId, streamId, started.generation(), "the tuner pool refused it", true);
      throw refusal;
    } catch (TunerPoolUnavailableException unavailable) {
      LOG.warn("The tuner pool could not decide for stream {} in playlist {}; refused it", streamId,
          playlistId, unavailable);
      removeGeneration(playlistId, streamId, started.generation(), "the tuner pool could not decide", false);
      throw unavailable;
    } catch (InterruptedException | RuntimeException failure) {
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      TunerPoolUnavailableException unavailable =
          new TunerPoolUnavailableException(playlistId, streamId, failure);
      LOG.warn("The tuner pool failed for stream {} in playlist {}; refused it", streamId, playlistId,
          failure);
      removeGeneration(playlistId, streamId, started.generation(), "the tuner pool failed", false);
      throw unavailable;
    }
    if (started.tuner().attach(slot)) {
      slot.onLost(reason -> slotLost(playlistId, started, reason));
      LOG.debug("Stream {} (generation {}) in playlist {} holds tuner slot {}", streamId,
          started.generation(), playlistId, slot.fencingToken());
    }
  }

  /** A held slot was lost: the stream's upstream stops at once and the stream is removed. */
  private void slotLost(String playlistId, StreamState stream, String reason) {
    LOG.warn("Lost the tuner slot of stream {} (generation {}) in playlist {}: {}; stopping it",
        stream.streamId(), stream.generation(), playlistId, reason);
    if (stream.shared() != null) {
      stream.shared().lose(reason); // stops the pump first, then reports streamEnded
    } else {
      removeGeneration(playlistId, stream.streamId(), stream.generation(),
          "its tuner slot was lost: " + reason, false);
    }
  }

  /** The data plane's reports, kept off the registry's own API. */
  private final class Owner implements LeaseOwner, StreamOwner {
    @Override
    public void release(Lease lease) {
      DefaultPlaylistRegistry.this.release(lease);
    }

    @Override
    public void streamEnded(String playlistId, String streamId, long generation, String reason) {
      removeGeneration(playlistId, streamId, generation, reason, false);
    }
  }

  /** Removes a released lease's client; called once per lease, by the thread that released it. */
  private void release(Lease lease) {
    String playlistId = lease.playlistId();
    String streamId = lease.streamId();
    Changes changes = new Changes(playlistId, config.listener() != null);
    long now = now();
    playlists.computeIfPresent(playlistId, (id, node) -> {
      if (!(node instanceof PlaylistState state)) {
        return node;
      }
      StreamState stream = state.streams().get(streamId);
      if (stream == null || !stream.holds(lease)) {
        return node; // already evicted by cleanup or close: nothing left to release
      }
      StreamState left = stream.withoutClient(lease, now);
      PlaylistState next;
      if (left.idle() && streamGraceNanos == 0L) {
        next = state.withoutStream(streamId, now);
        changes.stopped(new StoppedStream(playlistId, left, "its last client left"));
        changes.event(Type.CLIENT_LEFT, next, streamId, lease.clientId(), 0);
        changes.event(Type.STREAM_STOPPED, next, streamId, 0L, 0);
      } else {
        next = state.withStream(left);
        changes.event(Type.CLIENT_LEFT, next, streamId, lease.clientId(), left.clientCount());
        if (left.idle()) {
          changes.idleStream = left;
        }
      }
      return next;
    });
    publish(changes);
    if (changes.idleStream != null && timers != null && !closed) {
      scheduleGraceExpiry(playlistId, changes.idleStream);
    }
  }

  private void scheduleGraceExpiry(String playlistId, StreamState idle) {
    try {
      timers.schedule(() -> expireIdleStream(playlistId, idle.streamId(), idle.generation()),
          streamGraceNanos, TimeUnit.NANOSECONDS);
    } catch (RuntimeException rejected) {
      LOG.warn("Could not schedule the grace expiry of stream {} in playlist {}; cleanup will stop it",
          idle.streamId(), playlistId, rejected);
    }
  }

  /** Stops a stream whose grace period ended, if it is still the same, still idle generation. */
  private void expireIdleStream(String playlistId, String streamId, long generation) {
    if (closed) {
      return;
    }
    Changes changes = new Changes(playlistId, config.listener() != null);
    long now = now();
    playlists.computeIfPresent(playlistId, (id, node) -> {
      if (node instanceof PlaylistState state) {
        StreamState stream = state.streams().get(streamId);
        // The generation check: a stream that was rejoined, or stopped and started again, is not ours.
        if (stream != null && stream.generation() == generation && stream.idle()
            && now - stream.idleSince() >= streamGraceNanos) {
          PlaylistState next = state.withoutStream(streamId, stream.idleSince());
          changes.stopped(new StoppedStream(playlistId, stream, "its grace period ended"));
          changes.event(Type.STREAM_STOPPED, next, streamId, 0L, 0);
          return next;
        }
      }
      return node;
    });
    publish(changes);
  }

  /**
   * Removes a stream generation that ended for good (its upstream failed, its slot was lost or
   * refused), if it is still registered, with all its clients. Called by the pump thread before the
   * readers are told, so the stream is gone by the time a viewer hears of it.
   */
  private void removeGeneration(String playlistId, String streamId, long generation, String reason,
      boolean refused) {
    Changes changes = new Changes(playlistId, config.listener() != null);
    long now = now();
    playlists.computeIfPresent(playlistId, (id, node) -> {
      if (node instanceof PlaylistState state) {
        StreamState stream = state.streams().get(streamId);
        if (stream != null && stream.generation() == generation) {
          PlaylistState next = state.withoutStream(streamId, now);
          if (refused) {
            long refusedClient = stream.idle() ? 0L : stream.clients()[0].clientId();
            changes.event(Type.TUNER_LIMIT_REACHED, next, streamId, refusedClient, 0);
          }
          for (Lease lease : stream.clients()) {
            changes.evicted(lease);
            changes.event(Type.CLIENT_EVICTED, next, streamId, lease.clientId(), 0);
          }
          changes.stopped(new StoppedStream(playlistId, stream, reason));
          changes.event(Type.STREAM_STOPPED, next, streamId, 0L, 0);
          return next;
        }
      }
      return node;
    });
    publish(changes);
  }

  // ---------------------------------------------------------------------------------------------
  // cleanup

  @Override
  public CleanupReport cleanup() {
    ensureOpen();
    List<String> evicted = new ArrayList<>();
    List<String> stopped = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (Map.Entry<String, RegistryNode> entry : playlists.entrySet()) {
      String playlistId = entry.getKey();
      long now = now();
      if (!(entry.getValue() instanceof PlaylistState seen) || !mayNeedSweep(seen, now)) {
        // Nothing to remove in the state we saw. A newer state was made by a join or leave after
        // `now`; whatever it made removable is found by the next pass. Safety never depends on
        // this pre-check: every removal is decided again inside the compute below.
        continue;
      }
      Changes changes = new Changes(playlistId, config.listener() != null);
      changes.closeEvictedReaders = true; // stale clients stopped reading; free their ring slots
      playlists.computeIfPresent(playlistId, (id, node) ->
          node instanceof PlaylistState state ? sweep(state, now, changes) : node);
      publish(changes);
      for (Lease lease : changes.evictedLeases) {
        evicted.add(lease.playlistId() + "/" + lease.streamId() + "/" + lease.clientId());
      }
      for (StoppedStream stream : changes.stoppedStreams) {
        stopped.add(playlistId + "/" + stream.stream().streamId());
      }
      if (changes.removedPlaylist != null) {
        removed.add(playlistId);
      }
    }
    return new CleanupReport(evicted, stopped, removed);
  }

  /** Read-only: could {@link #sweep} remove anything from this state at {@code now}? */
  private boolean mayNeedSweep(PlaylistState state, long now) {
    if (state.streams().isEmpty()) {
      return now - state.idleSince() >= idleGraceNanos;
    }
    for (StreamState stream : state.streams().values()) {
      if (stream.idle()) {
        if (now - stream.idleSince() >= streamGraceNanos) {
          return true;
        }
        continue;
      }
      for (Lease lease : stream.clients()) {
        if (now - lease.lastTouched() > staleAfterNanos) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The cleanup decision for one playlist, inside its compute: every condition is re-checked against
   * the state being replaced, so a client that joined a moment ago keeps its stream and playlist.
   * Returns {@code null} to remove the playlist.
   */
  private PlaylistState sweep(PlaylistState state, long now, Changes changes) {
    Map<String, StreamState> kept = new LinkedHashMap<>();
    long lastActivity = state.idleSince();
    boolean changed = false;
    for (StreamState stream : state.streams().values()) {
      List<Lease> clients = new ArrayList<>(stream.clientCount());
      long lastTouch = Long.MIN_VALUE;
      for (Lease lease : stream.clients()) {
        long touched = lease.lastTouched();
        if (now - touched > staleAfterNanos) {
          changes.evicted(lease);
          lastTouch = Math.max(lastTouch, touched);
        } else {
          clients.add(lease);
        }
      }
      StreamState next = stream;
      if (clients.size() != stream.clientCount()) {
        // A stream whose clients all vanished has been idle since the last of them was active.
        next = stream.withClients(clients, lastTouch);
        changed = true;
      }
      if (next.idle() && now - next.idleSince() >= streamGraceNanos) {
        changes.stopped(new StoppedStream(state.id(), next, "it had no clients"));
        lastActivity = Math.max(lastActivity, next.idleSince());
        changed = true;
        continue;
      }
      kept.put(next.streamId(), next);
    }
    if (!changed && !state.streams().isEmpty()) {
      return state;
    }
    PlaylistState next = changed ? state.withStreams(kept, lastActivity) : state;
    if (next.streams().isEmpty() && now - next.idleSince() >= idleGraceNanos) {
      changes.removedPlaylist = next;
    }
    // Events describe the state this compute publishes (or, for a removal, the last one).
    for (Lease lease : changes.evictedLeases) {
      StreamState stream = kept.get(lease.streamId());
      changes.event(Type.CLIENT_EVICTED, next, lease.streamId(), lease.clientId(),
          stream == null ? 0 : stream.clientCount());
    }
    for (StoppedStream stream : changes.stoppedStreams) {
      changes.event(Type.STREAM_STOPPED, next, stream.stream().streamId(), 0L, 0);
    }
    if (changes.removedPlaylist != null) {
      changes.event(Type.PLAYLIST_REMOVED, next, null, 0L, 0);
      return null;
    }
    return next;
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

  // ---------------------------------------------------------------------------------------------
  // snapshot / close

  @Override
  public RegistrySnapshot snapshot() {
    ensureOpen();
    List<PlaylistSnapshot> result = new ArrayList<>();
    for (RegistryNode node : playlists.values()) {
      if (node instanceof PlaylistState state) {
        List<StreamSnapshot> streams = new ArrayList<>(state.streams().size());
        for (StreamState stream : state.streams().values()) {
          streams.add(new StreamSnapshot(stream.streamId(), stream.generation(), stream.clientCount(),
              stream.shared() == null ? StreamStats.NONE : stream.shared().stats()));
        }
        result.add(new PlaylistSnapshot(state.playlist(), streams));
      }
    }
    result.sort(Comparator.comparing(PlaylistSnapshot::id));
    return new RegistrySnapshot(result);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true; // volatile write before the sweep: see create() and acquire()
    if (periodicCleanup != null) {
      periodicCleanup.cancel(false);
    }
    LOG.info("Closing playlist registry with {} playlist(s)", playlists.size());
    while (!playlists.isEmpty()) {
      for (String playlistId : playlists.keySet()) {
        removeForClose(playlistId);
      }
    }
    if (pumpThreads != null) {
      pumpThreads.shutdown();
      awaitPumps();
    }
    if (ownTimers != null) {
      ownTimers.shutdownNow();
    }
  }

  /** Every pump was stopped above; they end as soon as their connection is closed. */
  private void awaitPumps() {
    try {
      if (!pumpThreads.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("Upstream pumps still running 10 s after the registry closed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("Interrupted while waiting for upstream pumps to end after close");
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicLong count = new AtomicLong();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Removes one playlist because the registry closed; pending creations fail on their own. */
  private void removeForClose(String playlistId) {
    Changes changes = new Changes(playlistId, config.listener() != null);
    playlists.computeIfPresent(playlistId, (id, node) -> {
      if (node instanceof PlaylistState state) {
        for (StreamState stream : state.streams().values()) {
          stream.clientList().forEach(changes::evicted);
          changes.stopped(new StoppedStream(id, stream, "the registry closed"));
        }
        changes.removedPlaylist = state;
        PlaylistState empty = state.withStreams(Map.of(), 0L);
        for (Lease lease : changes.evictedLeases) {
          changes.event(Type.CLIENT_EVICTED, empty, lease.streamId(), lease.clientId(), 0);
        }
        for (StoppedStream stream : changes.stoppedStreams) {
          changes.event(Type.STREAM_STOPPED, empty, stream.stream().streamId(), 0L, 0);
        }
        changes.event(Type.PLAYLIST_REMOVED, empty, null, 0L, 0);
      }
      return null; // a pending creation's replace() then fails and it reports the close
    });
    publish(changes);
  }

  // ---------------------------------------------------------------------------------------------
  // side effects

  /** Performs what a compute decided: lease flags, log lines, folder deletion, events. */
  private void publish(Changes changes) {
    for (Lease lease : changes.evictedLeases) {
      lease.markReleased();
      if (changes.closeEvictedReaders) {
        lease.closeReader();
      }
      LOG.info("Evicted client {} of stream {} in playlist {}", lease.clientId(), lease.streamId(),
          lease.playlistId());
    }
    if (changes.refusal != null) {
      TunerLimitExceededException refusal = changes.refusal;
      LOG.warn("No free tuner in playlist {} (limit {}, streams {}); refused stream {}",
          refusal.playlistId(), refusal.tunerLimit(), refusal.activeStreams(), refusal.streamId());
    }
    if (changes.startedStream != null) {
      LOG.info("Started stream {} (generation {}) in playlist {}",
          changes.startedStream.streamId(), changes.startedStream.generation(), changes.playlistId);
    }
    for (StoppedStream stopped : changes.stoppedStreams) {
      LOG.info("Stopped stream {} (generation {}) in playlist {}: {}", stopped.stream().streamId(),
          stopped.stream().generation(), stopped.playlistId(), stopped.reason());
      SharedStream shared = stopped.stream().shared();
      if (shared != null) {
        shared.stop(); // its slot is released once its connection has closed
        upstreamByKey.remove(shared.key(), shared);
      } else {
        stopped.stream().tuner().release(); // no connection: the slot ends with the stream
      }
    }
    PlaylistState removed = changes.removedPlaylist;
    if (removed != null) {
      LOG.info("Removed playlist {}", removed.id());
      removed.playlist().workingFolder().ifPresent(folder -> WorkingFolders.delete(removed.id(), folder));
    }
    for (RegistryEvent event : changes.events) {
      fire(event);
    }
  }

  private void fire(RegistryEvent event) {
    RegistryListener listener = config.listener();
    if (listener == null) {
      return;
    }
    try {
      listener.onEvent(event);
    } catch (VirtualMachineError fatal) {
      throw fatal;
    } catch (Throwable e) {
      LOG.error("Registry listener failed on {} of playlist {} stream {} client {}; ignoring it",
          event.type(), event.playlistId(), event.streamId(), event.clientId(), e);
    }
  }

  private long now() {
    return config.ticker().read();
  }

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static IllegalStateException closedException() {
    return new RegistryClosedException(null);
  }

  /** The registry was closed; told apart from an initializer's own IllegalStateException. */
  private static final class RegistryClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    RegistryClosedException(Throwable cause) {
      super("The playlist registry is closed", cause);
    }
  }

  /** A stream that a compute removed, and why, for the log line and the report. */
  private record StoppedStream(String playlistId, StreamState stream, String reason) { }

  /** What one compute decided, to be carried out after it by {@link #publish}. */
  private static final class Changes {
    final String playlistId;
    final boolean recordEvents;
    // Lists stay empty (and shared) until something is added: the join/leave hot path adds nothing
    // to most of them.
    List<RegistryEvent> events = List.of();
    List<Lease> evictedLeases = List.of();
    List<StoppedStream> stoppedStreams = List.of();
    PendingPlaylist pending;
    StreamState startedStream;
    StreamState joinedStream;
    StreamState idleStream;
    boolean needsTarget;
    int tunerLimit;
    boolean closeEvictedReaders;
    PlaylistState removedPlaylist;
    TunerLimitExceededException refusal;

    Changes(String playlistId, boolean recordEvents) {
      this.playlistId = playlistId;
      this.recordEvents = recordEvents;
    }

    void event(Type type, PlaylistState state, String streamId, long clientId, int streamClients) {
      if (recordEvents) {
        events = added(events, new RegistryEvent(type, state.id(), streamId, clientId, streamClients,
            state.streams().size(), state.tunerLimit()));
      }
    }

    void evicted(Lease lease) {
      evictedLeases = added(evictedLeases, lease);
    }

    void stopped(StoppedStream stream) {
      stoppedStreams = added(stoppedStreams, stream);
    }

    private static <T> List<T> added(List<T> list, T element) {
      List<T> mutable = list.isEmpty() ? new ArrayList<>(4) : list;
      mutable.add(element);
      return mutable;
    }
  }
}
