package io.github.buffercore.internal;

import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerPool;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;
import java.util.function.Consumer;

/**
 * The default {@link TunerPool}: counts the slots of each playlist held in this process, where a slot
 * is an upstream connection (held until the connection has closed, see {@link TunerHold}). The
 * registry's compute has already checked the playlist's limit against its live streams; what this
 * pool adds is the connections of streams already gone from the state whose upstream has not closed
 * yet. A request waits while the held slots reach the limit, at most {@link TunerRequest#maxWait()},
 * and is then refused with {@link TunerLimitExceededException} naming the holders. The limit waited
 * for is the larger of the request's and the playlist's current one (read through
 * {@code currentLimit}): a start decided under an old, lower limit must not wait for a slot that a
 * later update granted (found by the Lincheck run: start under limit 1, update to 2, a second start
 * admitted first, then the first start stalled). A slot is never lost.
 *
 * <p>Thread-safety: one lock guards the books; it is taken only when a stream starts or ends, never
 * on the join/leave path and never while the registry computes.
 */
public final class InProcessTunerPool implements TunerPool {

  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final ReentrantLock lock = new ReentrantLock();
  /** Holders per playlist, in acquisition order; an entry is removed when its last slot is released. */
  private final Map<String, List<Slot>> held = new HashMap<>(); // guarded by lock
  private final Condition released = lock.newCondition();
  private long tokens; // guarded by lock; global, so every playlist's tokens strictly increase
  private final ToIntFunction<String> currentLimit;

  /** A pool that counts against the limit each request names. */
  public InProcessTunerPool() {
    this(playlistId -> 0);
  }

  /**
   * A pool that counts against the larger of the request's limit and the playlist's current one.
   *
   * @param currentLimit the current tuner limit of a playlist ({@code 0} if unknown); called under
   *     this pool's lock, so it must only read
   */
  InProcessTunerPool(ToIntFunction<String> currentLimit) {
    this.currentLimit = currentLimit;
  }

  @Override
  public TunerSlot acquire(TunerRequest request) throws InterruptedException {
    long deadline = System.nanoTime() + request.maxWait().toNanos();
    lock.lockInterruptibly();
    try {
      List<Slot> holders = held.get(request.playlistId());
      while (holders != null && holders.size() >= limit(request)) {
        long waitNanos = deadline - System.nanoTime();
        if (waitNanos <= 0) {
          throw new TunerLimitExceededException(request.playlistId(), request.streamId(),
              limit(request), holders.stream().map(Slot::toString).toList());
        }
        // Woken by every release; the bounded wait also re-reads a limit an update may have raised.
        released.awaitNanos(Math.min(waitNanos, RECHECK_NANOS));
        holders = held.get(request.playlistId());
      }
      Slot slot = new Slot(request.playlistId(), request.streamId(), ++tokens);
      held.computeIfAbsent(request.playlistId(), id -> new ArrayList<>(4)).add(slot);
      return slot;
    } finally {
      lock.unlock();
    }
  }

  private int limit(TunerRequest request) {
    return Math.max(request.tunerLimit(), currentLimit.applyAsInt(request.playlistId()));
  }

  /**
   * Returns how many slots of a playlist are held; for tests and monitoring.
   *
   * @param playlistId the playlist
   * @return the number of held slots
   */
  public int heldSlots(String playlistId) {
    lock.lock();
    try {
      List<Slot> holders = held.get(playlistId);
      return holders == null ? 0 : holders.size();
    } finally {
      lock.unlock();
    }
  }

  private void release(Slot slot) {
    lock.lock();
    try {
      List<Slot> holders = held.get(slot.playlistId);
      if (holders != null && holders.remove(slot)) {
        if (holders.isEmpty()) {
          held.remove(slot.playlistId);
        }
        released.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "InProcessTunerPool" + held;
    } finally {
      lock.unlock();
    }
  }

  /** One held slot; membership in {@code held} is identity. */
  private final class Slot implements TunerSlot {
    private final String playlistId;
    private final String streamId;
    private final long token;
    private volatile boolean open = true;

    Slot(String playlistId, String streamId, long token) {
      this.playlistId = playlistId;
      this.streamId = streamId;
      this.token = token;
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
    public long fencingToken() {
      return token;
    }

    @Override
    public boolean isHeld() {
      return open;
    }

    @Override
    public void onLost(Consumer<String> action) {
      // An in-process slot is never lost: nothing to keep.
    }

    @Override
    public void close() {
      if (open) {
        open = false;
        release(this);
      }
    }

    @Override
    public String toString() {
      return streamId + "#" + token;
    }
  }
}
