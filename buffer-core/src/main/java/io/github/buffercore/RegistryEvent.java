package io.github.buffercore;

import java.util.Objects;

/**
 * Something that happened in a {@link PlaylistRegistry}, delivered to its {@link RegistryListener}
 * after the state change that caused it. The counts are read from the registry state that the change
 * produced, so they are exact for that instant and never negative.
 *
 * @param type what happened
 * @param playlistId the playlist concerned
 * @param streamId the stream concerned, or {@code null} for playlist events
 * @param clientId the client concerned, or {@code 0} if the event is not about one client
 * @param streamClients how many clients the stream has after the change ({@code 0} for playlist events
 *     and for a stopped stream)
 * @param tunersInUse how many tuners the playlist uses after the change
 * @param tunerLimit the playlist's tuner limit
 */
public record RegistryEvent(
    Type type,
    String playlistId,
    String streamId,
    long clientId,
    int streamClients,
    int tunersInUse,
    int tunerLimit) {

  /**
   * Checks the required components.
   *
   * @param type what happened
   * @param playlistId the playlist concerned
   * @param streamId the stream concerned, or {@code null} for playlist events
   * @param clientId the client concerned, or {@code 0} if the event is not about one client
   * @param streamClients how many clients the stream has after the change ({@code 0} for playlist
   *     events and for a stopped stream)
   * @param tunersInUse how many tuners the playlist uses after the change
   * @param tunerLimit the playlist's tuner limit
   */
  public RegistryEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(playlistId, "playlistId");
  }

  /** The kinds of event. */
  public enum Type {
    /** A playlist was created and published, fully initialized. */
    PLAYLIST_CREATED,
    /** A playlist was removed (idle, or the registry closed); its working folder is deleted. */
    PLAYLIST_REMOVED,
    /** The first client of a stream took a tuner and the stream started. */
    STREAM_STARTED,
    /** A stream stopped and freed its tuner. */
    STREAM_STOPPED,
    /** A client joined a stream. */
    CLIENT_JOINED,
    /** A client closed its lease. */
    CLIENT_LEFT,
    /** Cleanup removed a client that had not been touched for {@code staleAfter}, or the registry closed. */
    CLIENT_EVICTED,
    /** A client was refused because every tuner of the playlist was busy; nothing changed. */
    TUNER_LIMIT_REACHED,
    /**
     * The registry gave up on the upstream of a stream: every connection attempt its
     * {@link ReconnectPolicy} allows failed, or its tuner slot was lost or could not be taken (the
     * pool failed or was unavailable). Sent once, right before that stream's {@link #STREAM_STOPPED};
     * a stream stopped by its clients, cleanup or {@code close} sends none.
     */
    UPSTREAM_FAILED
  }
}
