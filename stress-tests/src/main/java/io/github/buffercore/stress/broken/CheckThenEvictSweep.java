package io.github.buffercore.stress.broken;

import io.github.buffercore.CleanupReport;
import io.github.buffercore.ClientLease;
import io.github.buffercore.LeaseEnd;
import io.github.buffercore.StreamReader;
import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The stall sweep done the way an embedder's watchdog (or the seed's cleanup) does it: read the
 * playlist, decide which leases are stale, then release each with a check-then-set flag and write
 * back the playlist computed from the read. Leases are otherwise right (a compare-and-set close, an
 * end told by whoever released). Two bugs follow: a close between the check and the set releases the
 * lease a second time and tells its end twice, and a viewer that joined between the read and the
 * write-back is dropped with its stream, whose tuner is freed while it streams.
 */
public final class CheckThenEvictSweep extends SketchRegistry {

  private static final long STALE_AFTER_NANOS = Duration.ofSeconds(30).toNanos();

  private final Set<StallLease> leases = ConcurrentHashMap.newKeySet();

  /**
   * Creates an empty registry.
   *
   * @param streamGrace how long a stream without clients is kept
   * @param idleGrace how long a playlist without streams is kept
   * @param ticker the time source
   * @param window run inside the check-then-act window
   */
  public CheckThenEvictSweep(Duration streamGrace, Duration idleGrace, Ticker ticker, Runnable window) {
    super(streamGrace, idleGrace, ticker, window);
  }

  @Override
  protected ClientLease newLease(String playlistId, String streamId) {
    StallLease lease = new StallLease(playlistId, streamId, now());
    leases.add(lease);
    return lease;
  }

  @Override
  public CleanupReport cleanup() {
    for (String playlistId : map.keySet()) {
      Entry seen = map.get(playlistId); // BUG: decided from this read ...
      long now = now();
      Entry next = seen;
      for (StallLease lease : leases) {
        if (seen == null || !lease.playlistId.equals(playlistId) || now - lease.touched <= STALE_AFTER_NANOS
            || lease.released.get()) {
          continue;
        }
        window.run();
        lease.released.set(true); // BUG: check-then-set, racing the holder's close
        Stream stream = next.streams().get(lease.streamId);
        if (stream != null) {
          int clients = stream.clients() - 1;
          next = clients <= 0 && streamGraceNanos == 0L ? next.withoutStream(stream.id(), now)
              : next.withStream(new Stream(stream.id(), stream.generation(), clients, clients <= 0 ? now : 0L));
        }
        lease.ended(LeaseEnd.Reason.EVICTED_STALE);
      }
      if (next != seen) {
        map.put(playlistId, next); // BUG: ... and written back blindly, dropping a concurrent join
      }
    }
    return new CleanupReport(List.of(), List.of(), List.of());
  }

  /** A lease with activity, a compare-and-set close and end callbacks. */
  private final class StallLease implements ClientLease {
    final String playlistId;
    final String streamId;
    final AtomicBoolean released = new AtomicBoolean();
    final List<Consumer<LeaseEnd>> callbacks = new CopyOnWriteArrayList<>();
    volatile long touched;

    StallLease(String playlistId, String streamId, long now) {
      this.playlistId = playlistId;
      this.streamId = streamId;
      this.touched = now;
    }

    void ended(LeaseEnd.Reason reason) {
      LeaseEnd end = new LeaseEnd(playlistId, streamId, 0L, reason);
      callbacks.forEach(callback -> callback.accept(end));
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
      return 0L;
    }

    @Override
    public StreamReader reader() {
      throw new IllegalStateException("The sketch registry has no data path (stream '" + streamId
          + "' of playlist '" + playlistId + "')");
    }

    @Override
    public void touch() {
      touched = now();
    }

    @Override
    public boolean isOpen() {
      return !released.get();
    }

    @Override
    public void onEnded(Consumer<LeaseEnd> callback) {
      callbacks.add(callback);
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release(playlistId, streamId);
        ended(LeaseEnd.Reason.CLOSED);
      }
    }
  }
}
