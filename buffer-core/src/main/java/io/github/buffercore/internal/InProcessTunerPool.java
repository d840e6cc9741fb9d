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
import java.util.function.Consumer;

/**
 * The default {@link TunerPool}: counts the slots of each playlist in this process. A slot is never
 * lost here; it is held until its stream's upstream connection has closed, so a stream that yields
 * its tuner frees the slot only once its connection is gone, and a waiting {@link #acquire} takes it
 * then.
 *
 * <p>Thread-safety: one lock guards every playlist's holders. It is taken only when a stream starts
 * or ends, never on the join/leave path, and never while the registry computes.
 */
public final class InProcessTunerPool implements TunerPool {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();
  /** Holders per playlist, in acquisition order; an entry is removed when its last slot is released. */
  private final Map<String, List<Slot>> held = new HashMap<>(); // guarded by lock
  private long tokens; // guarded by lock; global, so every playlist's tokens strictly increase

  @Override
  public TunerSlot acquire(TunerRequest request) throws InterruptedException {
    long remaining = request.maxWait().toNanos();
    lock.lockInterruptibly();
    try {
      while (true) {
        List<Slot> holders = held.get(request.playlistId());
        if (holders == null || holders.size() < request.tunerLimit()) {
          Slot slot = new Slot(request.playlistId(), request.streamId(), ++tokens);
          held.computeIfAbsent(request.playlistId(), id -> new ArrayList<>(4)).add(slot);
          return slot;
        }
        if (remaining <= 0L) {
          List<String> names = new ArrayList<>(holders.size());
          holders.forEach(slot -> names.add(slot.streamId));
          throw new TunerLimitExceededException(request.playlistId(), request.streamId(),
              request.tunerLimit(), names);
        }
        remaining = released.awaitNanos(remaining);
      }
    } finally {
      lock.unlock();
    }
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
