package io.github.buffercore.stress.broken;

import io.github.buffercore.UpstreamConnection;

/**
 * A broken {@link io.github.buffercore.internal.hls.BodySlot}: the reader checks the close flag and
 * then publishes the body, the natural-looking "if closed, give up" order. A {@code close()} between
 * the check and the store finds no body, and the reader, past its check, keeps a body nobody closes.
 */
public final class CheckThenPublishSlot {

  private volatile boolean closed;
  private volatile UpstreamConnection body;

  /** Returns false (and closes {@code b}) if closed; publishes {@code b} otherwise. */
  public boolean publish(UpstreamConnection b) {
    if (closed) {
      b.close();
      return false;
    }
    body = b;
    return true;
  }

  /** Sets the flag and closes the published body, if any. */
  public void close() {
    closed = true;
    UpstreamConnection b = body;
    if (b != null) {
      b.close();
    }
  }
}
