package io.github.buffercore.stress.broken;

import io.github.buffercore.CleanupReport;
import io.github.buffercore.ClientKey;
import io.github.buffercore.ClientLease;
import io.github.buffercore.JoinPosition;
import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistInitializationException;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.PlaylistSnapshot;
import io.github.buffercore.RegistrySnapshot;
import io.github.buffercore.StreamReader;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.StreamStats;
import io.github.buffercore.Ticker;
import io.github.buffercore.TunerLimitExceededException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * A deliberately small registry that the broken variants start from: a {@link ConcurrentHashMap}
 * (the Go seed's {@code sync.Map}) from playlist id to an immutable {@link Entry}, client counts per
 * stream (the seed's {@code Connection} counters), and every operation done <em>correctly</em> in one
 * atomic map computation. Each broken variant overrides exactly one operation and does it the way
 * the seed's code does, so that the jcstress test of that invariant can show it catches the bug.
 *
 * <p>This is a test double, not a copy of buffer-core: no pending placeholders, no events, no folders,
 * no stale clients, no yielding of idle tuners; the initializer runs inside {@code computeIfAbsent}.
 */
public class SketchRegistry implements PlaylistRegistry {

  /** One stream: its generation and how many clients watch it. */
  protected record Stream(String id, long generation, int clients, long idleSince) { }

  /** One playlist and its streams; immutable, replaced as a whole. */
  protected record Entry(Playlist playlist, Map<String, Stream> streams, long idleSince) {

    Entry withPlaylist(Playlist next) {
      return new Entry(next, streams, idleSince);
    }

    Entry withStream(Stream stream) {
      Map<String, Stream> next = new LinkedHashMap<>(streams);
      next.put(stream.id(), stream);
      return new Entry(playlist, Map.copyOf(next), idleSince);
    }

    Entry withoutStream(String streamId, long now) {
      Map<String, Stream> next = new LinkedHashMap<>(streams);
      next.remove(streamId);
      return new Entry(playlist, Map.copyOf(next), now);
    }
  }

  protected final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();
  protected final long streamGraceNanos;
  protected final long idleGraceNanos;
  protected final Ticker ticker;
  /** Called inside the broken check-then-act window; see {@link RaceWindow}. */
  protected final Runnable window;
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong clientIds = new AtomicLong();

  /**
   * Creates an empty registry.
   *
   * @param streamGrace how long a stream without clients is kept
   * @param idleGrace how long a playlist without streams is kept
   * @param ticker the time source
   * @param window run inside a broken variant's race window
   */
  public SketchRegistry(Duration streamGrace, Duration idleGrace, Ticker ticker, Runnable window) {
    this.streamGraceNanos = streamGrace.toNanos();
    this.idleGraceNanos = idleGrace.toNanos();
    this.ticker = ticker;
    this.window = window;
  }

  // ---- creation ---------------------------------------------------------------------------------

  @Override
  public Playlist getOrCreate(String playlistId, PlaylistInitializer initializer) {
    return map.computeIfAbsent(playlistId,
        id -> new Entry(newPlaylist(id, initializer), Map.of(), now())).playlist();
  }

  /** Runs the initializer and builds the playlist. */
  protected Playlist newPlaylist(String playlistId, PlaylistInitializer initializer) {
    PlaylistSettings settings;
    try {
      settings = initializer.initialize(playlistId);
    } catch (Exception e) {
      throw new PlaylistInitializationException(playlistId, e);
    }
    return new Playlist(playlistId, generations.incrementAndGet(), settings, Optional.empty());
  }

  /** A playlist with placeholder settings, as the seed's {@code LoadOrStore} publishes it. */
  protected Playlist emptyPlaylist(String playlistId) {
    return new Playlist(playlistId, generations.incrementAndGet(), PlaylistSettings.withTuners(1),
        Optional.empty());
  }

  @Override
  public Optional<Playlist> find(String playlistId) {
    return Optional.ofNullable(map.get(playlistId)).map(Entry::playlist);
  }

  // ---- update -----------------------------------------------------------------------------------

  @Override
  public Playlist update(String playlistId, UnaryOperator<PlaylistSettings> fn) {
    AtomicReference<Playlist> updated = new AtomicReference<>();
    map.computeIfPresent(playlistId, (id, entry) -> {
      Playlist next = withSettings(entry.playlist(), fn.apply(entry.playlist().settings()));
      updated.set(next);
      return entry.withPlaylist(next);
    });
    if (updated.get() == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
    return updated.get();
  }

  protected static Playlist withSettings(Playlist playlist, PlaylistSettings settings) {
    return new Playlist(playlist.id(), playlist.generation(), settings, playlist.workingFolder());
  }

  // ---- acquire / release ------------------------------------------------------------------------

  @Override
  public ClientLease acquire(String playlistId, String streamId) {
    AtomicReference<RuntimeException> refusal = new AtomicReference<>();
    Entry result = map.computeIfPresent(playlistId,
        (id, entry) -> join(entry, streamId, refusal, true));
    if (result == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
    if (refusal.get() != null) {
      throw refusal.get();
    }
    return newLease(playlistId, streamId);
  }

  /** A new open lease for one client of a stream. */
  protected ClientLease newLease(String playlistId, String streamId) {
    return new SketchLease(playlistId, streamId, clientIds.incrementAndGet());
  }

  /**
   * Joins a running stream or starts one. {@code checkLimit} false starts it regardless (used by
   * the broken check-then-increment variant after its own, stale, check).
   */
  protected Entry join(Entry entry, String streamId, AtomicReference<RuntimeException> refusal,
      boolean checkLimit) {
    Stream stream = entry.streams().get(streamId);
    if (stream != null) {
      return entry.withStream(new Stream(streamId, stream.generation(), stream.clients() + 1, 0L));
    }
    if (checkLimit && entry.streams().size() >= entry.playlist().tunerLimit()) {
      refusal.set(limitExceeded(entry, streamId));
      return entry;
    }
    return entry.withStream(new Stream(streamId, generations.incrementAndGet(), 1, 0L));
  }

  protected static TunerLimitExceededException limitExceeded(Entry entry, String streamId) {
    return new TunerLimitExceededException(entry.playlist().id(), streamId,
        entry.playlist().tunerLimit(), List.copyOf(entry.streams().keySet()));
  }

  @Override
  public ClientLease acquire(String playlistId, String streamId, PlaylistInitializer initializer) {
    while (true) {
      getOrCreate(playlistId, initializer);
      try {
        return acquire(playlistId, streamId);
      } catch (PlaylistNotFoundException removedInBetween) {
        // retry
      }
    }
  }

  /**
   * Not modelled: the sketch has no client keys (the switch's broken variant runs on the real
   * registry, see {@code SwitchHandsOverTuner}).
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public ClientLease acquire(String playlistId, String streamId, ClientKey clientKey) {
    throw new UnsupportedOperationException("SketchRegistry has no client keys (playlist " + playlistId
        + ", stream " + streamId + ")");
  }

  /**
   * Not modelled: see {@link #acquire(String, String, ClientKey)}.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public ClientLease acquire(String playlistId, String streamId, ClientKey clientKey,
      PlaylistInitializer initializer) {
    return acquire(playlistId, streamId, clientKey);
  }

  /** The sketch has no data path, so a join position changes nothing: the plain acquire. */
  @Override
  public ClientLease acquire(String playlistId, String streamId, JoinPosition join) {
    java.util.Objects.requireNonNull(join, "join");
    return acquire(playlistId, streamId);
  }

  /** Closes a lease: removes its client once. */
  protected void closeLease(SketchLease lease) {
    if (lease.open.compareAndSet(true, false)) {
      release(lease.playlistId(), lease.streamId());
    }
  }

  /** Removes one client of a stream; the stream stops with its last client when the grace is 0. */
  protected void release(String playlistId, String streamId) {
    long now = now();
    map.computeIfPresent(playlistId, (id, entry) -> {
      Stream stream = entry.streams().get(streamId);
      if (stream == null) {
        return entry;
      }
      int clients = stream.clients() - 1;
      if (clients <= 0 && streamGraceNanos == 0L) {
        return entry.withoutStream(streamId, now);
      }
      return entry.withStream(new Stream(streamId, stream.generation(), clients,
          clients <= 0 ? now : 0L));
    });
  }

  // ---- cleanup ----------------------------------------------------------------------------------

  @Override
  public CleanupReport cleanup() {
    List<String> removed = new ArrayList<>();
    for (String playlistId : map.keySet()) {
      long now = now();
      map.computeIfPresent(playlistId, (id, entry) -> {
        Entry next = entry;
        for (Stream stream : entry.streams().values()) {
          if (stream.clients() <= 0 && now - stream.idleSince() >= streamGraceNanos) {
            next = next.withoutStream(stream.id(), now);
          }
        }
        if (removable(next, now)) {
          removed.add(id);
          return null;
        }
        return next;
      });
    }
    return new CleanupReport(List.of(), List.of(), removed);
  }

  /** Whether a playlist has no streams and has been idle past its grace period. */
  protected boolean removable(Entry entry, long now) {
    return entry.streams().isEmpty() && now - entry.idleSince() >= idleGraceNanos;
  }

  // ---- snapshot / close -------------------------------------------------------------------------

  @Override
  public RegistrySnapshot snapshot() {
    List<PlaylistSnapshot> playlists = new ArrayList<>();
    for (Entry entry : map.values()) {
      List<StreamSnapshot> streams = new ArrayList<>();
      for (Stream stream : entry.streams().values()) {
        streams.add(new StreamSnapshot(stream.id(), stream.generation(), stream.clients(), StreamStats.NONE));
      }
      playlists.add(new PlaylistSnapshot(entry.playlist(), streams));
    }
    playlists.sort(Comparator.comparing(PlaylistSnapshot::id));
    return new RegistrySnapshot(playlists);
  }

  @Override
  public void close() {
    map.clear();
  }

  protected long now() {
    return ticker.read();
  }

  /** A client's lease; {@link #close()} goes through {@link SketchRegistry#closeLease}. */
  protected final class SketchLease implements ClientLease {

    private final String playlistId;
    private final String streamId;
    private final long clientId;
    final AtomicBoolean open = new AtomicBoolean(true);

    SketchLease(String playlistId, String streamId, long clientId) {
      this.playlistId = playlistId;
      this.streamId = streamId;
      this.clientId = clientId;
    }

    @Override
    public String playlistId() {
      return playlistId;
    }

    @Override
    public String streamId() {
      return streamId;
    }

    @Override
    public long clientId() {
      return clientId;
    }

    @Override
    public StreamReader reader() {
      throw new IllegalStateException("The sketch registry has no data path (stream '" + streamId
          + "' of playlist '" + playlistId + "')");
    }

    @Override
    public void touch() { }

    /** The sketch models the books only; nothing ends a lease but its close, so nobody needs telling. */
    @Override
    public void onEnded(java.util.function.Consumer<io.github.buffercore.LeaseEnd> callback) {
      throw new UnsupportedOperationException("The sketch registry sends no end notifications (client "
          + clientId + " of stream '" + streamId + "' in playlist '" + playlistId + "')");
    }

    @Override
    public boolean isOpen() {
      return open.get();
    }

    @Override
    public void close() {
      closeLease(this);
    }
  }
}
