package io.github.buffercore.internal;

import io.github.buffercore.JoinPosition;
import io.github.buffercore.StreamReader;
import io.github.buffercore.StreamStats;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamTarget;
import io.github.buffercore.internal.ts.RandomAccessIndex;
import io.github.buffercore.internal.ts.TsAnalyser;
import io.github.buffercore.internal.ts.TsSplicer;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data path of one generation of one stream: one upstream pump writing into one
 * {@link BroadcastRing} that every lease of the stream reads.
 *
 * <p>Lifecycle: the registry creates it inside the compute that starts the stream (cheap: nothing is
 * allocated or opened there), {@link #start}s it after that compute on the thread that made it, and
 * {@link #stop}s it after the compute that removed the stream. Each happens exactly once because only
 * one compute adds and one removes a given {@link StreamState}; {@code start} after {@code stop} (the
 * stream was removed before its starter got to run) does nothing, so a stopped stream never opens an
 * upstream. An upstream that fails for good is reported to its {@link StreamOwner} first, which
 * removes the stream, and only then to the readers.
 *
 * <p>Tuner slot: the generation's {@link TunerHold} is released exactly once, on the pump thread right
 * after the pump closed its last connection ({@link #complete} or {@link #fail}), or by {@link #stop}
 * if the pump never ran. A {@linkplain #lose lost} slot stops the pump; bytes that arrive after the
 * loss are dropped and the readers end with an {@link UpstreamException} naming the loss.
 *
 * <p>MPEG-TS writer chain, all on the pump thread: the {@link TsPacketAligner} (whole packets), the
 * {@link TsSplicer} (clean splices), the ring write, then the {@link TsAnalyser}, which adds the random
 * access points whose bytes are now published to the stream's {@link RandomAccessIndex}. A new
 * connection after data was written (a reconnect, a backup URL) and a discontinuity inside one
 * connection are spliced: aligner reset, then {@link TsSplicer#splice()}; readers stay connected. A
 * reader joins at the point its {@link JoinPosition} picks in the index, after the PAT and PMT in force
 * there, or at the ring's packet-aligned default when the index has no point (not MPEG-TS, no video,
 * tables or first keyframe not seen yet).
 */
final class SharedStream implements ChunkSink {

  private static final Logger LOG = LoggerFactory.getLogger(SharedStream.class);

  private static final int NEW = 0;
  private static final int RUNNING = 1;
  private static final int STOPPED = 2;

  private final String playlistId;
  private final String streamId;
  private final long generation;
  private final UpstreamTarget target;
  private final StreamDataConfig config;
  private final StreamOwner owner;
  private final TunerHold tuner;
  private final AtomicInteger state = new AtomicInteger(NEW);
  private volatile boolean executed; // the pump was handed to a thread, so it will end and signal it
  private volatile String lostReason; // set once when the tuner slot is lost

  private BroadcastRing ring; // created on first use, guarded by this
  private UpstreamPump pump; // set by start() before the pump thread runs
  private TsPacketAligner aligner; // pump thread only, after start()
  private TsSplicer splicer; // pump thread only, after start()
  private TsAnalyser analyser; // pump thread only, after start()
  private RandomAccessIndex index; // MPEG-TS only; created with the ring, guarded by this; queried by joins
  private boolean wroteAny; // pump thread only: a later connection is a splice
  private volatile ScheduledFuture<?> wakeFlush; // the batched wake-up flush, cancelled when the ring ends

  SharedStream(String playlistId, String streamId, long generation, UpstreamTarget target,
      StreamDataConfig config, StreamOwner owner, TunerHold tuner) {
    this.playlistId = playlistId;
    this.streamId = streamId;
    this.generation = generation;
    this.target = target;
    this.config = config;
    this.owner = owner;
    this.tuner = tuner;
  }

  long generation() {
    return generation;
  }

  /** The ring is allocated lazily so that creating a SharedStream inside a compute stays cheap. */
  synchronized BroadcastRing ring() {
    if (ring == null) {
      ring = new BroadcastRing(playlistId, streamId, config.bufferCapacity(), config.slowClientPolicy(),
          config.startBehind(), config.mpegTs());
      ring.batchWakeups(config.wakeBatch());
      if (config.mpegTs()) {
        index = new RandomAccessIndex(RandomAccessIndex.DEFAULT_CAPACITY);
      }
    }
    return ring;
  }

  private synchronized RandomAccessIndex index() {
    return index;
  }

  /**
   * A new reader of this stream at the registry's join position; it ends at once if the stream
   * already stopped.
   */
  StreamReader newReader() {
    return newReader(config.joinPosition());
  }

  /**
   * A new reader of this stream starting at {@code join}: the PAT and PMT, then the data from the
   * random access point it names, or the packet-aligned fallback of {@link JoinPosition} when the
   * stream has none yet.
   *
   * @param join where to start
   * @return the reader; it ends at once if the stream already stopped
   */
  StreamReader newReader(JoinPosition join) {
    BroadcastRing r = ring();
    RandomAccessIndex points = index();
    if (points != null) {
      RandomAccessIndex.Point point = new RandomAccessIndex.Point();
      boolean found = switch (join.kind()) {
        case LIVE -> points.newest(point);
        case BEHIND -> points.behind(join.distance().toNanos(), point);
        case OLDEST -> points.oldestAtOrAfter(r.oldestPosition(), point);
      };
      if (found) {
        LOG.debug("Reader of stream {} in playlist {} joins at {} ({})", streamId, playlistId, point, join);
        return r.newReaderAt(point.position(),
            TsAnalyser.headerWithContinuity(point.header(), point.psiContinuity()));
      }
    }
    return join.kind() == JoinPosition.Kind.OLDEST ? r.newOldestReader() : r.newReader();
  }

  /** Opens the upstream; called once, after the compute that started the stream. */
  void start(Executor pumps, ScheduledExecutorService scheduler) {
    BroadcastRing sink = ring();
    if (config.mpegTs()) {
      RandomAccessIndex points = index();
      analyser = new TsAnalyser(playlistId, streamId, points::add);
      splicer = new TsSplicer(playlistId, streamId, new IndexingWriter(sink, analyser, points));
      aligner = new TsPacketAligner(playlistId, streamId, splicer);
    }
    UpstreamPump created = UpstreamPump.builder(playlistId, streamId, config.source(), this, scheduler)
        .primaryUrl(target.url())
        .backupUrls(target.backups())
        .reconnectPolicy(config.reconnectPolicy())
        .startTimeout(config.startTimeout())
        .build();
    synchronized (this) {
      pump = created;
    }
    if (!state.compareAndSet(NEW, RUNNING)) {
      return; // stopped before it started: never open an upstream for a removed stream
    }
    scheduleWakeFlush(sink, scheduler);
    try {
      executed = true;
      pumps.execute(created);
    } catch (RejectedExecutionException rejected) {
      if (pumps instanceof ExecutorService pool && pool.isShutdown()) {
        // A join whose start raced the registry's close(): its lease is evicted by that close.
        LOG.debug("Stream {} in playlist {}: not started, the registry is closing", streamId, playlistId);
      } else {
        LOG.error("Could not start the upstream pump of stream {} in playlist {}", streamId, playlistId,
            rejected);
      }
      fail(new UpstreamException(playlistId, streamId, UpstreamException.Reason.INTERNAL, 0,
          "the pump could not be started", rejected));
    }
  }

  /**
   * Under wake batching, wakes the readers whose delay passed while the upstream published nothing,
   * every half delay until the ring ends ({@link #endWakeFlush}).
   */
  private void scheduleWakeFlush(BroadcastRing sink, ScheduledExecutorService scheduler) {
    WakeBatch batch = config.wakeBatch();
    if (batch == null || scheduler == null) {
      return;
    }
    long period = batch.flushPeriodNanos();
    try {
      wakeFlush = scheduler.scheduleAtFixedRate(sink::flushDueWakeups, period, period, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      LOG.debug("Stream {} in playlist {}: no wake-up flush, the registry's timer is shutting down", streamId,
          playlistId);
    }
    if (sink.isTerminal()) {
      endWakeFlush(); // ended before the flush was scheduled: nothing would cancel it later
    }
  }

  private void endWakeFlush() {
    ScheduledFuture<?> flush = wakeFlush;
    if (flush != null) {
      flush.cancel(false);
    }
  }

  /** Stops the upstream; readers get end of stream. Idempotent. */
  void stop() {
    int previous = state.getAndSet(STOPPED);
    if (previous == RUNNING) {
      pump().stop(); // the pump completes the ring, unless it already failed it
    } else if (previous == NEW) {
      ring().complete(); // no pump ever ran, so no writer races this
      tuner.release();
    }
  }

  /**
   * The tuner slot of this generation was lost: stop the upstream at once, drop whatever it still
   * delivers, end the readers with a failure naming the loss, and have the owner remove the stream.
   *
   * @param reason the pool's reason, naming the playlist and stream
   */
  void lose(String reason) {
    lostReason = reason;
    int previous = state.getAndSet(STOPPED);
    if (previous == RUNNING) {
      pump().stop(); // the pump thread then fails the ring in complete(): the ring has one writer
    } else if (previous == NEW) {
      ring().fail(lostFailure());
      tuner.release();
    }
    owner.streamEnded(playlistId, streamId, generation, "its tuner slot was lost: " + reason);
  }

  private UpstreamException lostFailure() {
    return new UpstreamException(playlistId, streamId, UpstreamException.Reason.SLOT_LOST, 1,
        "its tuner slot was lost: " + lostReason, null);
  }

  /**
   * Stops the upstream and waits (bounded) until its connection is closed; used by the next
   * generation of the same stream before it opens its own, so one key never has two upstreams.
   *
   * @return whether the upstream has ended (or never ran) within the timeout
   */
  boolean stopAndAwait(long timeout, TimeUnit unit) {
    stop();
    UpstreamPump stopping = pump();
    if (executed && stopping != null) {
      try {
        if (!stopping.awaitTermination(timeout, unit)) {
          LOG.warn("The previous upstream of stream {} in playlist {} (generation {}) did not end "
              + "within {} {}; refusing the next generation", streamId, playlistId, generation, timeout,
              unit);
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("Interrupted while waiting for the previous upstream of stream {} in playlist {} to end",
            streamId, playlistId);
        return false;
      }
    }
    return true;
  }

  String key() {
    return playlistId + '/' + streamId;
  }

  private synchronized UpstreamPump pump() {
    return pump;
  }

  StreamStats stats() {
    BroadcastRing r;
    UpstreamPump p;
    synchronized (this) {
      r = ring;
      p = pump;
    }
    if (r == null) {
      return StreamStats.NONE;
    }
    return new StreamStats(r.bytesWritten(), r.bytesDelivered(), r.readerCount(), r.laps(), r.skips(),
        p == null ? 0 : p.reconnects(), p == null ? 0 : p.connectionsOpened());
  }

  // ChunkSink: called by the pump thread only.

  @Override
  public void write(byte[] src, int off, int len) {
    if (lostReason != null || !tuner.held()) {
      return; // the slot is gone: not another byte to the readers
    }
    wroteAny = true;
    if (aligner != null) {
      aligner.feed(src, off, len);
    } else {
      ring.write(src, off, len);
    }
  }

  @Override
  public void newConnection() {
    if (aligner != null) {
      aligner.reset(); // a partial packet of the old connection must not be glued to the new one
      if (wroteAny) {
        splice("a new upstream connection");
      }
    }
  }

  @Override
  public void discontinuity() {
    if (aligner != null && wroteAny) {
      aligner.reset();
      splice("a discontinuity of the upstream");
    }
  }

  private void splice(String why) {
    splicer.splice();
    LOG.info("Stream {} in playlist {} (generation {}): splice #{} after {}; readers stay connected",
        streamId, playlistId, generation, splicer.splices(), why);
  }

  /**
   * The end of the MPEG-TS writer chain: the ring write, then the analyser on the published bytes
   * (so a point is findable only once its bytes are readable), then the index bounds.
   */
  private static final class IndexingWriter implements ChunkSink {
    private final BroadcastRing ring;
    private final TsAnalyser analyser;
    private final RandomAccessIndex index;

    IndexingWriter(BroadcastRing ring, TsAnalyser analyser, RandomAccessIndex index) {
      this.ring = ring;
      this.analyser = analyser;
      this.index = index;
    }

    @Override
    public void write(byte[] src, int off, int len) {
      final long position = ring.bytesWritten();
      ring.write(src, off, len);
      analyser.packets(src, off, len, position);
      final long written = position + len;
      index.dropBefore(written - ring.capacity());
      index.live(written, analyser.mediaTimeNanos());
      index.observe(written, System.nanoTime());
    }

    @Override
    public void complete() {
      ring.complete();
    }

    @Override
    public void fail(UpstreamException cause) {
      ring.fail(cause);
    }
  }

  @Override
  public void complete() {
    tuner.release(); // the pump closed its connection before ending
    if (lostReason != null) {
      ring().fail(lostFailure());
    } else {
      ring().complete();
    }
    endWakeFlush();
  }

  @Override
  public void fail(UpstreamException cause) {
    state.set(STOPPED); // the pump is ending by itself: the stop() that follows the removal is a no-op
    tuner.release(); // its connection is closed
    // Free the tuner before any reader sees the failure, so a viewer that retries at once can start.
    owner.streamEnded(playlistId, streamId, generation, "its upstream failed");
    ring().fail(cause);
    endWakeFlush();
  }

  @Override
  public String toString() {
    return "SharedStream[" + playlistId + "/" + streamId + " generation " + generation + "]";
  }
}
