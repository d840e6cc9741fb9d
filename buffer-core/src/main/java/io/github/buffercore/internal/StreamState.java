package io.github.buffercore.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One stream of a playlist: immutable, replaced as a whole inside the playlist's map computation.
 *
 * @param streamId the stream id
 * @param generation unique per start of the stream; lets a delayed action (a grace timer, an upstream
 *     pump) tell "this stream" from "a later stream with the same id"
 * @param clients the leases of its clients by client id, in join order; unmodifiable
 * @param idleSince ticker time at which the last client left, meaningful only while {@code clients}
 *     is empty
 * @param shared the data path (upstream pump and ring), or {@code null} in a registry without upstream
 */
record StreamState(
    String streamId, long generation, Map<Long, Lease> clients, long idleSince, SharedStream shared) {

  static StreamState started(String streamId, long generation, Lease first, SharedStream shared) {
    return new StreamState(streamId, generation, Map.of(first.clientId(), first), 0L, shared);
  }

  boolean idle() {
    return clients.isEmpty();
  }

  boolean holds(Lease lease) {
    return clients.get(lease.clientId()) == lease;
  }

  StreamState withClient(Lease lease) {
    var copy = new LinkedHashMap<>(clients);
    copy.put(lease.clientId(), lease);
    return new StreamState(streamId, generation, Collections.unmodifiableMap(copy), 0L, shared);
  }

  /** Returns this stream without {@code lease}; if that empties it, it is idle since {@code now}. */
  StreamState withoutClient(Lease lease, long now) {
    var copy = new LinkedHashMap<>(clients);
    copy.remove(lease.clientId());
    return new StreamState(streamId, generation, Collections.unmodifiableMap(copy),
        copy.isEmpty() ? now : idleSince, shared);
  }

  StreamState withClients(Map<Long, Lease> kept, long idleSinceIfEmpty) {
    return new StreamState(streamId, generation, Collections.unmodifiableMap(kept),
        kept.isEmpty() ? idleSinceIfEmpty : 0L, shared);
  }
}
