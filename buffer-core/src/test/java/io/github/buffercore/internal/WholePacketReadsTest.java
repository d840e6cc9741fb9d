package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** In MPEG-TS mode a reader only ever receives whole 188-byte packets, also across a skip. */
class WholePacketReadsTest {

  private static final int PACKET = TsPacketAligner.PACKET_SIZE;

  private static byte[] packets(int first, int count) {
    byte[] bytes = new byte[count * PACKET];
    for (int i = 0; i < count; i++) {
      bytes[i * PACKET] = TsPacketAligner.SYNC_BYTE;
      for (int j = 1; j < PACKET; j++) {
        bytes[i * PACKET + j] = (byte) (first + i);
      }
    }
    return bytes;
  }

  private static BroadcastRing ring() {
    return new BroadcastRing("p1", "s1", 1024, SlowClientPolicy.SKIP, 512, true);
  }

  @Test
  void readsEndOnPacketBoundariesWhenTheBufferAllows() {
    BroadcastRing ring = ring();
    StreamReader reader = ring.newReader();
    ring.write(packets(0, 3), 0, 3 * PACKET);
    byte[] dst = new byte[300];
    assertThat(reader.poll(dst, 0, 300)).isEqualTo(PACKET); // not 300: that would end mid-packet
    assertThat(reader.poll(dst, 0, 100)).isEqualTo(100); // a buffer smaller than a packet gets part
    // The next read ends on the boundary after the rest of that packet and one whole packet.
    assertThat(reader.poll(dst, 0, 300)).isEqualTo(PACKET - 100 + PACKET);
    assertThat(reader.position() % PACKET).isZero();
  }

  @Test
  void aSkipFinishesThePacketTheViewerHadBegunWithStuffing() {
    BroadcastRing ring = ring();
    StreamReader reader = ring.newReader();
    ring.write(packets(0, 2), 0, 2 * PACKET);
    ByteArrayOutputStream viewer = new ByteArrayOutputStream();
    byte[] small = new byte[100];
    viewer.write(small, 0, reader.poll(small, 0, small.length)); // begins packet 0
    ring.write(packets(2, 10), 0, 10 * PACKET); // 1880 bytes into 1024: packet 0 is overwritten
    byte[] big = new byte[4096];
    for (int n = reader.poll(big, 0, big.length); n > 0; n = reader.poll(big, 0, big.length)) {
      viewer.write(big, 0, n);
    }
    assertThat(reader.skips()).isEqualTo(1);
    byte[] out = viewer.toByteArray();
    assertThat(out.length % PACKET).as("the viewer's output is whole packets").isZero();
    assertThat(out.length).isGreaterThan(PACKET);
    for (int i = 0; i < out.length; i += PACKET) {
      assertThat(out[i]).as("sync byte of packet %d of the viewer's output", i / PACKET)
          .isEqualTo(TsPacketAligner.SYNC_BYTE);
    }
    assertThat(out[100]).as("the lost rest of packet 0 is stuffing").isEqualTo((byte) 0xFF);
    assertThat(out[PACKET + 1]).as("after it, a whole packet from the ring").isNotEqualTo((byte) 0xFF);
  }
}
