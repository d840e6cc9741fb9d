package io.github.buffercore.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The join gate of one running stream ({@code JoinGate} in the {@code io.github.buffercore} package
 * documentation): clients that join a stream which is running and has clients take a slot here with
 * one compare-and-set instead of a compute, and leave it with another. A gate belongs to the
 * {@link StreamState} it was made with, and to the copies of that state that only add clients; every
 * compute that removes a client or a stream first {@link #close closes} it and takes its members
 * into the state it publishes, with a fresh gate.
 *
 * <p>Why it is correct. A slot holds {@code null} (free), a member {@link Lease}, or {@link #TAKEN}
 * once the closing compute has taken it. The closer first marks the gate closed, then swaps every
 * slot to {@code TAKEN} ({@code getAndSet}), so each slot has one decisive write: a joiner's
 * compare-and-set {@code null -> lease} before the closer's swap makes the lease a member the closer
 * receives; after it, the joiner finds {@code TAKEN} and joins through the compute instead. A
 * leaver's compare-and-set {@code lease -> null} before the swap means the closer never sees it;
 * after it, the leave fails and goes through the compute, which finds the lease in the state (or
 * finds it already evicted). A gate is open only while its state is the current one of its stream,
 * and that state has a client of its own (a joiner checks it on the state it read the gate from), so
 * a join through the gate never revives an idle stream and the last leave is always a compute.
 *
 * <p>Only a registry without a listener uses gates (a gate member's join has no place in the
 * compute order of events). Slots are allocated on the first join through the gate; a full gate
 * sends joiners to the compute.
 */
final class JoinGate {

  /** Slots per gate: a multiple of the 16 references of a cache line, so threads start apart. */
  static final int SLOTS = 64;

  /** What the closer leaves in a slot it has taken. */
  private static final Object TAKEN = new Object();
  /** The value of {@link #slots} once the gate is closed. */
  private static final Object[] CLOSED = new Object[0];
  private static final Lease[] NO_MEMBERS = new Lease[0];
  private static final VarHandle SLOTS_FIELD;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

  static {
    try {
      SLOTS_FIELD = MethodHandles.lookup().findVarHandle(JoinGate.class, "slots", Object[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** {@code null} until the first join, then the slots, then {@link #CLOSED}. */
  @SuppressWarnings("unused") // accessed through SLOTS_FIELD
  private volatile Object[] slots;

  /**
   * Makes {@code lease} a member, if the gate is open and has a free slot; on success the lease
   * remembers its slot (its close frees it with a compare-and-set {@code lease -> null}). The caller has checked that the state it read this gate
   * from has a client of its own.
   *
   * @param lease the joining client's lease, not yet handed out
   * @return {@code true} if the lease is now a member of the stream; {@code false} if the caller must
   *     join through the compute (the gate is closed or full)
   */
  boolean join(Lease lease) {
    Object[] current = slots;
    if (current == null) {
      Object[] fresh = new Object[SLOTS];
      current = SLOTS_FIELD.compareAndSet(this, null, fresh) ? fresh : slots;
    }
    if (current == CLOSED) {
      return false;
    }
    // Threads start a cache line apart, so two joiners rarely write the same line.
    int start = (int) (Thread.currentThread().getId() << 4);
    for (int i = 0; i < SLOTS; i++) {
      int index = (start + i) & (SLOTS - 1);
      Object seen = SLOT.getVolatile(current, index);
      if (seen == TAKEN) {
        return false; // the closer is taking the slots: join through its compute
      }
      if (seen == null && SLOT.compareAndSet(current, index, null, lease)) {
        // Only the lease's own close reads this, and the lease is not handed out yet.
        lease.inGate(current, index);
        return true;
      }
    }
    return false;
  }

  /**
   * Closes the gate for good and takes its members; called only inside the compute of the stream's
   * playlist, which publishes them as clients of the state it returns (or evicts them).
   *
   * @return the members, in slot order
   */
  Lease[] close() {
    Object[] taken = (Object[]) SLOTS_FIELD.getAndSet(this, CLOSED);
    if (taken == null || taken == CLOSED) {
      return NO_MEMBERS;
    }
    Lease[] members = new Lease[taken.length];
    int count = 0;
    for (int i = 0; i < taken.length; i++) {
      if (SLOT.getAndSet(taken, i, TAKEN) instanceof Lease member) {
        members[count++] = member;
      }
    }
    return count == 0 ? NO_MEMBERS : Arrays.copyOf(members, count);
  }

  /**
   * The members at the time of each slot's read, for read-only passes (snapshot counts, the stall
   * sweep, the cleanup pre-check); a decision is always taken again on the closed gate.
   *
   * @return the members seen, possibly empty
   */
  Lease[] members() {
    Object[] current = slots;
    if (current == null || current == CLOSED) {
      return NO_MEMBERS;
    }
    Lease[] members = new Lease[current.length];
    int count = 0;
    for (int i = 0; i < current.length; i++) {
      if (SLOT.getVolatile(current, i) instanceof Lease member) {
        members[count++] = member;
      }
    }
    return count == 0 ? NO_MEMBERS : Arrays.copyOf(members, count);
  }

  /** How many members the gate holds now (a read-only count, see {@link #members}). */
  int memberCount() {
    Object[] current = slots;
    if (current == null || current == CLOSED) {
      return 0;
    }
    int count = 0;
    for (int i = 0; i < current.length; i++) {
      if (SLOT.getVolatile(current, i) instanceof Lease) {
        count++;
      }
    }
    return count;
  }
}
