package io.github.buffercore.stress.broken;

import io.github.buffercore.ClientLease;
import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.RegistryEvent.Type;
import io.github.buffercore.RegistryListener;
import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Listener events told after the compute, on the caller's thread, in the caller's order: buffer-core's
 * delivery before the {@code EventBalance} fix (a {@code Notify} effect run after the compute like
 * any other). Every state change is one correct compute; only the telling is late. Two threads'
 * events then reach the listener in the opposite order of their computes: a join that started a
 * stream before a racing {@code close()} removed the playlist tells {@code STREAM_STARTED} and
 * {@code CLIENT_JOINED} after the close told {@code PLAYLIST_REMOVED}, and the close tells
 * {@code CLIENT_EVICTED} for a client whose {@code CLIENT_JOINED} has not been told yet. Violates
 * {@code EventBalance}.
 *
 * <p>Client ids are kept per stream beside the sketch's counts, updated inside the same compute.
 */
public final class NotifyAfterCompute extends SketchRegistry {

  private final RegistryListener listener;
  /** "playlist/stream" to the ids of its clients; written only inside that playlist's compute. */
  private final Map<String, Set<Long>> members = new ConcurrentHashMap<>();

  public NotifyAfterCompute(Duration streamGrace, Duration idleGrace, Ticker ticker, Runnable window,
      RegistryListener listener) {
    super(streamGrace, idleGrace, ticker, window);
    this.listener = listener;
  }

  @Override
  public Playlist getOrCreate(String playlistId, PlaylistInitializer initializer) {
    boolean[] created = new boolean[1];
    Playlist playlist = map.computeIfAbsent(playlistId, id -> {
      created[0] = true;
      return new Entry(newPlaylist(id, initializer), Map.of(), now());
    }).playlist();
    if (created[0]) {
      tell(List.of(event(Type.PLAYLIST_CREATED, playlistId, null, 0L)));
    }
    return playlist;
  }

  @Override
  public ClientLease acquire(String playlistId, String streamId) {
    ClientLease lease = newLease(playlistId, streamId);
    AtomicReference<RuntimeException> refusal = new AtomicReference<>();
    List<RegistryEvent> events = new ArrayList<>(2);
    Entry result = map.computeIfPresent(playlistId, (id, entry) -> {
      boolean start = !entry.streams().containsKey(streamId);
      Entry next = join(entry, streamId, refusal, true);
      if (refusal.get() == null) {
        members.computeIfAbsent(id + "/" + streamId, k -> ConcurrentHashMap.newKeySet()).add(lease.clientId());
        if (start) {
          events.add(event(Type.STREAM_STARTED, id, streamId, 0L));
        }
        events.add(event(Type.CLIENT_JOINED, id, streamId, lease.clientId()));
      }
      return next;
    });
    if (result == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
    if (refusal.get() != null) {
      throw refusal.get();
    }
    tell(events);
    return lease;
  }

  @Override
  protected void closeLease(SketchLease lease) {
    if (!lease.open.compareAndSet(true, false)) {
      return;
    }
    String playlistId = lease.playlistId();
    String streamId = lease.streamId();
    long now = now();
    List<RegistryEvent> events = new ArrayList<>(2);
    map.computeIfPresent(playlistId, (id, entry) -> {
      Stream stream = entry.streams().get(streamId);
      Set<Long> clients = members.get(id + "/" + streamId);
      if (stream == null || clients == null || !clients.remove(lease.clientId())) {
        return entry; // already evicted by close
      }
      events.add(event(Type.CLIENT_LEFT, id, streamId, lease.clientId()));
      if (stream.clients() <= 1 && streamGraceNanos == 0L) {
        members.remove(id + "/" + streamId);
        events.add(event(Type.STREAM_STOPPED, id, streamId, 0L));
        return entry.withoutStream(streamId, now);
      }
      return entry.withStream(new Stream(streamId, stream.generation(), stream.clients() - 1,
          stream.clients() <= 1 ? now : 0L));
    });
    tell(events);
  }

  @Override
  public void close() {
    for (String playlistId : map.keySet()) {
      List<RegistryEvent> events = new ArrayList<>();
      map.computeIfPresent(playlistId, (id, entry) -> {
        for (String streamId : entry.streams().keySet()) {
          Set<Long> clients = members.remove(id + "/" + streamId);
          for (long client : clients == null ? Set.<Long>of() : clients) {
            events.add(event(Type.CLIENT_EVICTED, id, streamId, client));
          }
          events.add(event(Type.STREAM_STOPPED, id, streamId, 0L));
        }
        events.add(event(Type.PLAYLIST_REMOVED, id, null, 0L));
        return null;
      });
      tell(events);
    }
  }

  /** BUG: told after the compute, on this thread; a racing thread's events may overtake them. */
  private void tell(List<RegistryEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    window.run();
    for (RegistryEvent event : events) {
      listener.onEvent(event);
    }
  }

  private static RegistryEvent event(Type type, String playlistId, String streamId, long clientId) {
    return new RegistryEvent(type, playlistId, streamId, clientId, 0, 0, 0);
  }
}
