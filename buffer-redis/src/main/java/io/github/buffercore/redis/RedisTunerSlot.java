package io.github.buffercore.redis;

import io.github.buffercore.TunerSlot;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One lease of a {@link RedisTunerPool}. Its whole shared state is one immutable {@link State} in one
 * {@link AtomicReference}; each transition is one compare-and-set, and only the thread whose
 * compare-and-set left {@link Phase#HELD} runs the side effect (release script, loss action). See the
 * invariants in {@code package-info.java}.
 */
final class RedisTunerSlot implements TunerSlot {

  /** Where a slot is in its life. HELD is left exactly once. */
  enum Phase { HELD, LOST, CLOSED }

  /**
   * One immutable state of the slot.
   *
   * @param phase held, lost or closed
   * @param deadlineNanos {@link System#nanoTime()} after which the lease may have expired on the
   *     server: the send time of the last confirmed acquire or renew plus the lease TTL
   * @param onLost the registered loss action, or {@code null}
   * @param lossReason why it was lost, or {@code null} while held
   */
  record State(Phase phase, long deadlineNanos, Consumer<String> onLost, String lossReason) {

    State withDeadline(long deadline) {
      return new State(phase, deadline, onLost, lossReason);
    }
  }

  private final SlotOwner pool;
  private final String playlistId;
  private final String streamId;
  private final String leaseId;
  private final long fencingToken;
  private final AtomicReference<State> state;
  private volatile Future<?> heartbeat;
  private volatile Future<?> watchdog;

  RedisTunerSlot(SlotOwner pool, String playlistId, String streamId, String leaseId,
      long fencingToken, long deadlineNanos) {
    this.pool = pool;
    this.playlistId = playlistId;
    this.streamId = streamId;
    this.leaseId = leaseId;
    this.fencingToken = fencingToken;
    this.state = new AtomicReference<>(new State(Phase.HELD, deadlineNanos, null, null));
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
    return fencingToken;
  }

  /** The lease's member in the playlist's sorted set: node id and a per-node sequence number. */
  String leaseId() {
    return leaseId;
  }

  /**
   * Held means: not released, not reported lost, and the last confirmed renewal still covers now by
   * this process's monotonic clock. The clock check needs no round trip, so a process resumed after a
   * pause (SIGSTOP, a long GC) sees its expired lease as lost before it does anything else.
   */
  @Override
  public boolean isHeld() {
    State current = state.get();
    if (current.phase() != Phase.HELD) {
      return false;
    }
    if (System.nanoTime() - current.deadlineNanos() >= 0) {
      lose("its lease was not renewed within the lease TTL of " + pool.leaseTtlMillis()
          + " ms, less a tenth to stop (node paused, or Redis unreachable)");
      return false;
    }
    return true;
  }

  @Override
  public void onLost(Consumer<String> action) {
    while (true) {
      State current = state.get();
      switch (current.phase()) {
        case HELD -> {
          State next = new State(Phase.HELD, current.deadlineNanos(), action, null);
          if (state.compareAndSet(current, next)) {
            return;
          }
        }
        case LOST -> {
          action.accept(current.lossReason());
          return;
        }
        default -> {
          return; // closed: the action never runs after close()
        }
      }
    }
  }

  @Override
  public void close() {
    while (true) {
      State current = state.get();
      if (current.phase() == Phase.CLOSED) {
        return;
      }
      State closed = new State(Phase.CLOSED, current.deadlineNanos(), null, current.lossReason());
      if (state.compareAndSet(current, closed)) {
        if (current.phase() == Phase.HELD) {
          stopTimers();
          pool.release(this);
        }
        // A lost slot has nothing to release: its lease is gone or expires by itself.
        return;
      }
    }
  }

  /**
   * Reports the slot lost, once: the caller whose compare-and-set leaves HELD stops the timers and
   * hands the action to the pool's callback thread.
   *
   * @param reason why, without the ids (they are added here)
   * @return {@code true} if this call made the slot lost
   */
  boolean lose(String reason) {
    while (true) {
      State current = state.get();
      if (current.phase() != Phase.HELD) {
        return false;
      }
      String fullReason = "Tuner lease " + leaseId + " (fencing token " + fencingToken
          + ") of playlist '" + playlistId + "' for stream '" + streamId + "' is lost: " + reason;
      State lost = new State(Phase.LOST, current.deadlineNanos(), null, fullReason);
      if (state.compareAndSet(current, lost)) {
        stopTimers();
        pool.lost(this, fullReason, current.onLost());
        return true;
      }
    }
  }

  /** Runs a loss action unless the slot was closed since the loss was decided. */
  void runLossAction(Consumer<String> action, String reason) {
    if (state.get().phase() == Phase.LOST) {
      action.accept(reason);
    }
  }

  /**
   * Moves the deadline forward after a confirmed renewal; a late answer never moves it back.
   *
   * @param deadlineNanos send time of the renewal plus the TTL
   */
  void extendTo(long deadlineNanos) {
    state.updateAndGet(current -> current.phase() == Phase.HELD
        && deadlineNanos - current.deadlineNanos() > 0 ? current.withDeadline(deadlineNanos) : current);
  }

  State state() {
    return state.get();
  }

  void heartbeat(Future<?> next) {
    heartbeat = next;
    if (state.get().phase() != Phase.HELD) {
      next.cancel(false); // the slot left HELD while this was being scheduled
    }
  }

  void watchdog(Future<?> next) {
    watchdog = next;
    if (state.get().phase() != Phase.HELD) {
      next.cancel(false);
    }
  }

  private void stopTimers() {
    Future<?> beat = heartbeat;
    if (beat != null) {
      beat.cancel(false);
    }
    Future<?> dog = watchdog;
    if (dog != null) {
      dog.cancel(false);
    }
  }

  @Override
  public String toString() {
    State current = state.get();
    return "RedisTunerSlot[playlist=" + playlistId + ", stream=" + streamId + ", lease=" + leaseId
        + ", token=" + fencingToken + ", " + current.phase() + "]";
  }
}
