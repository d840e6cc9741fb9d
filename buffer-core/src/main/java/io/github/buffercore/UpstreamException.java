package io.github.buffercore;

import java.io.EOFException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Delivered to every reader of a stream when its upstream fails for good: the connection could not
 * be opened, it answered with an HTTP status of 400 or more, it ended, or it sent no data within the
 * start timeout, after every reconnect attempt and backup URL was tried. The {@linkplain #getCause()
 * cause} is the last underlying failure, if there was one; {@link #reason()} says which kind of
 * failure it was, so an HTTP edge can answer {@code 502} or {@code 504} without reading messages. The
 * stream's tuner is freed before any reader sees this exception.
 */
public final class UpstreamException extends BufferCoreException {

  private static final long serialVersionUID = 1L;

  /** What kind of failure ended the upstream; kept for the accessor and the serialized form. */
  private final Reason reason;
  /** How many attempts were made before giving up; kept for the accessor and the serialized form. */
  private final int attempts;

  /** What kind of failure ended an upstream. */
  public enum Reason {
    /** The connection was refused, or the host or its route was unknown or unreachable. */
    UNREACHABLE,
    /** The upstream answered, with an error status ({@link UpstreamStatusException}). */
    ERROR_STATUS,
    /** Connecting, the response headers or the first byte took longer than allowed. */
    TIMEOUT,
    /** The connection ended or broke (before its first byte, or after data with no reconnect left). */
    ENDED,
    /** The stream's tuner slot was lost (a shared tuner pool took it back). */
    SLOT_LOST,
    /** The library could not run the upstream at all (its pump thread could not start or failed). */
    INTERNAL;

    /**
     * Classifies a failure by the types in its cause chain (and the exceptions suppressed in it): a
     * status exception, then a timeout ({@link InterruptedIOException}, which includes socket
     * timeouts and the library's start timeout), then an unreachable host; anything else, an
     * {@link EOFException} included, is {@link #ENDED}.
     *
     * @param failure the last failure of the upstream, or {@code null}
     * @return the reason
     */
    public static Reason of(Throwable failure) {
      Set<Throwable> chain = Collections.newSetFromMap(new IdentityHashMap<>());
      collect(failure, chain);
      for (Throwable t : chain) {
        if (t instanceof UpstreamStatusException) {
          return ERROR_STATUS;
        }
      }
      for (Throwable t : chain) {
        if (t instanceof HttpTimeoutException || t instanceof TimeoutException
            || t instanceof InterruptedIOException) {
          return TIMEOUT; // SocketTimeoutException and the pump's start timeout are InterruptedIOExceptions
        }
      }
      for (Throwable t : chain) {
        if (t instanceof ConnectException || t instanceof UnknownHostException
            || t instanceof NoRouteToHostException || t instanceof PortUnreachableException) {
          return UNREACHABLE;
        }
      }
      return ENDED; // an EOFException, a reset, or no cause at all
    }

    private static void collect(Throwable t, Set<Throwable> seen) {
      while (t != null && seen.size() < 64 && seen.add(t)) {
        for (Throwable suppressed : t.getSuppressed()) {
          collect(suppressed, seen);
        }
        t = t.getCause();
      }
    }
  }

  /**
   * Creates the exception; the reason is classified from {@code cause} ({@link Reason#of}), one attempt.
   *
   * @param playlistId the playlist of the stream
   * @param streamId the stream whose upstream failed
   * @param message what failed, in words a viewer's log can show
   * @param cause the underlying failure, or {@code null}
   */
  public UpstreamException(String playlistId, String streamId, String message, Throwable cause) {
    this(playlistId, streamId, Reason.of(cause), 1, message, cause);
  }

  /**
   * Creates the exception.
   *
   * @param playlistId the playlist of the stream
   * @param streamId the stream whose upstream failed
   * @param reason what kind of failure it was
   * @param attempts how many attempts were made, at least 1 ({@code 0} if none could be made)
   * @param message what failed, in words a viewer's log can show
   * @param cause the underlying failure, or {@code null}
   * @throws IllegalArgumentException if {@code attempts} is negative
   */
  public UpstreamException(String playlistId, String streamId, Reason reason, int attempts, String message,
      Throwable cause) {
    super("Upstream of stream '" + streamId + "' in playlist '" + playlistId + "' failed: " + message,
        playlistId, streamId, cause);
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must not be negative but was " + attempts);
    }
    this.reason = Objects.requireNonNull(reason, "reason");
    this.attempts = attempts;
  }

  /**
   * Returns what kind of failure ended the upstream.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * Returns how many attempts (connections tried, over every URL) were made before giving up.
   *
   * @return the attempt count; {@code 0} if none could be made
   */
  public int attempts() {
    return attempts;
  }
}
