package io.github.buffercore.stress.scenario;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.internal.BroadcastRing;

/**
 * The single-writer, many-reader ring a ring scenario drives: the real {@link BroadcastRing}, or a
 * broken variant in {@code io.github.buffercore.stress.broken} that the same scenario must catch.
 */
public interface RingUnderTest {

  /** Writer side: publishes {@code len} bytes. */
  void write(byte[] src, int off, int len);

  /** A new reader, starting where the ring's policy says. */
  StreamReader newReader();

  /** Builds a ring of {@code capacity} bytes (not MPEG-TS, readers start at the live edge). */
  @FunctionalInterface
  interface Factory {
    /** The real ring. */
    Factory REAL = (capacity, policy) -> {
      BroadcastRing ring = new BroadcastRing("stress", "ring", capacity, policy, 0, false);
      return new RingUnderTest() {
        @Override
        public void write(byte[] src, int off, int len) {
          ring.write(src, off, len);
        }

        @Override
        public StreamReader newReader() {
          return ring.newReader();
        }
      };
    };

    /**
     * Builds a ring.
     *
     * @param capacity capacity in bytes, a power of two
     * @param policy what happens to a lapped reader
     * @return a new ring
     */
    RingUnderTest create(int capacity, SlowClientPolicy policy);
  }
}
