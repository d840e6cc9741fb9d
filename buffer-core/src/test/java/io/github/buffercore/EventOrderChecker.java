package io.github.buffercore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener that checks the {@code EventBalance} invariant as events arrive: per id, the events form a
 * legal sequence. Playlist: {@code (CREATED REMOVED)*}, nothing about it or its streams and clients
 * while it is removed, and no stream running or client in it at its removal. Stream:
 * {@code (STARTED UPSTREAM_FAILED? STOPPED)*}, every client event inside a STARTED..STOPPED, and no
 * client in it at its stop. Client (ids are unique per registry): {@code JOINED (LEFT | EVICTED)}.
 * Also checks that the listener is never called by two threads at once, nor re-entered.
 *
 * <p>Every event is recorded in arrival order; {@link #violations()} names the first offending events.
 */
final class EventOrderChecker implements RegistryListener {

  private final Object lock = new Object();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<RegistryEvent> events = new ArrayList<>(); // guarded by lock
  private final List<String> violations = new ArrayList<>(); // guarded by lock
  private final Set<String> livePlaylists = new HashSet<>(); // guarded by lock
  /** Running streams ("playlist/stream") and the clients in each. */
  private final Map<String, Set<Long>> running = new HashMap<>(); // guarded by lock
  private final Set<Long> joined = new HashSet<>(); // guarded by lock
  private final Set<Long> ended = new HashSet<>(); // guarded by lock
  private volatile RegistryListener then;

  /** Runs {@code next} after each event is checked (a listener that throws or re-enters). */
  EventOrderChecker then(RegistryListener next) {
    this.then = next;
    return this;
  }

  @Override
  public void onEvent(RegistryEvent event) {
    if (inFlight.incrementAndGet() != 1) {
      violation("listener called concurrently or re-entered, on " + event);
    }
    try {
      check(event);
    } finally {
      inFlight.decrementAndGet();
    }
    RegistryListener next = then;
    if (next != null) {
      inFlight.incrementAndGet();
      try {
        next.onEvent(event);
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  private void check(RegistryEvent e) {
    synchronized (lock) {
      events.add(e);
      String playlist = e.playlistId();
      String stream = playlist + "/" + e.streamId();
      boolean live = livePlaylists.contains(playlist);
      switch (e.type()) {
        case PLAYLIST_CREATED -> {
          if (!livePlaylists.add(playlist)) {
            violation("PLAYLIST_CREATED of a live playlist: " + e);
          }
        }
        case PLAYLIST_REMOVED -> {
          if (!livePlaylists.remove(playlist)) {
            violation("PLAYLIST_REMOVED without PLAYLIST_CREATED: " + e);
          }
          for (String key : running.keySet()) {
            if (key.startsWith(playlist + "/")) {
              violation("PLAYLIST_REMOVED while its stream " + key + " runs: " + e);
            }
          }
        }
        case STREAM_STARTED -> {
          requireLive(live, e);
          if (running.putIfAbsent(stream, new HashSet<>()) != null) {
            violation("STREAM_STARTED of a running stream: " + e);
          }
        }
        case STREAM_STOPPED -> {
          requireLive(live, e);
          Set<Long> clients = running.remove(stream);
          if (clients == null) {
            violation("STREAM_STOPPED without STREAM_STARTED: " + e);
          } else if (!clients.isEmpty()) {
            violation("STREAM_STOPPED with clients " + clients + " in it: " + e);
          }
        }
        case UPSTREAM_FAILED -> {
          requireLive(live, e);
          if (!running.containsKey(stream)) {
            violation("UPSTREAM_FAILED of a stream not running: " + e);
          }
        }
        case CLIENT_JOINED -> {
          requireLive(live, e);
          Set<Long> clients = running.get(stream);
          if (clients == null) {
            violation("CLIENT_JOINED to a stream not running: " + e);
          }
          if (!joined.add(e.clientId())) {
            violation("CLIENT_JOINED twice: " + e);
          } else if (clients != null) {
            clients.add(e.clientId());
          }
        }
        case CLIENT_LEFT, CLIENT_EVICTED -> {
          requireLive(live, e);
          Set<Long> clients = running.get(stream);
          if (clients == null || !clients.remove(e.clientId())) {
            violation(e.type() + " of a client not in a running stream (joined: "
                + joined.contains(e.clientId()) + "): " + e);
          }
          if (!ended.add(e.clientId())) {
            violation("client ended twice: " + e);
          }
        }
        case TUNER_LIMIT_REACHED -> requireLive(live, e);
        default -> violation("unknown event " + e);
      }
    }
  }

  private void requireLive(boolean live, RegistryEvent e) {
    if (!live) {
      violation("event about a playlist that is not live (before its PLAYLIST_CREATED or after its"
          + " PLAYLIST_REMOVED): " + e);
    }
  }

  private void violation(String what) {
    synchronized (lock) {
      if (violations.size() < 20) {
        violations.add(what + " (event #" + events.size() + ")");
      }
    }
  }

  /** The first violations found, empty if every event came in a legal order. */
  List<String> violations() {
    synchronized (lock) {
      return List.copyOf(violations);
    }
  }

  /**
   * What is still open at the end: live playlists, running streams and clients that joined and never
   * ended. After {@code close()} it must be empty.
   */
  List<String> unbalanced() {
    synchronized (lock) {
      List<String> open = new ArrayList<>();
      livePlaylists.forEach(p -> open.add("playlist " + p));
      running.keySet().forEach(s -> open.add("stream " + s));
      for (long client : joined) {
        if (!ended.contains(client)) {
          open.add("client " + client);
        }
      }
      return open;
    }
  }

  /** Whether the listener has received an event of this type about this client. */
  boolean received(RegistryEvent.Type type, long clientId) {
    synchronized (lock) {
      return events.stream().anyMatch(e -> e.type() == type && e.clientId() == clientId);
    }
  }

  /** The events received so far, in arrival order. */
  List<RegistryEvent> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }
}
