package io.github.buffercore.stress.scenario;

import io.github.buffercore.SlowClientException;
import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A 16-byte ring, a reader created at position 0, and a writer that publishes four 8-byte chunks:
 * chunk {@code k} (positions {@code 8k .. 8k+7}) is filled with the value {@code k + 1}, so the value a
 * byte must have follows from its absolute position alone. The third and fourth chunks overwrite the
 * first and second while the reader may be copying them.
 *
 * <p>Every other scenario polls into a {@link ByteBuffer} ({@link StreamReader#poll(ByteBuffer)}), the
 * rest into an array, so both of the reader's copy paths race the writer in every run.
 *
 * <p>A read is <em>consistent</em> if every byte it returned equals {@code position / 8 + 1} for the
 * absolute position it was returned for; anything else is a torn or overwritten read.
 */
public final class RingScenario {

  /** Result code of a read that returned bytes from the wrong chunk. */
  public static final int TORN = -1;
  /** Result code of a read that threw {@link SlowClientException}: the lap was detected. */
  public static final int LAPPED = -2;

  static final int CAPACITY = 16;
  static final int CHUNK = 8;
  static final int CHUNKS = 4;

  /** Scenarios created so far: the odd ones poll into a buffer. */
  private static final AtomicInteger CREATED = new AtomicInteger();

  private final RingUnderTest ring;
  /** This scenario's destination when it polls into a buffer, else {@code null}. */
  private final ByteBuffer buffer;
  private final StreamReader reader;
  private final byte[][] chunks = new byte[CHUNKS][CHUNK];

  /**
   * Creates the scenario.
   *
   * @param factory the ring implementation
   * @param policy what the ring does with a lapped reader
   */
  public RingScenario(RingUnderTest.Factory factory, SlowClientPolicy policy) {
    ring = factory.create(CAPACITY, policy);
    reader = ring.newReader();
    buffer = (CREATED.getAndIncrement() & 1) == 1 ? ByteBuffer.allocate(CHUNK) : null;
    for (int k = 0; k < CHUNKS; k++) {
      java.util.Arrays.fill(chunks[k], (byte) (k + 1));
    }
  }

  /** Actor: the writer publishes all four chunks, wrapping the ring twice. */
  public void write() {
    for (byte[] chunk : chunks) {
      ring.write(chunk, 0, CHUNK);
    }
  }

  /**
   * One poll of up to one chunk (into an array or a buffer), checked against the absolute positions it
   * covered.
   *
   * @return the number of bytes read (0 if none yet), {@link #TORN} or {@link #LAPPED}
   */
  public int readOnce() {
    byte[] dst = new byte[CHUNK];
    int n;
    try {
      if (buffer == null) {
        n = reader.poll(dst, 0, CHUNK);
      } else {
        n = reader.poll(buffer.clear());
        buffer.flip().get(dst, 0, Math.max(n, 0));
      }
    } catch (SlowClientException lapped) {
      return LAPPED;
    }
    if (n <= 0) {
      return n;
    }
    long start = reader.position() - n;
    for (int i = 0; i < n; i++) {
      if (dst[i] != (byte) ((start + i) / CHUNK + 1)) {
        return TORN;
      }
    }
    return n;
  }

  /** The reader's skip count (laps handled by moving forward). */
  public long skips() {
    return reader.skips();
  }
}
