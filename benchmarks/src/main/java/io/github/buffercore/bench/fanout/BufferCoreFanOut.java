package io.github.buffercore.bench.fanout;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.internal.BroadcastRing;

/**
 * The implementation under test: buffer-core's {@link BroadcastRing} (MPEG-TS mode, {@link
 * SlowClientPolicy#SKIP}, readers start at the live edge), one {@link StreamReader} per reader polled
 * with {@link StreamReader#poll} into the reader's destination array.
 */
final class BufferCoreFanOut implements FanOut {

  private final BroadcastRing ring;
  private final StreamReader[] readers;
  private final byte[][] destinations;
  private long laps;

  BufferCoreFanOut(int readers, int capacityBytes, int chunkBytes) {
    this.ring = new BroadcastRing("bench", "fanout", capacityBytes, SlowClientPolicy.SKIP, 0, true);
    this.readers = new StreamReader[readers];
    this.destinations = new byte[readers][chunkBytes];
    for (int i = 0; i < readers; i++) {
      this.readers[i] = ring.newReader();
    }
  }

  @Override
  public void write(byte[] chunk) {
    ring.write(chunk, 0, chunk.length);
  }

  @Override
  public int poll(int reader) {
    StreamReader r = readers[reader];
    byte[] dst = destinations[reader];
    long skipsBefore = r.skips(); // a volatile load of a field only this thread writes
    int n = r.poll(dst, 0, dst.length);
    if (r.skips() != skipsBefore) {
      laps++;
    }
    return Math.max(n, 0);
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

  @Override
  public void close() {
    for (StreamReader r : readers) {
      r.close();
    }
  }
}
