package io.github.buffercore.internal.hls;

import io.github.buffercore.UpstreamConnection;

/**
 * The HTTP body an {@link HlsConnection} is reading, handed between its reader thread and a
 * {@link #close()} from any other thread. Keeps the {@code HlsBodyClosed} invariant of the package
 * documentation: once {@code close()} and a {@link #publish} of the same slot have both returned, the
 * published body is closed, whichever ran first.
 *
 * <p>Why it holds: {@code publish} writes the body, then reads the flag; {@code close} writes the
 * flag, then reads the body; both fields are volatile, so at least one of the two sees the other's
 * write and closes the body ({@link UpstreamConnection#close()} is idempotent, so both may).
 */
public final class BodySlot {

  private volatile boolean closed;
  private volatile UpstreamConnection body;

  /**
   * Publishes the body the reader is about to read. Reader thread only.
   *
   * @param b the body
   * @return {@code true} if the slot is open; {@code false} if it was closed, in which case
   *     {@code b} has been closed
   */
  public boolean publish(UpstreamConnection b) {
    body = b;
    if (closed) {
      b.close();
      return false;
    }
    return true;
  }

  /**
   * Forgets {@code b} (already closed by the reader) if it is the published body. Reader thread only.
   *
   * @param b the body the reader is done with
   */
  public void clear(UpstreamConnection b) {
    if (body == b) {
      body = null;
    }
  }

  /**
   * Returns the published body, or {@code null}. Reader thread only.
   *
   * @return the body
   */
  public UpstreamConnection body() {
    return body;
  }

  /**
   * Returns whether {@link #close()} was called.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Closes the slot and the published body, if any. Any thread; idempotent.
   *
   * @return {@code true} for the call that closed the slot, {@code false} if it was already closed
   */
  public boolean close() {
    if (closed) {
      return false;
    }
    closed = true;
    UpstreamConnection b = body;
    if (b != null) {
      b.close();
    }
    return true;
  }
}
