package io.github.buffercore.bench.fanout;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor: the same memory traffic as a broadcast ring with no coordination beyond publishing the
 * tail. The writer copies the chunk into a plain array of the shared capacity and release-stores the
 * tail; each reader copies from that array into its destination with {@code System.arraycopy}, and
 * when it is more than the capacity behind it jumps to the live edge (a lap). No validation: a reader
 * racing the writer may copy torn bytes, which no real implementation may do.
 */
final class ArrayCopyFanOut implements FanOut {

  private final byte[] ring;
  private final int capacity;
  private final int mask;
  private final AtomicLong tail = new AtomicLong();
  private final long[] positions;
  private final byte[][] destinations;
  private long laps;

  ArrayCopyFanOut(int readers, int capacityBytes, int chunkBytes) {
    if (Integer.bitCount(capacityBytes) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacityBytes);
    }
    this.ring = new byte[capacityBytes];
    this.capacity = capacityBytes;
    this.mask = capacityBytes - 1;
    this.positions = new long[readers];
    this.destinations = new byte[readers][chunkBytes];
  }

  @Override
  public void write(byte[] chunk) {
    long t = tail.getPlain(); // only the writer stores it
    int index = (int) (t & mask);
    int first = Math.min(chunk.length, capacity - index);
    System.arraycopy(chunk, 0, ring, index, first);
    if (chunk.length > first) {
      System.arraycopy(chunk, first, ring, 0, chunk.length - first);
    }
    tail.setRelease(t + chunk.length);
  }

  @Override
  public int poll(int reader) {
    long pos = positions[reader];
    long t = tail.getAcquire();
    if (t - pos > capacity) {
      positions[reader] = t;
      laps++;
      return 0;
    }
    byte[] dst = destinations[reader];
    int n = (int) Math.min(t - pos, dst.length);
    if (n == 0) {
      return 0;
    }
    int index = (int) (pos & mask);
    int first = Math.min(n, capacity - index);
    System.arraycopy(ring, index, dst, 0, first);
    if (n > first) {
      System.arraycopy(ring, 0, dst, first, n - first);
    }
    positions[reader] = pos + n;
    return n;
  }

  @Override
  public byte[] destination(int reader) {
    return destinations[reader];
  }

  @Override
  public long laps() {
    return laps;
  }

  @Override
  public long drops() {
    return 0;
  }
}
