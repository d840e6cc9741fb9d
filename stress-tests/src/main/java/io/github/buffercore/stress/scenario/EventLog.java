package io.github.buffercore.stress.scenario;

import io.github.buffercore.RegistryEvent;
import io.github.buffercore.RegistryListener;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A listener that checks {@code EventBalance} as events arrive, in arrival order: per id a legal
 * sequence (playlist {@code (CREATED REMOVED)*}, stream {@code (STARTED UPSTREAM_FAILED? STOPPED)*},
 * client {@code JOINED (LEFT|EVICTED)}), nothing about a playlist while it is not live, no stream
 * stopped and no playlist removed with a client or stream still in it. It keeps only the first
 * violation, as a code for a jcstress result column, and what is still open.
 */
public final class EventLog implements RegistryListener {

  /** No violation. */
  public static final int LEGAL = 0;
  /** An event about a playlist that is not live: before its CREATED or after its REMOVED. */
  public static final int NOT_LIVE = 1;
  /** A closing event without its opening one (STOPPED without STARTED, LEFT without JOINED...). */
  public static final int CLOSED_WITHOUT_OPENING = 2;
  /** An opening event twice before its closing one. */
  public static final int OPENED_TWICE = 3;
  /** A stream stopped, or a playlist removed, with a client or a stream still in it. */
  public static final int CLOSED_WHILE_IN_USE = 4;

  private final Set<String> live = new HashSet<>(); // guarded by this
  private final Map<String, Set<Long>> running = new HashMap<>(); // "playlist/stream" -> clients
  private final Set<Long> joined = new HashSet<>();
  private final Set<Long> ended = new HashSet<>();
  private int firstViolation = LEGAL;

  @Override
  public synchronized void onEvent(RegistryEvent e) {
    String playlist = e.playlistId();
    String stream = playlist + "/" + e.streamId();
    boolean isLive = live.contains(playlist);
    switch (e.type()) {
      case PLAYLIST_CREATED -> {
        if (!live.add(playlist)) {
          violation(OPENED_TWICE);
        }
      }
      case PLAYLIST_REMOVED -> {
        if (!live.remove(playlist)) {
          violation(CLOSED_WITHOUT_OPENING);
        }
        if (running.keySet().stream().anyMatch(s -> s.startsWith(playlist + "/"))) {
          violation(CLOSED_WHILE_IN_USE);
        }
      }
      case STREAM_STARTED -> {
        requireLive(isLive);
        if (running.putIfAbsent(stream, new HashSet<>()) != null) {
          violation(OPENED_TWICE);
        }
      }
      case STREAM_STOPPED -> {
        requireLive(isLive);
        Set<Long> clients = running.remove(stream);
        if (clients == null) {
          violation(CLOSED_WITHOUT_OPENING);
        } else if (!clients.isEmpty()) {
          violation(CLOSED_WHILE_IN_USE);
        }
      }
      case CLIENT_JOINED -> {
        requireLive(isLive);
        Set<Long> clients = running.get(stream);
        if (clients == null) {
          violation(CLOSED_WITHOUT_OPENING); // joined a stream that has not started (or has stopped)
        }
        if (!joined.add(e.clientId())) {
          violation(OPENED_TWICE);
        } else if (clients != null) {
          clients.add(e.clientId());
        }
      }
      case CLIENT_LEFT, CLIENT_EVICTED -> {
        requireLive(isLive);
        Set<Long> clients = running.get(stream);
        if (clients == null || !clients.remove(e.clientId()) || !ended.add(e.clientId())) {
          violation(CLOSED_WITHOUT_OPENING);
        }
      }
      case UPSTREAM_FAILED -> {
        requireLive(isLive);
        if (!running.containsKey(stream)) {
          violation(CLOSED_WITHOUT_OPENING);
        }
      }
      default -> requireLive(isLive); // TUNER_LIMIT_REACHED: about a live playlist
    }
  }

  private void requireLive(boolean isLive) {
    if (!isLive) {
      violation(NOT_LIVE);
    }
  }

  private void violation(int code) {
    if (firstViolation == LEGAL) {
      firstViolation = code;
    }
  }

  /** The code of the first violation seen, {@link #LEGAL} if none. */
  public synchronized int firstViolation() {
    return firstViolation;
  }

  /** 1 if a playlist, stream or client is still open (its closing event never came), else 0. */
  public synchronized int unbalanced() {
    boolean clientOpen = joined.stream().anyMatch(c -> !ended.contains(c));
    return live.isEmpty() && running.isEmpty() && !clientOpen ? 0 : 1;
  }
}
