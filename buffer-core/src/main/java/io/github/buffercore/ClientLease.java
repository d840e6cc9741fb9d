package io.github.buffercore;

/**
 * One client's claim on one stream of a playlist, returned by {@link PlaylistRegistry#acquire}. While
 * the lease is open the stream keeps running and holds one of the playlist's tuners; the first lease of
 * a stream took that tuner, later leases of the same stream share it.
 *
 * <p>Close the lease when the client goes away (in a {@code finally} block or try-with-resources).
 * A lease that is never closed is evicted by {@link PlaylistRegistry#cleanup()} once it has not been
 * {@linkplain #touch() touched} for the registry's {@code staleAfter}, so a vanished viewer cannot hold
 * a tuner forever.
 *
 * <p>All methods are thread-safe.
 */
public interface ClientLease extends AutoCloseable {

  /**
   * Returns the playlist id.
   *
   * @return the playlist id
   */
  String playlistId();

  /**
   * Returns the stream id.
   *
   * @return the stream id
   */
  String streamId();

  /**
   * Returns the registry-unique id of this client.
   *
   * @return a positive client id
   */
  long clientId();

  /**
   * Returns this client's reader of the stream's shared buffer, created on the first call (later calls
   * return the same reader). The reader starts at the lease's {@link JoinPosition} (the one passed to
   * {@code acquire}, or the registry's default): for an MPEG-TS stream with video it first returns the
   * current PAT and PMT, then the data from the chosen random access point; otherwise it starts on the
   * packet-aligned fallback offset described in {@link JoinPosition}. It records activity on the lease
   * at every read, so a reading client is never evicted as stale. Closing the lease closes the reader; a reader whose
   * upstream failed throws {@link UpstreamException} after the data received before the failure.
   *
   * @return the reader
   * @throws IllegalStateException if the registry was built without an upstream, or the lease is no
   *     longer open
   */
  StreamReader reader();

  /**
   * Records activity now, so cleanup does not treat the client as vanished. Cheap (one volatile write);
   * call it whenever the client reads. Has no effect on a closed or evicted lease.
   */
  void touch();

  /**
   * Returns whether the lease is still held: it was neither closed nor evicted by cleanup nor released
   * by {@link PlaylistRegistry#close()}.
   *
   * @return {@code true} while the lease is held
   */
  boolean isOpen();

  /**
   * Releases the lease. The first call removes the client from its stream; if it was the stream's last
   * client, the stream stops (at once, or after the registry's stream grace period if a client may
   * rejoin) and frees its tuner. Idempotent: later calls, and calls after the lease was evicted or the
   * registry closed, change nothing. Never throws.
   */
  @Override
  void close();
}
