package io.github.buffercore.internal;

import io.github.buffercore.TunerPool;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The default {@link TunerPool}: the registry's own state is the tuner admission in this process.
 * The compute that starts a stream has already checked the playlist's limit against the streams it
 * holds (streams in their grace period yield; a refusal names the limit and the holders), so this
 * pool admits every request it gets and only keeps the books: which streams hold a slot, and a
 * fencing token per slot. It never waits and never refuses: counting a second time here, against a
 * limit captured before the slot is asked for, would refuse or stall a start the state had allowed
 * (found by the Lincheck run: a start decided under limit 1, a concurrent update to 2 and a second
 * start, then the first start waiting for ever). A slot is released when its stream's upstream
 * connection has closed (or the stream stopped before opening one); a slot is never lost.
 *
 * <p>Thread-safety: one lock guards the books; it is taken only when a stream starts or ends, never
 * on the join/leave path and never while the registry computes.
 */
public final class InProcessTunerPool implements TunerPool {

  private final ReentrantLock lock = new ReentrantLock();
  /** Holders per playlist, in acquisition order; an entry is removed when its last slot is released. */
  private final Map<String, List<Slot>> held = new HashMap<>(); // guarded by lock
  private long tokens; // guarded by lock; global, so every playlist's tokens strictly increase

  @Override
  public TunerSlot acquire(TunerRequest request) {
    lock.lock();
    try {
      Slot slot = new Slot(request.playlistId(), request.streamId(), ++tokens);
      held.computeIfAbsent(request.playlistId(), id -> new ArrayList<>(4)).add(slot);
      return slot;
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
