package io.github.buffercore.bench.baseline;

import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.TunerLimitExceededException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The baselines' playlist: plain mutable maps, never safe on their own. Each baseline guards every
 * access with its own scheme (a global lock, a global monitor, or the map's per-key compute); the
 * rules themselves (tuner limit, idle streams yielding their tuner, cleanup) are the registry's.
 */
final class MutablePlaylist {

  /** A stream and its clients. */
  static final class Stream {
    final String id;
    final Map<Long, BaselineLease> clients = new HashMap<>(4);
    long idleSince;

    Stream(String id) {
      this.id = id;
    }
  }

  final String id;
  PlaylistSettings settings;
  final Map<String, Stream> streams = new HashMap<>(4);
  long idleSince;

  MutablePlaylist(String id, PlaylistSettings settings, long now) {
    this.id = id;
    this.settings = settings;
    this.idleSince = now;
  }

  /** Joins the lease's client, starting its stream (taking a tuner) if it is not running. */
  void join(BaselineLease lease) {
    Stream stream = streams.get(lease.streamId());
    if (stream == null) {
      while (streams.size() >= settings.tunerLimit()) {
        Stream longestIdle = null;
        for (Stream s : streams.values()) {
          if (s.clients.isEmpty() && (longestIdle == null || s.idleSince < longestIdle.idleSince)) {
            longestIdle = s;
          }
        }
        if (longestIdle == null) {
          throw new TunerLimitExceededException(id, lease.streamId(), settings.tunerLimit(),
              List.copyOf(streams.keySet()));
        }
        streams.remove(longestIdle.id);
      }
      stream = new Stream(lease.streamId());
      streams.put(stream.id, stream);
    }
    stream.clients.put(lease.clientId(), lease);
    stream.idleSince = 0L;
    idleSince = 0L;
  }

  /** Removes the lease's client if it is still there; stops the stream when the grace is zero. */
  void leave(BaselineLease lease, long now, long streamGraceNanos) {
    Stream stream = streams.get(lease.streamId());
    if (stream == null || stream.clients.get(lease.clientId()) != lease) {
      return; // evicted meanwhile
    }
    stream.clients.remove(lease.clientId());
    if (stream.clients.isEmpty()) {
      stream.idleSince = now;
      if (streamGraceNanos == 0L) {
        streams.remove(stream.id);
        if (streams.isEmpty()) {
          idleSince = now;
        }
      }
    }
  }

  /**
   * One cleanup step for this playlist, in place.
   *
   * @param work adds evicted clients + stopped streams (+1 if the playlist is to be removed) to work[0]
   * @return {@code true} if the playlist is to be removed
   */
  boolean sweep(long now, long staleAfterNanos, long streamGraceNanos, long idleGraceNanos, int[] work) {
    for (Iterator<Stream> streamIt = streams.values().iterator(); streamIt.hasNext(); ) {
      Stream stream = streamIt.next();
      long lastTouch = Long.MIN_VALUE;
      boolean evicted = false;
      for (Iterator<BaselineLease> it = stream.clients.values().iterator(); it.hasNext(); ) {
        BaselineLease lease = it.next();
        long touched = lease.lastTouched();
        if (now - touched > staleAfterNanos) {
          lease.markReleased();
          it.remove();
          lastTouch = Math.max(lastTouch, touched);
          evicted = true;
          work[0]++;
        }
      }
      if (evicted && stream.clients.isEmpty()) {
        stream.idleSince = lastTouch;
      }
      if (stream.clients.isEmpty() && now - stream.idleSince >= streamGraceNanos) {
        streamIt.remove();
        idleSince = Math.max(idleSince, stream.idleSince);
        work[0]++;
      }
    }
    if (streams.isEmpty() && now - idleSince >= idleGraceNanos) {
      work[0]++;
      return true;
    }
    return false;
  }

  /** Evicts every client, for close. */
  void evictAll() {
    for (Stream stream : streams.values()) {
      for (BaselineLease lease : stream.clients.values()) {
        lease.markReleased();
      }
    }
    streams.clear();
  }
}
