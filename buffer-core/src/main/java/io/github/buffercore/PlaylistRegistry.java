package io.github.buffercore;

import io.github.buffercore.internal.DefaultPlaylistRegistry;
import io.github.buffercore.internal.BroadcastRing;
import io.github.buffercore.internal.RegistryConfig;
import io.github.buffercore.internal.StreamDataConfig;
import io.github.buffercore.internal.WakeBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * The registry of playlists, the streams being buffered for each, and the clients watching each
 * stream, shared by all request threads of a stream proxy.
 *
 * <p>Every operation is atomic with respect to every other: each reads and replaces one immutable
 * state of a playlist in a single map computation, so there are no check-then-act windows. The rules
 * this guarantees are listed in the {@linkplain io.github.buffercore package documentation} and each is
 * proven by a jcstress test of the same name in the {@code stress-tests} module. Initializers,
 * listeners, file-system work and log output never run inside a map computation; side effects of a
 * change run exactly once, after the change that decided them, on the thread that made it; listener
 * events are delivered in the order of the changes (see {@link RegistryListener}).
 *
 * <p>Ids are validated by every method: {@code null}, empty, longer than 256 characters, containing
 * {@code /}, {@code \}, {@code ..}, or control characters, or equal to {@code .}: an
 * {@link IllegalArgumentException} naming the value, and nothing changes. After {@link #close()} every
 * method but {@code close} throws {@link RegistryClosedException} (an {@link IllegalStateException}).
 *
 * <pre>{@code
 * PlaylistRegistry registry = PlaylistRegistry.builder().build();
 * try (ClientLease lease = registry.acquire("provider-1", "channel-42",
 *     id -> PlaylistSettings.withTuners(2))) {
 *   // stream channel-42 to this client, calling lease.touch() as it reads
 * }
 * }</pre>
 */
public interface PlaylistRegistry extends AutoCloseable {

  /**
   * Returns a builder with defaults for a home IPTV proxy: clients stale after 30 seconds, streams
   * kept for 10 seconds after their last client leaves, idle playlists kept for 60 seconds, no working
   * folders, no periodic cleanup.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the live playlist with this id, creating it if there is none.
   *
   * <p>Concurrency: the initializer runs exactly once per creation, however many threads race for the
   * same id; it runs outside any lock, on the thread that won. Every other caller waits and receives
   * the same, fully initialized {@link Playlist} instance: a playlist is published only after its
   * initializer returned and its working folder exists. If the initializer throws, nothing is stored,
   * the winner and every waiting caller get a {@link PlaylistInitializationException} naming the id,
   * and a later call tries again. A real creation logs {@code Creating new playlist for ID: <id>} once
   * and emits {@link RegistryEvent.Type#PLAYLIST_CREATED}; a hit logs nothing.
   *
   * @param playlistId the playlist id
   * @param initializer builds the settings of a new playlist
   * @return the live playlist
   * @throws IllegalArgumentException if the id is invalid
   * @throws PlaylistInitializationException if the initializer (or creating the working folder) failed,
   *     also when the initializer called back into the registry for its own id (the cause is then an
   *     {@link IllegalStateException} saying so)
   * @throws RegistryClosedException if the registry is closed
   */
  Playlist getOrCreate(String playlistId, PlaylistInitializer initializer);

  /**
   * Returns the live playlist with this id, if there is one; never waits for one being created.
   *
   * @param playlistId the playlist id
   * @return the playlist, or empty
   * @throws IllegalArgumentException if the id is invalid
   * @throws RegistryClosedException if the registry is closed
   */
  Optional<Playlist> find(String playlistId);

  /**
   * Atomically replaces a playlist's settings with {@code fn} applied to the current ones.
   *
   * <p>Concurrency: a compare-and-set loop, like {@link java.util.concurrent.atomic.AtomicReference#updateAndGet}:
   * {@code fn} runs outside any lock and is applied again if another update won in between, so
   * concurrent updates are never lost; {@code fn} must therefore be free of side effects. Streams and
   * clients are untouched. Lowering the tuner limit below the tuners in use stops nothing; new streams
   * are refused until enough have stopped.
   *
   * @param playlistId the playlist id
   * @param fn computes the new settings from the current ones; must not return {@code null}
   * @return the playlist with the new settings
   * @throws IllegalArgumentException if the id is invalid
   * @throws PlaylistNotFoundException if there is no such playlist
   * @throws RegistryClosedException if the registry is closed
   */
  Playlist update(String playlistId, UnaryOperator<PlaylistSettings> fn);

  /**
   * Joins a client to a stream of an existing playlist.
   *
   * <p>Concurrency: one atomic step decides everything. If the stream is running (or waiting out its
   * grace period) the client joins it and no tuner is taken. Otherwise the stream starts and takes a
   * tuner; if every tuner is held by a stream with clients, a {@link TunerLimitExceededException} is
   * thrown and nothing changes (a stream in its grace period with no clients yields its tuner instead).
   * Tuners in use never exceed the limit. A concurrent {@link #cleanup()} or last {@link
   * ClientLease#close()} is ordered with this join: either it ran first and the client starts a new
   * stream (or gets {@link PlaylistNotFoundException} if the playlist was removed), or the join ran first
   * and the stream and playlist are kept.
   *
   * @param playlistId the playlist id
   * @param streamId the stream (channel) id
   * @return the client's lease; close it when the client leaves
   * @throws IllegalArgumentException if an id is invalid
   * @throws PlaylistNotFoundException if there is no such playlist
   * @throws TunerLimitExceededException if the stream would need a tuner and none is free
   * @throws PlaylistInitializationException if the playlist was being created and that failed
   * @throws RegistryClosedException if the registry is closed
   */
  ClientLease acquire(String playlistId, String streamId);

  /**
   * Joins a client to a stream, creating the playlist with {@code initializer} if it does not exist.
   * Equivalent to {@link #getOrCreate} followed by {@link #acquire(String, String)}, retried if cleanup
   * removes the playlist in between, so a client never fails because of a concurrent cleanup.
   *
   * @param playlistId the playlist id
   * @param streamId the stream (channel) id
   * @param initializer builds the settings if the playlist must be created
   * @return the client's lease
   * @throws IllegalArgumentException if an id is invalid
   * @throws TunerLimitExceededException if the stream would need a tuner and none is free
   * @throws PlaylistInitializationException if the playlist had to be created and that failed
   * @throws RegistryClosedException if the registry is closed
   */
  ClientLease acquire(String playlistId, String streamId, PlaylistInitializer initializer);

  /**
   * Joins a client that carries a key to a stream of an existing playlist: like
   * {@link #acquire(String, String)}, and a channel switch for a client that still holds a lease.
   *
   * <p>Concurrency: if an open lease with an equal key is on another stream of this playlist, that
   * lease is ended and this client joins, in one atomic step. The ended stream then counts as free:
   * if the old lease was its last client, it yields its tuner to the new stream, so a one-tuner
   * account switches channels with no {@link TunerLimitExceededException} and never runs two
   * upstreams (the new upstream opens only after the old connection has closed, waiting at most a
   * few seconds, after which the start is refused). The old lease's reader then throws
   * {@link StreamSwitchedException}. If the new stream is refused, nothing changes and the old lease
   * keeps playing. A lease with the same key on the same stream is left alone.
   *
   * @param playlistId the playlist id
   * @param streamId the stream (channel) id
   * @param clientKey who the client is
   * @return the client's lease
   * @throws IllegalArgumentException if an id is invalid
   * @throws NullPointerException if the key is {@code null}
   * @throws PlaylistNotFoundException if there is no such playlist
   * @throws TunerLimitExceededException if the stream would need a tuner and none is free, even with
   *     the old lease ended
   * @throws IllegalStateException if the registry is closed
   */
  ClientLease acquire(String playlistId, String streamId, ClientKey clientKey);

  /**
   * {@link #acquire(String, String, ClientKey)}, creating the playlist with {@code initializer} if it
   * does not exist (retried if cleanup removes it in between).
   *
   * @param playlistId the playlist id
   * @param streamId the stream (channel) id
   * @param clientKey who the client is
   * @param initializer builds the settings if the playlist must be created
   * @return the client's lease
   * @throws IllegalArgumentException if an id is invalid
   * @throws NullPointerException if the key is {@code null}
   * @throws TunerLimitExceededException if the stream would need a tuner and none is free, even with
   *     the old lease ended
   * @throws PlaylistInitializationException if the playlist had to be created and that failed
   * @throws IllegalStateException if the registry is closed
   */
  ClientLease acquire(String playlistId, String streamId, ClientKey clientKey,
      PlaylistInitializer initializer);

  /**
   * Like {@link #acquire(String, String)}, but the client's {@link ClientLease#reader() reader} starts at
   * {@code join} instead of the registry's {@linkplain Builder#joinPosition default join position}; a
   * channel switch can ask for {@link JoinPosition#live()} while a catch-up viewer asks for {@link
   * JoinPosition#behind(java.time.Duration)}. See {@link JoinPosition} for the fallback of streams
   * without random access points.
   *
   * @param playlistId the playlist id
   * @param streamId the stream (channel) id
   * @param join where this client's reader starts
   * @return the client's lease
   * @throws NullPointerException if {@code join} is {@code null}
   * @throws IllegalArgumentException if an id is invalid
   * @throws PlaylistNotFoundException if there is no such playlist
   * @throws TunerLimitExceededException if the stream would need a tuner and none is free
   * @throws PlaylistInitializationException if the playlist was being created and that failed
   * @throws IllegalStateException if the registry is closed
   */
  ClientLease acquire(String playlistId, String streamId, JoinPosition join);

  /**
   * Removes what is no longer used: clients not touched within {@code staleAfter}, streams without
   * clients past {@code streamGrace}, and playlists without streams past {@code idleGrace} (with their
   * working folders).
   *
   * <p>Concurrency: each playlist is re-examined and changed in one atomic step, so a client that joins
   * concurrently is either seen (and its stream and playlist are kept) or joins after the removal (and
   * starts a new stream or gets {@link PlaylistNotFoundException}); nothing with a client in it is ever
   * removed. Events, log lines and folder deletion follow each step. Safe to call from any thread and
   * concurrently with itself; run every cleanup interval (default 5 s) unless the builder was told
   * {@code manualCleanup()}.
   *
   * <p>Stall sweep: before deciding, each reader's published position is compared with the writer's.
   * A reader that consumed since the last pass, or has nothing to read, counts as active; one that
   * consumed nothing (and whose lease was not touched) for {@code staleAfter} while data waited is
   * evicted, and so is one the writer lapped that did not move for a whole pass. An evicted lease is
   * released exactly once and its {@link ClientLease#onEnded} callbacks run, so the viewer's
   * connection can be closed even if its thread is stuck in a socket write.
   *
   * @return what this pass removed
   * @throws RegistryClosedException if the registry is closed
   */
  CleanupReport cleanup();

  /**
   * Returns an immutable view of all live playlists, their streams and client counts.
   *
   * @return the snapshot
   * @throws RegistryClosedException if the registry is closed
   */
  RegistrySnapshot snapshot();

  /**
   * Closes the registry: cancels periodic cleanup, evicts every client, stops every stream, removes
   * every playlist and deletes their working folders, emitting the events. Calls of other methods made
   * after a {@code close()} has returned (also a second, concurrent one: it returns only once the
   * registry is empty) throw {@link RegistryClosedException}; creations racing with {@code close} fail
   * with it too, and a {@code getOrCreate} racing with it may still return a playlist the close then
   * removes. A
   * scheduler passed to the builder belongs to the caller and is not shut down; the registry's own
   * sweep thread (used when none was passed) is. Idempotent.
   */
  @Override
  void close();

  /**
   * Builds a {@link PlaylistRegistry}. Not thread-safe; each {@link #build()} returns an independent
   * registry.
   */
  final class Builder {

    private Duration staleAfter = Duration.ofSeconds(30);
    private Duration streamGrace = Duration.ofSeconds(10);
    private Duration idleGrace = Duration.ofSeconds(60);
    private Duration cleanupInterval = Duration.ofSeconds(5);
    private Ticker ticker = Ticker.systemTicker();
    private RegistryListener listener; // null: no listener, so no events are even built
    private Path workingFolderBase;
    private ScheduledExecutorService scheduler;
    private boolean intervalSet;
    private boolean manualCleanup;
    private UpstreamSource upstreamSource;
    private UpstreamResolver upstreamResolver;
    private int bufferCapacity = BroadcastRing.DEFAULT_CAPACITY;
    private int startBehind = -1; // default: 1 MiB, or a quarter of a smaller buffer
    private boolean mpegTs = true;
    private SlowClientPolicy slowClientPolicy = SlowClientPolicy.SKIP;
    private ReconnectPolicy reconnectPolicy = ReconnectPolicy.defaults();
    private Duration startTimeout = Duration.ofSeconds(10);
    /**
     * The longest duration, in days, that any setter of this builder accepts (about 273 years, below
     * the 292 years a signed nanosecond count can hold).
     */
    public static final long MAX_DURATION_DAYS = 100_000;
    private static final Duration MAX_DURATION = Duration.ofDays(MAX_DURATION_DAYS);
    private TunerPool tunerPool; // null: the in-process default
    private JoinPosition joinPosition = JoinPosition.live();
    private int wakeBatchBytes = DEFAULT_WAKE_BATCH_BYTES;
    private Duration wakeBatchDelay = DEFAULT_WAKE_BATCH_DELAY;
    /** Default of {@link #wakeBatching}: wake a parked reader once 64 KiB are readable for it... */
    public static final int DEFAULT_WAKE_BATCH_BYTES = 64 * 1024;
    /**
     * ...or 500 ms after it last received data (see {@link #wakeBatching}): about VLC's own write
     * cadence, and well inside a player's buffer; half the wake-ups and writes per viewer of 200 ms
     * (benchmarks/LOAD.md).
     */
    public static final Duration DEFAULT_WAKE_BATCH_DELAY = Duration.ofMillis(500);
    /** The longest delay {@link #wakeBatching} accepts: 5 seconds. */
    public static final Duration MAX_WAKE_BATCH_DELAY = Duration.ofSeconds(5);

    Builder() { }

    /**
     * Sets after how long without {@link ClientLease#touch()} and without its reader consuming (while
     * data waits for it) a client counts as vanished and is evicted by the periodic cleanup's stall
     * sweep. Default 30 seconds.
     *
     * @param staleAfter a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive or over {@value #MAX_DURATION_DAYS} days
     */
    public Builder staleAfter(Duration staleAfter) {
      this.staleAfter = positive("staleAfter", staleAfter);
      return this;
    }

    /**
     * Sets how long a stream keeps running (and holds its tuner) after its last client left, so a
     * client that comes back (a channel switch back, a player reconnecting) reuses it. Zero stops the
     * stream with its last client. A stream in its grace period yields its tuner to a new stream when
     * the playlist is full. Default 10 seconds.
     *
     * @param streamGrace zero or a positive duration
     * @return this builder
     * @throws IllegalArgumentException if negative or over {@value #MAX_DURATION_DAYS} days
     */
    public Builder streamGrace(Duration streamGrace) {
      this.streamGrace = nonNegative("streamGrace", streamGrace);
      return this;
    }

    /**
     * Sets how long a playlist without streams is kept before cleanup removes it. Default 60 seconds.
     *
     * @param idleGrace zero or a positive duration
     * @return this builder
     * @throws IllegalArgumentException if negative or over {@value #MAX_DURATION_DAYS} days
     */
    public Builder idleGrace(Duration idleGrace) {
      this.idleGrace = nonNegative("idleGrace", idleGrace);
      return this;
    }

    /**
     * Sets the time source; tests pass one they advance by hand. Default {@link Ticker#systemTicker()}.
     *
     * @param ticker the ticker
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets the listener that receives every {@link RegistryEvent}, in the order of the changes, one
     * call at a time; a call returns after its own events were delivered (the full delivery contract
     * is on {@link RegistryListener}). Default: none, and then no event is built or queued.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(RegistryListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Gives every playlist a working folder {@code base/<playlistId>-<generation>}, created before
     * the playlist is published and deleted (with its content) after it is removed. The generation in
     * the name keeps a re-created playlist from sharing the folder its predecessor is still deleting.
     * Ids cannot name a path outside {@code base}. Default: no folders.
     *
     * @param base the base directory; created if missing
     * @return this builder
     */
    public Builder workingFolderBase(Path base) {
      this.workingFolderBase = Objects.requireNonNull(base, "base").toAbsolutePath().normalize();
      return this;
    }

    /**
     * Runs {@link PlaylistRegistry#cleanup()} every {@code interval} on {@code scheduler}, and stops
     * idle streams when their grace period ends rather than at the next cleanup. The scheduler stays
     * the caller's: closing the registry cancels its tasks but does not shut it down.
     *
     * @param scheduler the scheduler
     * @param interval a positive interval between cleanup passes
     * @return this builder
     * @throws IllegalArgumentException if the interval is not positive or over {@value #MAX_DURATION_DAYS} days
     */
    public Builder scheduler(ScheduledExecutorService scheduler, Duration interval) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      this.cleanupInterval = positive("interval", interval);
      return this;
    }

    /**
     * Sets how often the registry's own daemon thread runs {@link PlaylistRegistry#cleanup()}, whose
     * stall sweep evicts viewers that stopped consuming: one is freed within {@code staleAfter} plus
     * one interval. Without {@link #scheduler}, the registry owns that thread and stops it on
     * {@link PlaylistRegistry#close()}. Default 5 seconds.
     *
     * @param interval a positive interval between cleanup passes
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder cleanupInterval(Duration interval) {
      this.cleanupInterval = positive("interval", interval);
      this.intervalSet = true;
      return this;
    }

    /**
     * Runs no periodic cleanup: stale and lapped viewers, idle streams and idle playlists are removed
     * only when the caller calls {@link PlaylistRegistry#cleanup()} (idle streams also by their grace
     * timers). For tests that drive time with their own {@link Ticker}; a server should keep the
     * default, or a stalled viewer holds its tuner until the next explicit cleanup. Cannot be combined
     * with {@link #scheduler} or {@link #cleanupInterval}.
     *
     * @return this builder
     */
    public Builder manualCleanup() {
      this.manualCleanup = true;
      return this;
    }

    /**
     * Gives every stream a data path: the first client of a stream makes the registry open one
     * upstream connection with {@code source}, at the URLs {@code resolver} names, pumped on a thread
     * of the registry into one bounded buffer that every client of the stream reads through
     * {@link ClientLease#reader()}. The upstream stops when the stream is removed (after its last client
     * and the stream grace period), and a failure reaches every reader as {@link UpstreamException}.
     * Without this call the registry only keeps the books.
     *
     * @param source opens upstream connections, for example {@link HttpUpstreamSource}
     * @param resolver names the upstream URLs of a stream, or {@code null} for an unknown stream
     * @return this builder
     */
    public Builder upstream(UpstreamSource source, UpstreamResolver resolver) {
      this.upstreamSource = Objects.requireNonNull(source, "source");
      this.upstreamResolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * Sets the buffer capacity of each stream, rounded up to a power of two; memory per stream does
     * not grow with its readers. Default 4 MiB (about 8 s of a 4 Mbit/s channel).
     *
     * @param bytes between 4 KiB and 1 GiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder bufferCapacity(int bytes) {
      if (bytes < 4096 || bytes > BroadcastRing.MAX_CAPACITY) {
        throw new IllegalArgumentException(
            "bufferCapacity must be between 4096 and " + BroadcastRing.MAX_CAPACITY + " but was " + bytes);
      }
      this.bufferCapacity = bytes;
      return this;
    }

    /**
     * Sets how far behind live a new reader starts, so a player can fill its own buffer at once
     * (Dispatcharr's {@code new_client_behind_seconds}, in bytes); 0 starts at the live edge. It must
     * not exceed the buffer capacity. Default 1 MiB, or a quarter of the buffer if that is smaller.
     *
     * @param bytes zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder startBehind(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("startBehind must not be negative but was " + bytes);
      }
      this.startBehind = bytes;
      return this;
    }

    /**
     * Sets whether streams are MPEG-TS: the upstream is cut into whole 188-byte packets
     * (re-synchronised on sync byte 0x47) and readers start and skip only on packet boundaries.
     * Default {@code true}; pass {@code false} for other byte streams.
     *
     * @param mpegTs whether to align to MPEG-TS packets
     * @return this builder
     */
    public Builder mpegTs(boolean mpegTs) {
      this.mpegTs = mpegTs;
      return this;
    }

    /**
     * Sets what happens to a reader so slow that the buffer overwrote data it had not read. Default
     * {@link SlowClientPolicy#SKIP}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder slowClientPolicy(SlowClientPolicy policy) {
      this.slowClientPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets the attempts and backoff per upstream URL before the next backup URL, and before giving
     * up. Default {@link ReconnectPolicy#defaults()}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder reconnectPolicy(ReconnectPolicy policy) {
      this.reconnectPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets how long an upstream attempt may take to deliver its first byte. Default 10 seconds.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive or over {@value #MAX_DURATION_DAYS} days
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = positive("startTimeout", timeout);
      return this;
    }

    /**
     * Sets where a new viewer starts in an MPEG-TS stream's buffer unless its acquire names a position
     * ({@link #acquire(String, String, JoinPosition)}): on a random access point, after the current PAT
     * and PMT, so its decoder starts on a clean picture. Default {@link JoinPosition#live()}, the newest
     * point (within one group of pictures of live). A stream that is not MPEG-TS, has no video, or has
     * shown no random access point yet falls back to the packet-aligned {@link #startBehind} offset (or
     * the oldest intact byte for {@link JoinPosition#oldest()}); see {@link JoinPosition}.
     *
     * @param position the default join position
     * @return this builder
     * @throws NullPointerException if {@code position} is {@code null}
     */
    public Builder joinPosition(JoinPosition position) {
      this.joinPosition = Objects.requireNonNull(position, "joinPosition");
      return this;
    }

    /**
     * Sets the tuner admission of every playlist: which upstream connections may open. Default: an
     * in-process pool that enforces each playlist's {@link PlaylistSettings#tunerLimit()} on this node
     * only. Pass a shared pool (for example {@code buffer-redis}) to enforce one limit across nodes.
     * The registry does not close the pool; its owner does, after closing the registry.
     *
     * @param pool the tuner pool
     * @return this builder
     * @throws NullPointerException if {@code pool} is {@code null}
     */
    public Builder tunerPool(TunerPool pool) {
      this.tunerPool = Objects.requireNonNull(pool, "pool");
      return this;
    }

    /**
     * Sets when a reader that waits for data (a pending {@link StreamReader#onReadable readiness
     * callback}, or a thread blocked in {@link StreamReader#read}) is woken: once at least {@code
     * bytes} are readable for it, or once {@code maxDelay} passed (on this builder's {@link #ticker})
     * since it last received data, or when the stream ends or the reader closes. A reader's first
     * data after it joined wakes it at once. Without batching every upstream read (often ~1 KB) wakes
     * every parked viewer, so each viewer costs one task hop and one socket write per upstream read;
     * with it, a few larger writes per viewer-second, at the price of up to {@code maxDelay} of added
     * latency that a player's buffer absorbs. The delay is checked on each upstream publication and by
     * a flush on the registry's timer every half delay, so a viewer gets data within about {@code
     * maxDelay} (at most one and a half) even while the upstream sends nothing. Reads are unchanged:
     * {@link StreamReader#poll} still returns whatever is readable, in whole packets. The bytes are
     * capped at a quarter of the {@linkplain #bufferCapacity buffer capacity}. Default 64 KiB and
     * 500 ms; {@code wakeBatching(0, Duration.ZERO)} (or any {@code bytes <= 1} or a zero delay) turns
     * batching off.
     *
     * @param bytes readable bytes that wake a reader at once; zero or more
     * @param maxDelay the longest wait after a reader's last delivery; zero up to {@link
     *     #MAX_WAKE_BATCH_DELAY}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is negative or {@code maxDelay} out of range
     * @throws NullPointerException if {@code maxDelay} is {@code null}
     */
    public Builder wakeBatching(int bytes, Duration maxDelay) {
      Objects.requireNonNull(maxDelay, "maxDelay");
      if (bytes < 0) {
        throw new IllegalArgumentException("wake batch bytes must not be negative but was " + bytes);
      }
      if (maxDelay.isNegative() || maxDelay.compareTo(MAX_WAKE_BATCH_DELAY) > 0) {
        throw new IllegalArgumentException("wake batch delay must be between 0 and " + MAX_WAKE_BATCH_DELAY
            + " but was " + maxDelay);
      }
      this.wakeBatchBytes = bytes;
      this.wakeBatchDelay = maxDelay;
      return this;
    }

    /**
     * Builds the registry.
     *
     * @return a new, open registry
     * @throws IllegalArgumentException if {@code startBehind} exceeds {@code bufferCapacity}, or
     *     {@link #manualCleanup()} was combined with a cleanup interval or scheduler
     */
    public PlaylistRegistry build() {
      if (manualCleanup && (scheduler != null || intervalSet)) {
        throw new IllegalArgumentException("manualCleanup() cannot be combined with "
            + (scheduler != null ? "scheduler(...)" : "cleanupInterval(...)")
            + ": that cleanup interval would never take effect");
      }
      StreamDataConfig data = null;
      if (upstreamSource != null) {
        int capacity = Integer.highestOneBit(bufferCapacity - 1) << 1;
        int behind = startBehind >= 0 ? startBehind : Math.min(1024 * 1024, capacity / 4);
        if (behind > capacity) {
          throw new IllegalArgumentException("startBehind (" + startBehind
              + " bytes) must not exceed the buffer capacity (" + capacity + " bytes)");
        }
        data = new StreamDataConfig(upstreamSource, upstreamResolver, bufferCapacity, behind,
            mpegTs, slowClientPolicy, reconnectPolicy, startTimeout, joinPosition,
            // A batch close to the ring's size would let the writer lap a reader waiting for it.
            WakeBatch.of(Math.min(wakeBatchBytes, capacity / 4), wakeBatchDelay, ticker));
      }
      return new BuiltRegistry(new RegistryConfig(
          staleAfter, streamGrace, idleGrace, ticker, listener, workingFolderBase, scheduler,
          cleanupInterval, data, tunerPool, !manualCleanup));
    }

    /**
     * The registry {@link #build()} returns: the implementation plus this interface. getOrCreate,
     * find, update, cleanup, snapshot and close are the implementation's own methods (same
     * signatures); the acquire overloads check their arguments and name the one general join. A
     * subclass, not a delegate: every call reaches the map with one dereference less.
     */
    private static final class BuiltRegistry extends DefaultPlaylistRegistry implements PlaylistRegistry {

      BuiltRegistry(RegistryConfig config) {
        super(config);
      }

      @Override
      public ClientLease acquire(String playlistId, String streamId) {
        return acquire(playlistId, streamId, (ClientKey) null, (JoinPosition) null);
      }

      @Override
      public ClientLease acquire(String playlistId, String streamId, PlaylistInitializer initializer) {
        return super.acquire(playlistId, streamId, (ClientKey) null, initializer);
      }

      @Override
      public ClientLease acquire(String playlistId, String streamId, ClientKey clientKey) {
        return acquire(playlistId, streamId, Objects.requireNonNull(clientKey, "clientKey"),
            (JoinPosition) null);
      }

      @Override
      public ClientLease acquire(String playlistId, String streamId, ClientKey clientKey,
          PlaylistInitializer initializer) {
        return super.acquire(playlistId, streamId, Objects.requireNonNull(clientKey, "clientKey"),
            initializer);
      }

      @Override
      public ClientLease acquire(String playlistId, String streamId, JoinPosition join) {
        return acquire(playlistId, streamId, (ClientKey) null, Objects.requireNonNull(join, "join"));
      }
    }

    private static Duration positive(String name, Duration value) {
      if (nonNegative(name, value).isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + value);
      }
      return value;
    }

    /** Also bounded by {@link #MAX_DURATION}: nanosecond arithmetic on longer ones overflows. */
    private static Duration nonNegative(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(name + " must be between 0 and " + MAX_DURATION
            + " but was " + value);
      }
      return value;
    }
  }
}
