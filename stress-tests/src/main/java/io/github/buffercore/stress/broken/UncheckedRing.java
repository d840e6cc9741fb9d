package io.github.buffercore.stress.broken;

import io.github.buffercore.StreamReader;
import io.github.buffercore.stress.scenario.RingUnderTest;
import java.time.Duration;

/**
 * A broken stream buffer: the ring of {@link io.github.buffercore.internal.BroadcastRing} without its
 * sequence check. The writer publishes the tail after storing the bytes, so nothing is ever read
 * before it was written, but the reader never asks whether the writer has since lapped it: it copies
 * whatever the slots hold now. This is the "fast clients delete segments slow clients still need"
 * bug of a folder of segments, in memory.
 */
public final class UncheckedRing implements RingUnderTest {

  private final byte[] buffer;
  private final int mask;
  private volatile long tail;

  /**
   * Creates the ring.
   *
   * @param capacity a power of two
   */
  public UncheckedRing(int capacity) {
    buffer = new byte[capacity];
    mask = capacity - 1;
  }

  @Override
  public void write(byte[] src, int off, int len) {
    long start = tail;
    for (int i = 0; i < len; i++) {
      buffer[(int) ((start + i) & mask)] = src[off + i];
    }
    tail = start + len; // volatile: publishes the bytes above
  }

  @Override
  public StreamReader newReader() {
    long start = tail;
    return new StreamReader() {
      private long position = start;

      @Override
      public int poll(byte[] dst, int off, int len) {
        long available = tail;
        int n = (int) Math.min(available - position, len);
        for (int i = 0; i < n; i++) {
          dst[off + i] = buffer[(int) ((position + i) & mask)]; // no check that the slot is still ours
        }
        position += Math.max(n, 0);
        return Math.max(n, 0);
      }

      @Override
      public int read(byte[] dst, int off, int len, Duration timeout) {
        return poll(dst, off, len);
      }

      @Override
      public void onReadable(Runnable callback) {
        callback.run();
      }

      @Override
      public long position() {
        return position;
      }

      @Override
      public long bytesRead() {
        return position - start;
      }

      @Override
      public long skips() {
        return 0;
      }

      @Override
      public boolean isClosed() {
        return false;
      }

      @Override
      public void close() {
      }

      @Override
      public String playlistId() {
        return "stress";
      }

      @Override
      public String streamId() {
        return "ring";
      }
    };
  }
}
