package io.github.buffercore;

import java.util.Optional;

/**
 * One client's claim on one stream of a playlist, returned by {@link PlaylistRegistry#acquire}. While
 * the lease is open the stream keeps running and holds one of the playlist's tuners; the first lease of
 * a stream took that tuner, later leases of the same stream share it.
 *
 * <p>Close the lease when the client goes away (in a {@code finally} block or try-with-resources).
 * A lease that is never closed is evicted by the registry's periodic sweep ({@link
 * PlaylistRegistry#cleanup()}) once its reader consumed nothing and it was not {@linkplain #touch()
 * touched} for the registry's {@code staleAfter}, or once its reader was lapped and stopped moving, so
 * a vanished or frozen viewer cannot hold a tuner forever; {@link #onEnded} tells its holder.
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
   * Returns the client key this lease was acquired with, if any; a later acquire with the same key of
   * another stream in the same playlist ends this lease (its reader then throws
   * {@link StreamSwitchedException}).
   *
   * @return the key, or empty for a lease acquired without one
   */
  default Optional<ClientKey> clientKey() {
    return Optional.empty();
  }

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
   * @throws StreamSwitchedException if the lease was ended by its client key's switch to another
   *     stream
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
   * Registers {@code callback} to run once when this lease ends, for whatever reason: closed by its
   * holder ({@link LeaseEnd.Reason#CLOSED}) or ended by the library (evicted by the stall sweep,
   * lapped, upstream given up on, registry closed). A holder that serves a viewer's connection
   * closes that connection here when {@link LeaseEnd.Reason#byLibrary()}: a viewer stuck in a socket
   * write does not notice the end otherwise.
   *
   * <p>The callback runs after the lease was released (its client no longer counts), on the thread
   * that ended the lease (a sweep, an upstream pump, the closing thread), outside any registry lock;
   * it must not block. A callback registered after the end runs at once, on the calling thread. Any
   * number may be registered; one that throws is logged and does not stop the others.
   *
   * @param callback what to run with the end
   * @throws NullPointerException if {@code callback} is {@code null}
   */
  void onEnded(java.util.function.Consumer<LeaseEnd> callback);

  /**
   * Releases the lease. The first call removes the client from its stream; if it was the stream's last
   * client, the stream stops (at once, or after the registry's stream grace period if a client may
   * rejoin) and frees its tuner. Idempotent: later calls, and calls after the lease was evicted or the
   * registry closed, change nothing. Never throws.
   */
  @Override
  void close();
}
