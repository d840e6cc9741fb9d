package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamReader#poll(ByteBuffer)} on the ring's reader: the same bytes, positions and skips as
 * {@link StreamReader#poll(byte[], int, int)}, whether the buffer is direct or heap, through the ring's
 * wrap-around, a join prefix, laps and the stuffing that finishes a torn packet.
 */
class BufferPollTest {

  private static final int P = TsPacketAligner.PACKET_SIZE;

  /** Packets whose payload bytes count up from {@code seed}, so any misplaced byte shows. */
  private static byte[] packets(int count, int seed) {
    byte[] bytes = new byte[count * P];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = i % P == 0 ? TsPacketAligner.SYNC_BYTE : (byte) (seed + i * 7);
    }
    return bytes;
  }

  /** Polls {@code len} bytes into a buffer at a non-zero position; returns them, checks the buffer moved. */
  private static byte[] pollBuffer(StreamReader reader, ByteBuffer buffer, int len) {
    buffer.clear().position(3).limit(3 + len);
    int n = reader.poll(buffer);
    assertThat(buffer.limit()).as("the limit is not touched").isEqualTo(3 + len);
    if (n <= 0) {
      assertThat(buffer.position()).as("nothing copied, position unchanged").isEqualTo(3);
      return new byte[Math.max(n, 0)];
    }
    assertThat(buffer.position()).as("the position moved past the copied bytes").isEqualTo(3 + n);
    byte[] got = new byte[n];
    buffer.get(3, got);
    return got;
  }

  @Test
  void directAndHeapBuffersReadExactlyWhatArraysReadAcrossWrapsPrefixLapsAndStuffing() {
    Random random = new Random(18);
    for (boolean direct : new boolean[] {true, false}) {
      for (int round = 0; round < 20; round++) {
        // A small ring (16 packets) and reads of any length: wraps, laps and torn packets all happen.
        BroadcastRing ring = new BroadcastRing("p1", "s1", 16 * P, SlowClientPolicy.SKIP, 4 * P, true);
        ring.write(packets(6, round), 0, 6 * P);
        byte[] prefix = round % 2 == 0 ? packets(2, 99) : null;
        StreamReader byArray = ring.newReaderAt(2L * P, prefix);
        StreamReader byBuffer = ring.newReaderAt(2L * P, prefix);
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(40 * P + 3) : ByteBuffer.allocate(40 * P + 3);
        ByteArrayOutputStream arrayOut = new ByteArrayOutputStream();
        ByteArrayOutputStream bufferOut = new ByteArrayOutputStream();
        byte[] dst = new byte[40 * P];
        for (int step = 0; step < 60; step++) {
          // Now and then more than the ring holds between two polls: the readers are lapped.
          int packets = random.nextInt(8) == 0 ? 17 + random.nextInt(8) : random.nextInt(12);
          ring.write(packets(packets, step), 0, packets * P);
          int len = random.nextInt(4) == 0 ? 1 + random.nextInt(P) : 1 + random.nextInt(40 * P);
          int n = byArray.poll(dst, 0, len);
          arrayOut.write(dst, 0, Math.max(n, 0));
          byte[] got = pollBuffer(byBuffer, buffer, len);
          bufferOut.write(got, 0, got.length);
          assertThat(got.length).as("round %d step %d: bytes of one poll", round, step).isEqualTo(Math.max(n, 0));
          assertThat(byBuffer.position()).isEqualTo(byArray.position());
          assertThat(byBuffer.skips()).isEqualTo(byArray.skips());
          assertThat(byBuffer.bytesRead()).isEqualTo(byArray.bytesRead());
        }
        assertThat(bufferOut.toByteArray()).as("round %d, direct %s", round, direct)
            .isEqualTo(arrayOut.toByteArray());
        assertThat(byArray.skips()).as("the ring lapped the readers in this round").isPositive();
      }
    }
  }

  @Test
  void theEndOfTheStreamIsMinusOneAfterTheLastBytes() {
    BroadcastRing ring = new BroadcastRing("p1", "s1", 16 * P, SlowClientPolicy.SKIP, 0, true);
    StreamReader reader = ring.newReader();
    ring.write(packets(2, 1), 0, 2 * P);
    ring.complete();
    ByteBuffer buffer = ByteBuffer.allocateDirect(4 * P);
    assertThat(reader.poll(buffer)).isEqualTo(2 * P);
    assertThat(reader.poll(buffer)).isEqualTo(-1);
    assertThat(buffer.position()).isEqualTo(2 * P);
  }

  @Test
  void aReadOnlyBufferIsRefusedAndConsumesNothing() {
    BroadcastRing ring = new BroadcastRing("p1", "s1", 16 * P, SlowClientPolicy.SKIP, 0, true);
    StreamReader reader = ring.newReader();
    ring.write(packets(2, 1), 0, 2 * P);
    assertThatThrownBy(() -> reader.poll(ByteBuffer.allocateDirect(P).asReadOnlyBuffer()))
        .isInstanceOf(ReadOnlyBufferException.class);
    assertThat(reader.position()).isZero();
    assertThat(reader.bytesRead()).isZero();
    assertThat(reader.poll(ByteBuffer.allocate(4 * P))).isEqualTo(2 * P);
  }

  @Test
  void aFullBufferGetsNothingAndAClosedReaderThrows() {
    BroadcastRing ring = new BroadcastRing("p1", "s1", 16 * P, SlowClientPolicy.SKIP, 0, true);
    StreamReader reader = ring.newReader();
    ring.write(packets(2, 1), 0, 2 * P);
    ByteBuffer full = ByteBuffer.allocateDirect(P);
    full.position(P);
    assertThat(reader.poll(full)).isZero();
    assertThat(reader.position()).isZero();
    reader.close();
    assertThatThrownBy(() -> reader.poll(ByteBuffer.allocateDirect(P)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'s1'").hasMessageContaining("'p1'");
  }

  /** Another implementation of the interface gets the default: through its array, or a temporary one. */
  @Test
  void theDefaultPollsThroughTheArrayOrATemporaryOne() {
    BroadcastRing ring = new BroadcastRing("p1", "s1", 16 * P, SlowClientPolicy.SKIP, 0, true);
    StreamReader inner = ring.newReader();
    StreamReader other = new ArrayOnlyReader(inner);
    byte[] data = packets(3, 5);
    ring.write(data, 0, data.length);
    ByteBuffer heap = ByteBuffer.allocate(2 * P + 10);
    heap.position(10);
    assertThat(other.poll(heap)).isEqualTo(2 * P);
    assertThat(heap.position()).isEqualTo(2 * P + 10);
    ByteBuffer direct = ByteBuffer.allocateDirect(4 * P);
    assertThat(other.poll(direct)).isEqualTo(P);
    byte[] got = new byte[3 * P];
    heap.get(10, got, 0, 2 * P);
    direct.get(0, got, 2 * P, P);
    assertThat(got).isEqualTo(data);
    assertThat(other.poll(direct)).isZero();
    assertThatThrownBy(() -> other.poll(ByteBuffer.allocate(P).asReadOnlyBuffer()))
        .isInstanceOf(ReadOnlyBufferException.class);
  }

  /** Implements only the array methods, as an embedder's own reader (a test double, say) would. */
  private static final class ArrayOnlyReader implements StreamReader {
    private final StreamReader inner;

    ArrayOnlyReader(StreamReader inner) {
      this.inner = inner;
    }

    @Override
    public int read(byte[] dst, int off, int len, Duration timeout) throws InterruptedException {
      return inner.read(dst, off, len, timeout);
    }

    @Override
    public int poll(byte[] dst, int off, int len) {
      return inner.poll(dst, off, len);
    }

    @Override
    public void onReadable(Runnable callback) {
      inner.onReadable(callback);
    }

    @Override
    public long position() {
      return inner.position();
    }

    @Override
    public long bytesRead() {
      return inner.bytesRead();
    }

    @Override
    public long skips() {
      return inner.skips();
    }

    @Override
    public boolean isClosed() {
      return inner.isClosed();
    }

    @Override
    public void close() {
      inner.close();
    }

    @Override
    public String playlistId() {
      return inner.playlistId();
    }

    @Override
    public String streamId() {
      return inner.streamId();
    }
  }
}
