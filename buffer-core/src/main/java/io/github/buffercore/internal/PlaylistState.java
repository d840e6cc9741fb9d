package io.github.buffercore.internal;

import io.github.buffercore.Playlist;
import java.util.Map;

/**
 * A live playlist: immutable, the value of the registry map. Every change creates a new instance inside
 * one map computation.
 *
 * @param playlist the public playlist (id, generation, settings, folder)
 * @param streams its streams by id, in start order; each holds one tuner; an immutable
 *     {@link StreamTable}
 * @param idleSince ticker time since which it has had no streams, meaningful only while
 *     {@code streams} is empty
 */
record PlaylistState(Playlist playlist, Map<String, StreamState> streams, long idleSince)
    implements RegistryNode {

  static PlaylistState created(Playlist playlist, long now) {
    return new PlaylistState(playlist, StreamTable.EMPTY, now);
  }

  String id() {
    return playlist.id();
  }

  int tunerLimit() {
    return playlist.settings().tunerLimit();
  }

  PlaylistState withPlaylist(Playlist updated) {
    return new PlaylistState(updated, streams, idleSince);
  }

  PlaylistState withStream(StreamState stream) {
    return new PlaylistState(playlist, table().with(stream), 0L);
  }

  /** Returns this playlist without the stream; if that empties it, it is idle since {@code idleFrom}. */
  PlaylistState withoutStream(String streamId, long idleFrom) {
    StreamTable left = table().without(streamId);
    return new PlaylistState(playlist, left, left.isEmpty() ? idleFrom : 0L);
  }

  PlaylistState withStreams(Map<String, StreamState> kept, long idleFrom) {
    return new PlaylistState(playlist, StreamTable.copyOf(kept.values()),
        kept.isEmpty() ? (streams.isEmpty() ? idleSince : idleFrom) : 0L);
  }

  /**
   * Joins {@code lease} to its stream of the live playlist {@code node} through the stream's gate.
   *
   * @param node the registry's current value for the lease's playlist, or {@code null}
   * @param lease the new client's lease
   * @return the stream it joined, or {@code null}: join through the compute
   */
  static StreamState joinThroughGate(RegistryNode node, Lease lease) {
    if (node instanceof PlaylistState live) {
      StreamState running = live.streams().get(lease.streamId());
      if (running != null && running.joinThroughGate(lease)) {
        return running;
      }
    }
    return null;
  }

  /**
   * This state with the join gates of its streams closed and their members taken in as clients
   * ({@link StreamState#folded()}); {@code this} if no stream has a gate. Called first by every
   * compute that may remove a client or a stream.
   *
   * @param onlyStreamId the one stream to fold, or {@code null} for all of them
   */
  PlaylistState folded(String onlyStreamId) {
    StreamState[] streams = streamArray();
    StreamState[] folded = null;
    for (int i = 0; i < streams.length; i++) {
      StreamState stream = streams[i];
      if (stream.gate() != null && (onlyStreamId == null || onlyStreamId.equals(stream.streamId()))) {
        if (folded == null) {
          folded = streams.clone();
        }
        folded[i] = stream.folded();
      }
    }
    return folded == null ? this
        : new PlaylistState(playlist, StreamTable.copyOf(java.util.Arrays.asList(folded)), idleSince);
  }

  /** The streams as the table's own array, in start order; read only (see {@link StreamTable#array}). */
  StreamState[] streamArray() {
    return table().array();
  }

  private StreamTable table() {
    return (StreamTable) streams;
  }
}
