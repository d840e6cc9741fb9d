package io.github.buffercore.internal;

import io.github.buffercore.StreamStats;
import java.util.Arrays;
import java.util.List;

/**
 * One stream of a playlist: immutable, replaced as a whole inside the playlist's map computation.
 *
 * <p>The clients are a plain array in join order, copied on every join and leave: a stream has a
 * handful of viewers, and a copied array is a fraction of the allocation of a copied hash map (the
 * join/leave path is measured by {@code AcquireCloseBenchmark}). The array is never modified after
 * the record is built and never handed out.
 *
 * @param streamId the stream id
 * @param generation unique per start of the stream (the client id of the lease that started it); lets a delayed action (a grace timer, an upstream
 *     pump) tell "this stream" from "a later stream with the same id"
 * @param clients the leases of its clients, in join order; never modified
 * @param idleSince ticker time at which the last client left, meaningful only while there are no
 *     clients
 * @param shared the data path (upstream pump and ring), or {@code null} in a registry without upstream
 * @param tuner the tuner slot of this generation, attached after the compute that started it
 * @param gate where clients join this state without a compute ({@link JoinGate}), or {@code null} in
 *     a registry with a listener; its members are clients too, added by {@link #folded()}
 */
record StreamState(
    String streamId, long generation, Lease[] clients, long idleSince, SharedStream shared,
    TunerHold tuner, JoinGate gate) {

  private static final Lease[] NONE = new Lease[0];

  static StreamState started(String streamId, long generation, Lease first, SharedStream shared,
      TunerHold tuner, boolean gated) {
    return new StreamState(streamId, generation, new Lease[] {first}, 0L, shared, tuner,
        gated ? new JoinGate() : null);
  }

  /**
   * Joins {@code lease} through the gate, without a compute: only while this stream has a client
   * of its own (never an idle one) and its gate is open, i.e. this state is still the current one.
   *
   * @param lease the new client's lease
   * @return whether it joined; {@code false}: join through the compute
   */
  boolean joinThroughGate(Lease lease) {
    return gate != null && clients.length > 0 && gate.join(lease);
  }

  /**
   * Closes the gate and returns this stream with the gate's members appended to its clients and a
   * fresh gate; {@code this} without a gate. Called inside the compute, before any decision that
   * removes a client or the stream (the state it returns is the one published).
   */
  StreamState folded() {
    if (gate == null) {
      return this;
    }
    Lease[] members = gate.close();
    Lease[] all = clients;
    if (members.length > 0) {
      all = Arrays.copyOf(clients, clients.length + members.length);
      System.arraycopy(members, 0, all, clients.length, members.length);
    }
    return new StreamState(streamId, generation, all, all.length == 0 ? idleSince : 0L, shared, tuner,
        new JoinGate());
  }

  /** The clients and the gate's members as seen now, for read-only passes outside the compute. */
  Lease[] viewers() {
    Lease[] members = gate == null ? NONE : gate.members();
    if (members.length == 0) {
      return clients;
    }
    Lease[] all = Arrays.copyOf(clients, clients.length + members.length);
    System.arraycopy(members, 0, all, clients.length, members.length);
    return all;
  }

  /** {@link #clientCount()} plus the gate's members now: the count a snapshot shows. */
  int viewerCount() {
    return clients.length + (gate == null ? 0 : gate.memberCount());
  }

  /** The data path's counters, or {@link StreamStats#NONE} without one. */
  StreamStats stats() {
    return shared == null ? StreamStats.NONE : shared.stats();
  }

  boolean idle() {
    return clients.length == 0;
  }

  int clientCount() {
    return clients.length;
  }

  /** A read-only view of the clients, for the rare paths that evict them. */
  List<Lease> clientList() {
    return List.of(clients);
  }

  /** Whether this very lease (not just its id) is a client: membership is identity. */
  boolean holds(Lease lease) {
    return indexOf(lease) >= 0;
  }

  private int indexOf(Lease lease) {
    for (int i = 0; i < clients.length; i++) {
      if (clients[i] == lease) {
        return i;
      }
    }
    return -1;
  }

  StreamState withClient(Lease lease) {
    Lease[] joined = Arrays.copyOf(clients, clients.length + 1);
    joined[clients.length] = lease;
    return new StreamState(streamId, generation, joined, 0L, shared, tuner, gate);
  }

  /** Returns this stream without {@code lease}; if that empties it, it is idle since {@code now}. */
  StreamState withoutClient(Lease lease, long now) {
    int index = indexOf(lease);
    if (index < 0) {
      return this;
    }
    if (clients.length == 1) {
      return new StreamState(streamId, generation, NONE, now, shared, tuner, gate);
    }
    Lease[] left = new Lease[clients.length - 1];
    System.arraycopy(clients, 0, left, 0, index);
    System.arraycopy(clients, index + 1, left, index, left.length - index);
    return new StreamState(streamId, generation, left, idleSince, shared, tuner, gate);
  }

  StreamState withClients(List<Lease> kept, long idleSinceIfEmpty) {
    return new StreamState(streamId, generation, kept.toArray(NONE),
        kept.isEmpty() ? idleSinceIfEmpty : 0L, shared, tuner, gate);
  }

  @Override
  public boolean equals(Object other) {
    return this == other; // states are compared by identity only (compare-and-set semantics)
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "StreamState[" + streamId + " generation " + generation + ", " + clients.length + " client(s)]";
  }
}
