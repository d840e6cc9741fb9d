package io.github.buffercore.micrometer;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSnapshot;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.RegistryListener;
import io.github.buffercore.RegistrySnapshot;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.StreamStats;
import io.github.buffercore.TunerLimitExceededException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters for one {@link PlaylistRegistry}, built only on buffer-core's public API: the
 * registry's {@link RegistrySnapshot}s, its {@link RegistryEvent}s and each stream's {@link StreamStats}.
 *
 * <pre>{@code
 * BufferCoreMetrics metrics = BufferCoreMetrics.builder().build();
 * metrics.bindTo(meterRegistry);                       // before the registry starts emitting events
 * PlaylistRegistry registry = PlaylistRegistry.builder().listener(metrics).build();
 * metrics.monitor(registry);
 * ...
 * metrics.refresh();                                   // before each scrape, for exact byte counters
 * }</pre>
 *
 * <h2>Meters</h2>
 * Every meter is tagged {@code playlist}; the data-path meters are also tagged {@code stream} when
 * {@link Builder#streamTags(boolean)} asks for it. No meter is ever tagged per viewer, so the number of
 * series is bounded by the operator's configuration (playlists, and channels if asked).
 * <table>
 *   <caption>Meters (Prometheus names in parentheses)</caption>
 *   <tr><th>name</th><th>type</th><th>source</th></tr>
 *   <tr><td>{@code buffercore.streams.active} ({@code buffercore_streams_active})</td><td>gauge</td>
 *       <td>snapshot: streams with at least one viewer</td></tr>
 *   <tr><td>{@code buffercore.viewers} ({@code buffercore_viewers})</td><td>gauge</td>
 *       <td>snapshot: viewers (clients holding a lease)</td></tr>
 *   <tr><td>{@code buffercore.tuners.in.use}, {@code buffercore.tuners.limit}</td><td>gauges</td>
 *       <td>snapshot: tuners held (streams, including those in their grace period) and the limit</td></tr>
 *   <tr><td>{@code buffercore.tuner.refusals} ({@code buffercore_tuner_refusals_total})</td>
 *       <td>counter</td><td>event {@link RegistryEvent.Type#TUNER_LIMIT_REACHED}, exact</td></tr>
 *   <tr><td>{@code buffercore.viewers.joined}, {@code buffercore.viewers.evicted}</td><td>counters</td>
 *       <td>events {@link RegistryEvent.Type#CLIENT_JOINED}, {@link RegistryEvent.Type#CLIENT_EVICTED},
 *       exact</td></tr>
 *   <tr><td>{@code buffercore.upstream.failures} ({@code buffercore_upstream_failures_total})</td>
 *       <td>counter</td><td>event {@link RegistryEvent.Type#UPSTREAM_FAILED}, exact: streams whose
 *       upstream was given up on</td></tr>
 *   <tr><td>{@code buffercore.upstream.connects}, {@code buffercore.upstream.reconnects}</td>
 *       <td>counters</td><td>stream stats {@code connectionsOpened}, {@code reconnects}</td></tr>
 *   <tr><td>{@code buffercore.delivered} ({@code buffercore_delivered_bytes_total}),
 *       {@code buffercore.received} ({@code buffercore_received_bytes_total})</td><td>counters</td>
 *       <td>stream stats {@code bytesOut}, {@code bytesIn}</td></tr>
 *   <tr><td>{@code buffercore.viewers.lapped}</td><td>counter</td><td>stream stats {@code laps}</td></tr>
 *   <tr><td>{@code buffercore.join} ({@code buffercore_join_seconds})</td><td>timer</td>
 *       <td>{@link #timeJoin}: how long an {@code acquire} took, tagged {@code outcome}
 *       ({@code joined}, {@code refused}, {@code failed})</td></tr>
 * </table>
 *
 * <h2>Accuracy</h2>
 * Gauges are exact for the snapshot they read; a snapshot is reused for at most
 * {@link Builder#snapshotMaxAge(Duration)}. The counters fed by events are exact. The counters fed by
 * stream stats add, at every {@link #refresh()}, what each stream generation's counter grew since the
 * previous refresh; buffer-core publishes no final stats when a stream stops, so what a stream did
 * between the last refresh and its stop is not counted. Refreshes happen at every event that adds or
 * removes a playlist or a stream (created, removed, started, stopped, upstream failed) and whenever
 * {@link #refresh()} is called (call it before each scrape).
 *
 * <h2>Cost on the join path</h2>
 * The registry calls its listener on the thread that made the change, one delivery at a time, and an
 * {@code acquire} returns only after its events were delivered. So a viewer's event ({@code CLIENT_*},
 * {@code TUNER_LIMIT_REACHED}) costs a lookup of a counter built once per playlist and an increment: no
 * snapshot, no meter building, no lock. A refresh walks every playlist and stream and serializes the
 * delivering threads on this object's monitor; it runs only at the rare events above, never once per
 * viewer (with one at every join, a storm of 5,000 joins on one channel took 5,000 full refreshes one
 * after another).
 *
 * <h2>Thread safety</h2>
 * All methods may be called from any thread. {@link #refresh()} runs one pass at a time (a monitor on
 * this object); gauge functions never take it, so a scrape reading gauges cannot deadlock with a
 * refresh that registers meters.
 */
public final class BufferCoreMetrics implements MeterBinder, RegistryListener {

  private static final Logger LOG = LoggerFactory.getLogger(BufferCoreMetrics.class);

  /** The prefix of every meter name. */
  public static final String PREFIX = "buffercore";

  private final boolean streamTags;
  private final Duration snapshotMaxAge;
  private final AtomicReference<MeterRegistry> meters = new AtomicReference<>();
  private final AtomicReference<PlaylistRegistry> source = new AtomicReference<>();
  private final AtomicReference<View> view = new AtomicReference<>(View.EMPTY);

  /** The join timers, one slot per {@link JoinOutcome}. */
  private final MetersByPlaylist<Timer> joinTimers = new MetersByPlaylist<>(JoinOutcome.values().length,
      (registry, playlistId, slot) -> Timer.builder(PREFIX + ".join")
          .description("Time a viewer's acquire took until it held a lease or was refused")
          .tags("playlist", playlistId, "outcome", JoinOutcome.values()[slot].tag)
          .register(registry));
  /** The event counters, one slot per {@link CountedEvent}. */
  private final MetersByPlaylist<Counter> eventCounters = new MetersByPlaylist<>(CountedEvent.values().length,
      (registry, playlistId, slot) -> {
        String name = CountedEvent.values()[slot].meterName;
        return Counter.builder(name).tags("playlist", playlistId).description(description(name))
            .register(registry);
      });

  // Guarded by "this" (refresh): what is registered, and the last stats seen per stream generation.
  private final Set<String> playlistGauges = new HashSet<>();
  private final Map<StreamKey, List<Meter>> streamMeters = new HashMap<>();
  private final Map<GenerationKey, StreamStats> lastStats = new HashMap<>();

  private BufferCoreMetrics(Builder builder) {
    this.streamTags = builder.streamTags;
    this.snapshotMaxAge = builder.snapshotMaxAge;
  }

  /**
   * Returns a builder: no stream tags, snapshots reused for up to one second.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers the meters in {@code registry}. Events that arrive before this call are not counted.
   *
   * @param registry the meter registry
   * @throws IllegalStateException if already bound to another meter registry
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (!meters.compareAndSet(null, registry) && meters.get() != registry) {
      throw new IllegalStateException("BufferCoreMetrics is already bound to " + meters.get()
          + "; use a CompositeMeterRegistry to publish to several");
    }
    refresh();
  }

  /**
   * Names the registry whose snapshots feed the gauges and stats counters; pass the registry this
   * object listens to.
   *
   * @param registry the playlist registry
   * @throws IllegalStateException if another registry is already monitored
   */
  public void monitor(PlaylistRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (!source.compareAndSet(null, registry) && source.get() != registry) {
      throw new IllegalStateException("BufferCoreMetrics already monitors another registry");
    }
    refresh();
  }

  /**
   * Counts the event; an event that adds or removes a playlist or a stream also refreshes the
   * snapshot-based meters (a viewer's event does not: see the class documentation).
   *
   * @param event the registry event
   */
  @Override
  public void onEvent(RegistryEvent event) {
    MeterRegistry registry = meters.get();
    if (registry == null) {
      return;
    }
    CountedEvent counted = CountedEvent.of(event.type());
    if (counted != null) {
      eventCounters.get(registry, event.playlistId(), counted.ordinal()).increment();
    }
    boolean addsOrRemovesMeters = switch (event.type()) {
      case PLAYLIST_CREATED, PLAYLIST_REMOVED, STREAM_STARTED, STREAM_STOPPED, UPSTREAM_FAILED -> true;
      case CLIENT_JOINED, CLIENT_LEFT, CLIENT_EVICTED, TUNER_LIMIT_REACHED -> false;
    };
    if (addsOrRemovesMeters) {
      refresh();
    }
  }

  /** The events counted, each into its own counter per playlist. */
  private enum CountedEvent {
    REFUSED(".tuner.refusals"), JOINED(".viewers.joined"), EVICTED(".viewers.evicted"),
    UPSTREAM_FAILED(".upstream.failures");

    final String meterName;

    CountedEvent(String suffix) {
      this.meterName = PREFIX + suffix;
    }

    static CountedEvent of(RegistryEvent.Type type) {
      return switch (type) {
        case TUNER_LIMIT_REACHED -> REFUSED;
        case CLIENT_JOINED -> JOINED;
        case CLIENT_EVICTED -> EVICTED;
        case UPSTREAM_FAILED -> UPSTREAM_FAILED;
        case PLAYLIST_CREATED, PLAYLIST_REMOVED, STREAM_STARTED, STREAM_STOPPED, CLIENT_LEFT -> null;
      };
    }
  }

  /**
   * Times one {@code acquire} into {@code buffercore.join}, tagged with the playlist and its outcome:
   * {@code joined}, {@code refused} (a {@link TunerLimitExceededException}) or {@code failed} (any
   * other exception, which is rethrown unchanged).
   *
   * <pre>{@code
   * ClientLease lease = metrics.timeJoin(playlistId, () -> registry.acquire(playlistId, channelId, init));
   * }</pre>
   *
   * @param playlistId the playlist being joined (a tag: pass configured ids only)
   * @param acquire performs the acquire
   * @return the lease {@code acquire} returned
   */
  public ClientLease timeJoin(String playlistId, Supplier<ClientLease> acquire) {
    Objects.requireNonNull(playlistId, "playlistId");
    MeterRegistry registry = meters.get();
    if (registry == null) {
      return acquire.get();
    }
    long start = System.nanoTime();
    JoinOutcome outcome = JoinOutcome.FAILED;
    try {
      ClientLease lease = acquire.get();
      outcome = JoinOutcome.JOINED;
      return lease;
    } catch (TunerLimitExceededException refused) {
      outcome = JoinOutcome.REFUSED;
      throw refused;
    } finally {
      joinTimers.get(registry, playlistId, outcome.ordinal())
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** The {@code outcome} tag of the join timer. */
  private enum JoinOutcome {
    JOINED, REFUSED, FAILED;

    final String tag = name().toLowerCase(Locale.ROOT);
  }

  /**
   * Meters built once per playlist and slot and then only looked up: building one (tags, id, the
   * meter registry's lookup) on every join cost more than the join. Filled outside any compute; a race
   * builds the same id twice, which Micrometer resolves to one meter, so both writers store the same.
   */
  private static final class MetersByPlaylist<M extends Meter> {

    /** Builds the meter of one playlist and slot. */
    interface Factory<M> {
      M build(MeterRegistry registry, String playlistId, int slot);
    }

    private final ConcurrentMap<String, AtomicReferenceArray<M>> byPlaylist = new ConcurrentHashMap<>();
    private final int slots;
    private final Factory<M> factory;

    MetersByPlaylist(int slots, Factory<M> factory) {
      this.slots = slots;
      this.factory = factory;
    }

    M get(MeterRegistry registry, String playlistId, int slot) {
      AtomicReferenceArray<M> meters = byPlaylist.get(playlistId);
      if (meters == null) {
        meters = byPlaylist.computeIfAbsent(playlistId, id -> new AtomicReferenceArray<>(slots));
      }
      M meter = meters.get(slot);
      if (meter == null) {
        meter = factory.build(registry, playlistId, slot);
        meters.set(slot, meter);
      }
      return meter;
    }
  }

  /**
   * Takes a snapshot of the monitored registry: registers the meters of playlists and (with stream
   * tags) streams seen for the first time, removes the meters of streams that are gone, and adds what
   * each stream's stats counters grew since the last refresh. Does nothing before both
   * {@link #bindTo} and {@link #monitor} were called, or after the monitored registry was closed.
   */
  public synchronized void refresh() {
    MeterRegistry registry = meters.get();
    PlaylistRegistry playlists = source.get();
    if (registry == null || playlists == null) {
      return;
    }
    RegistrySnapshot snapshot;
    try {
      snapshot = playlists.snapshot();
    } catch (IllegalStateException closed) {
      LOG.debug("Not refreshing buffer-core meters: {}", closed.getMessage());
      return;
    }
    view.set(new View(snapshot, System.nanoTime()));
    Set<StreamKey> liveStreams = new HashSet<>();
    Set<GenerationKey> liveGenerations = new HashSet<>();
    for (PlaylistSnapshot playlist : snapshot.playlists()) {
      String playlistId = playlist.id();
      if (playlistGauges.add(playlistId)) {
        registerPlaylistGauges(registry, playlistId);
      }
      for (StreamSnapshot stream : playlist.streams()) {
        StreamKey streamKey = new StreamKey(playlistId, stream.streamId());
        GenerationKey generation = new GenerationKey(streamKey, stream.generation());
        liveStreams.add(streamKey);
        liveGenerations.add(generation);
        if (streamTags && !streamMeters.containsKey(streamKey)) {
          streamMeters.put(streamKey, List.of(registerViewerGauge(registry, streamKey)));
        }
        StreamStats now = stream.stats();
        StreamStats before = lastStats.getOrDefault(generation, StreamStats.NONE);
        lastStats.put(generation, now);
        Tags tags = statsTags(streamKey);
        add(registry, PREFIX + ".delivered", "bytes", tags, now.bytesOut() - before.bytesOut());
        add(registry, PREFIX + ".received", "bytes", tags, now.bytesIn() - before.bytesIn());
        add(registry, PREFIX + ".upstream.connects", null, tags,
            now.connectionsOpened() - before.connectionsOpened());
        add(registry, PREFIX + ".upstream.reconnects", null, tags, now.reconnects() - before.reconnects());
        add(registry, PREFIX + ".viewers.lapped", null, tags, now.laps() - before.laps());
      }
    }
    lastStats.keySet().retainAll(liveGenerations);
    if (streamTags) {
      List<StreamKey> gone = new ArrayList<>(streamMeters.keySet());
      gone.removeAll(liveStreams);
      for (StreamKey key : gone) {
        streamMeters.remove(key).forEach(registry::remove);
        Tags tags = statsTags(key);
        for (String name : List.of(".delivered", ".received", ".upstream.connects",
            ".upstream.reconnects", ".viewers.lapped")) {
          Counter counter = registry.find(PREFIX + name).tags(tags).counter();
          if (counter != null) {
            registry.remove(counter);
          }
        }
      }
    }
  }

  private void registerPlaylistGauges(MeterRegistry registry, String playlistId) {
    Tags tags = Tags.of("playlist", playlistId);
    gauge(registry, PREFIX + ".streams.active", tags, "Streams of the playlist with at least one viewer",
        p -> p.streams().stream().filter(s -> !s.idle()).count());
    gauge(registry, PREFIX + ".viewers", tags, "Viewers holding a lease on a stream of the playlist",
        PlaylistSnapshot::clients);
    gauge(registry, PREFIX + ".tuners.in.use", tags,
        "Tuners held by the playlist's streams, including streams in their grace period",
        PlaylistSnapshot::tunersInUse);
    gauge(registry, PREFIX + ".tuners.limit", tags, "The playlist's tuner limit",
        p -> p.playlist().tunerLimit());
    // Event counters exist from the playlist's first sight, at zero, so rate() works from the start.
    for (CountedEvent counted : List.of(CountedEvent.REFUSED, CountedEvent.JOINED, CountedEvent.EVICTED)) {
      eventCounters.get(registry, playlistId, counted.ordinal());
    }
  }

  private void gauge(MeterRegistry registry, String name, Tags tags, String description,
      ToDoubleFunction<PlaylistSnapshot> value) {
    String playlistId = tags.stream().filter(t -> t.getKey().equals("playlist")).findFirst()
        .orElseThrow().getValue();
    Gauge.builder(name, this, self -> self.current().playlist(playlistId)
            .map(value::applyAsDouble).orElse(0.0))
        .tags(tags).description(description).strongReference(true).register(registry);
  }

  private Meter registerViewerGauge(MeterRegistry registry, StreamKey key) {
    return Gauge.builder(PREFIX + ".stream.viewers", this, self -> self.current().playlist(key.playlistId())
            .flatMap(p -> p.streams().stream().filter(s -> s.streamId().equals(key.streamId())).findFirst())
            .map(s -> (double) s.clients()).orElse(0.0))
        .tags("playlist", key.playlistId(), "stream", key.streamId())
        .description("Viewers of one stream (only with stream tags)").strongReference(true).register(registry);
  }

  private Tags statsTags(StreamKey key) {
    return streamTags ? Tags.of("playlist", key.playlistId(), "stream", key.streamId())
        : Tags.of("playlist", key.playlistId());
  }

  private static void add(MeterRegistry registry, String name, String baseUnit, Tags tags, long delta) {
    Counter counter = Counter.builder(name).tags(tags).baseUnit(baseUnit).description(description(name))
        .register(registry);
    if (delta > 0) {
      counter.increment(delta);
    }
  }

  private static String description(String name) {
    return switch (name.substring(PREFIX.length() + 1)) {
      case "tuner.refusals" -> "Viewers refused because every tuner of the playlist was busy";
      case "viewers.joined" -> "Viewers that joined a stream";
      case "viewers.evicted" -> "Viewers removed by cleanup after going silent, or at close";
      case "upstream.failures" -> "Streams whose upstream was given up on (every attempt failed)";
      case "delivered" -> "Bytes delivered to viewers, summed over viewers";
      case "received" -> "Bytes received from upstreams";
      case "upstream.connects" -> "Upstream connections opened";
      case "upstream.reconnects" -> "Upstream connection attempts after the first of a stream";
      case "viewers.lapped" -> "Times a viewer was lapped by the writer (too slow)";
      default -> name;
    };
  }

  /** The snapshot the gauges read, taken again when older than {@code snapshotMaxAge}. */
  private RegistrySnapshot current() {
    View seen = view.get();
    PlaylistRegistry playlists = source.get();
    if (playlists == null || System.nanoTime() - seen.takenAtNanos() <= snapshotMaxAge.toNanos()
        && seen != View.EMPTY) {
      return seen.snapshot();
    }
    try {
      View fresh = new View(playlists.snapshot(), System.nanoTime());
      view.compareAndSet(seen, fresh); // a lost race only means another fresh view won
      return fresh.snapshot();
    } catch (IllegalStateException closed) {
      return new RegistrySnapshot(List.of()); // the registry is closed: nothing is live
    }
  }

  private record View(RegistrySnapshot snapshot, long takenAtNanos) {
    static final View EMPTY = new View(new RegistrySnapshot(List.of()), Long.MIN_VALUE / 2);
  }

  private record StreamKey(String playlistId, String streamId) { }

  private record GenerationKey(StreamKey stream, long generation) { }

  /** Builds {@link BufferCoreMetrics}. Not thread-safe. */
  public static final class Builder {

    private boolean streamTags;
    private Duration snapshotMaxAge = Duration.ofSeconds(1);

    private Builder() { }

    /**
     * Also tags the data-path meters with {@code stream} and adds {@code buffercore.stream.viewers};
     * the number of series then grows with the channels watched. Default {@code false}.
     *
     * @param streamTags whether to tag by stream
     * @return this builder
     */
    public Builder streamTags(boolean streamTags) {
      this.streamTags = streamTags;
      return this;
    }

    /**
     * Sets how long the gauges may reuse one registry snapshot, so one scrape takes one snapshot rather
     * than one per gauge. Zero takes a snapshot at every gauge read. Default one second.
     *
     * @param maxAge zero or a positive duration
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder snapshotMaxAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative()) {
        throw new IllegalArgumentException("snapshotMaxAge must not be negative but was " + maxAge);
      }
      this.snapshotMaxAge = maxAge;
      return this;
    }

    /**
     * Builds the binder.
     *
     * @return a new, unbound binder
     */
    public BufferCoreMetrics build() {
      return new BufferCoreMetrics(this);
    }
  }
}
