package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A reader created at a join point: the prefix first, then the ring from the point; the fallbacks. */
class RingJoinTest {

  private static final int P = TsPacketAligner.PACKET_SIZE;

  private static byte[] packets(int count, int firstMarker) {
    byte[] b = new byte[count * P];
    for (int i = 0; i < count; i++) {
      b[i * P] = TsPacketAligner.SYNC_BYTE;
      b[i * P + 4] = (byte) (firstMarker + i);
    }
    return b;
  }

  private static byte[] readAll(StreamReader reader, int len) {
    byte[] out = new byte[len];
    int got = 0;
    while (got < len) {
      int n = reader.poll(out, got, Math.min(100, len - got)); // small reads: the prefix spans several
      assertThat(n).as("readable after %d bytes", got).isPositive();
      got += n;
    }
    return out;
  }

  @Test
  void aReaderAtAPointGetsThePrefixThenTheRingFromThatPoint() {
    BroadcastRing ring = new BroadcastRing("p", "s", 64 * P, SlowClientPolicy.DISCONNECT, 0, true);
    ring.write(packets(10, 0), 0, 10 * P);
    byte[] prefix = packets(2, 100);
    StreamReader reader = ring.newReaderAt(4L * P, prefix);
    assertThat(reader.position()).isEqualTo(4L * P);
    byte[] got = readAll(reader, 2 * P + 6 * P);
    assertThat(Arrays.copyOf(got, 2 * P)).isEqualTo(prefix);
    assertThat(Arrays.copyOfRange(got, 2 * P, 8 * P)).isEqualTo(Arrays.copyOfRange(packets(10, 0), 4 * P, 10 * P));
    assertThat(reader.bytesRead()).isEqualTo(8L * P);
    assertThat(reader.poll(new byte[P], 0, P)).isZero();
  }

  @Test
  void aPointOverwrittenBeforeTheReaderStartsFallsBackToTheDefaultStartWithoutThePrefix() {
    BroadcastRing ring = new BroadcastRing("p", "s", 16 * P, SlowClientPolicy.DISCONNECT, 2 * P, true);
    ring.write(packets(40, 0), 0, 40 * P);
    int capacity = ring.capacity();
    long oldestIntact = 40L * P - capacity;
    StreamReader reader = ring.newReaderAt(P, packets(1, 100));
    assertThat(reader.position()).isEqualTo(40L * P - 2 * P).isGreaterThan(oldestIntact);
    byte[] got = readAll(reader, 2 * P);
    assertThat(got[4]).isEqualTo((byte) 38); // packet 38: no prefix (marker 100) first
  }

  @Test
  void aStartThatIsNoPacketBoundaryOrBeyondLiveIsRefused() {
    BroadcastRing ring = new BroadcastRing("p", "s", 64 * P, SlowClientPolicy.SKIP, 0, true);
    ring.write(packets(4, 0), 0, 4 * P);
    assertThatThrownBy(() -> ring.newReaderAt(P + 1, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'s'").hasMessageContaining("'p'");
    assertThatThrownBy(() -> ring.newReaderAt(5L * P, null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(ring.readerCount()).isZero();
  }

  @Test
  void theOldestFallbackStartsAtTheOldestIntactPacket() {
    BroadcastRing ring = new BroadcastRing("p", "s", 16 * P, SlowClientPolicy.SKIP, 0, true);
    ring.write(packets(40, 0), 0, 40 * P);
    StreamReader reader = ring.newOldestReader();
    long oldest = 40L * P - ring.capacity();
    long expected = (oldest + P - 1) / P * P;
    assertThat(reader.position()).isEqualTo(expected);
    assertThat(readAll(reader, P)[0]).isEqualTo(TsPacketAligner.SYNC_BYTE);
  }
}
