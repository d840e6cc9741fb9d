package io.github.buffercore.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The floor server's channel: one thread reads the upstream into a direct byte ring, and the floor's
 * selector threads write slices of it to their sockets. One writer (the reader thread), many readers
 * that only read below {@link #written()}; a reader more than the ring behind is lapped.
 */
final class FloorRing implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FloorRing.class);
  /** The ring's size; a viewer this far behind (less a margin for the writer's next reads) is lapped. */
  static final int BYTES = 8 << 20;
  private static final int LAP_MARGIN = 1 << 20;

  private final ByteBuffer ring = ByteBuffer.allocateDirect(BYTES);
  /** Bytes written to the ring since the start; volatile: it publishes the ring's bytes below it. */
  private volatile long written;
  private volatile boolean closed;
  private final URI upstream;
  private final Thread reader;

  FloorRing(URI upstream) {
    this.upstream = upstream;
    this.reader = new Thread(this::readUpstream, "floor-upstream");
    reader.setDaemon(true);
  }

  void start() {
    reader.start();
  }

  /** Bytes the channel has delivered so far; the ring holds the last {@link #BYTES} of them. */
  long written() {
    return written;
  }

  /** A view of the ring for one selector thread, to be positioned by {@link #slice}. */
  ByteBuffer view() {
    return ring.duplicate();
  }

  /**
   * Points {@code first} and {@code second} (two of the caller's {@link #view()}s) at the channel's
   * bytes {@code [from, to)}, which wrap the ring's end at most once; false if {@code from} is lapped.
   */
  static boolean slice(ByteBuffer first, ByteBuffer second, long from, long to) {
    if (to - from > BYTES - LAP_MARGIN) {
      return false;
    }
    int start = (int) (from % BYTES);
    int length = (int) (to - from);
    int head = Math.min(length, BYTES - start);
    first.limit(start + head).position(start);
    second.limit(length - head).position(0);
    return true;
  }

  /** Stops the reader thread; waits up to 5 s for it (it reads in the upstream's 20 ms slices). */
  @Override
  public void close() {
    closed = true;
    reader.interrupt();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void readUpstream() {
    byte[] chunk = new byte[16 * 1024];
    while (!closed) {
      try (InputStream in = upstream.toURL().openStream()) {
        int n;
        while (!closed && (n = in.read(chunk)) > 0) {
          long at = written;
          int offset = (int) (at % BYTES);
          int first = Math.min(n, BYTES - offset);
          ring.put(offset, chunk, 0, first);
          ring.put(0, chunk, first, n - first);
          written = at + n;
        }
        if (!closed) {
          LOG.warn("Floor upstream {} ended; reconnecting", upstream);
        }
      } catch (IOException e) {
        if (closed) {
          return;
        }
        LOG.warn("Floor upstream {} failed; reconnecting in 1 s", upstream, e);
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }
}
