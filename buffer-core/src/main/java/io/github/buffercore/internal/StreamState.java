package io.github.buffercore.internal;

import io.github.buffercore.StreamStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One stream of a playlist: immutable, replaced as a whole inside the playlist's map computation.
 *
 * <p>The clients are a {@link PrefixSharingList} in join order: a join appends into the array it
 * shares with the previous state (amortised O(1); a copied array made a storm of n joins O(n^2)), a
 * leave copies. The list is immutable; each state sees only its own prefix of the shared array.
 *
 * @param streamId the stream id
 * @param generation unique per start of the stream (the client id of the lease that started it); lets a delayed action (a grace timer, an upstream
 *     pump) tell "this stream" from "a later stream with the same id"
 * @param clients the leases of its clients, in join order
 * @param idleSince ticker time at which the last client left, meaningful only while there are no
 *     clients
 * @param shared the data path (upstream pump and ring), or {@code null} in a registry without upstream
 * @param tuner the tuner slot of this generation, attached after the compute that started it
 * @param gate where clients join this state without a compute ({@link JoinGate}), or {@code null} in
 *     a registry with a listener; its members are clients too, added by {@link #folded()}
 */
record StreamState(
    String streamId, long generation, PrefixSharingList<Lease> clients, long idleSince, SharedStream shared,
    TunerHold tuner, JoinGate gate) {

  private static final Lease[] NONE = new Lease[0];

  private static final PrefixSharingList<Lease> NO_CLIENTS = PrefixSharingList.empty();

  static StreamState started(String streamId, long generation, Lease first, SharedStream shared,
      TunerHold tuner, boolean gated) {
    return new StreamState(streamId, generation, NO_CLIENTS.append(first), 0L, shared, tuner,
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
    return gate != null && !clients.isEmpty() && gate.join(lease);
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
    PrefixSharingList<Lease> all = clients.appendAll(members);
    return new StreamState(streamId, generation, all, all.isEmpty() ? idleSince : 0L, shared, tuner,
        new JoinGate());
  }

  /**
   * The clients and the gate's members as seen now, for read-only passes outside the compute. Never
   * appends to the clients' shared array (a view must not take the next join's spare slot).
   */
  Iterable<Lease> viewers() {
    Lease[] members = gate == null ? NONE : gate.members();
    if (members.length == 0) {
      return clients;
    }
    List<Lease> all = new ArrayList<>(clients.size() + members.length);
    for (Lease lease : clients) {
      all.add(lease);
    }
    all.addAll(Arrays.asList(members));
    return all;
  }

  /** {@link #clientCount()} plus the gate's members now: the count a snapshot shows. */
  int viewerCount() {
    return clients.size() + (gate == null ? 0 : gate.memberCount());
  }

  /** The data path's counters, or {@link StreamStats#NONE} without one. */
  StreamStats stats() {
    return shared == null ? StreamStats.NONE : shared.stats();
  }

  boolean idle() {
    return clients.isEmpty();
  }

  int clientCount() {
    return clients.size();
  }

  /** A read-only copy of the clients, for the rare paths that evict them. */
  List<Lease> clientList() {
    return clients.toList();
  }

  /** Whether this very lease (not just its id) is a client: membership is identity. */
  boolean holds(Lease lease) {
    return clients.indexOf(lease) >= 0;
  }

  StreamState withClient(Lease lease) {
    return new StreamState(streamId, generation, clients.append(lease), 0L, shared, tuner, gate);
  }

  /** Returns this stream without {@code lease}; if that empties it, it is idle since {@code now}. */
  StreamState withoutClient(Lease lease, long now) {
    PrefixSharingList<Lease> left = clients.without(lease);
    if (left == clients) {
      return this;
    }
    return new StreamState(streamId, generation, left, left.isEmpty() ? now : idleSince, shared, tuner, gate);
  }

  StreamState withClients(List<Lease> kept, long idleSinceIfEmpty) {
    return new StreamState(streamId, generation, PrefixSharingList.copyOf(kept),
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
    return "StreamState[" + streamId + " generation " + generation + ", " + clients.size() + " client(s)]";
  }
}
