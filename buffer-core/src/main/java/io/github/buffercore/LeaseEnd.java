package io.github.buffercore;

/**
 * Why and how a {@link ClientLease} ended, as told to the callbacks registered with
 * {@link ClientLease#onEnded}. A lease ends exactly once; its tuner accounting was already updated
 * when the callbacks run.
 *
 * @param playlistId the playlist of the lease
 * @param streamId the stream of the lease
 * @param clientId the registry-unique id of the client
 * @param reason why it ended
 */
public record LeaseEnd(String playlistId, String streamId, long clientId, Reason reason) {

  /** Why a lease ended. */
  public enum Reason {
    /** Its holder closed it. */
    CLOSED,
    /**
     * The registry's sweep found that its reader consumed nothing (and the lease was not touched) for
     * {@code staleAfter} while data was waiting for it: a paused or frozen player, a half-open
     * connection.
     */
    EVICTED_STALE,
    /**
     * The registry's sweep found its reader lapped by the writer (the data it would read next was
     * overwritten) and not moving for a whole sweep interval.
     */
    LAPPED,
    /** The stream's upstream was given up on (or its tuner slot lost); the reader ends with the failure. */
    UPSTREAM_FAILED,
    /** The client's viewer switched to another stream, which took over its place. */
    SWITCHED,
    /** The registry was closed. */
    REGISTRY_CLOSED;

    /**
     * Whether the library ended the lease (anything but {@link #CLOSED}): its holder should close the
     * viewer's connection, aborting the response if it was committed.
     *
     * @return {@code true} unless the holder closed the lease itself
     */
    public boolean byLibrary() {
      return this != CLOSED;
    }
  }

  /**
   * Validates the components.
   *
   * @param playlistId the playlist of the lease
   * @param streamId the stream of the lease
   * @param clientId the registry-unique id of the client
   * @param reason why it ended
   */
  public LeaseEnd {
    java.util.Objects.requireNonNull(playlistId, "playlistId");
    java.util.Objects.requireNonNull(streamId, "streamId");
    java.util.Objects.requireNonNull(reason, "reason");
  }
}
