package io.github.buffercore.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TsClipTest {

  /** {@code packets} null packets on PID 0x100, every {@code pcrEvery}-th carrying a PCR for {@code rate} B/s. */
  static byte[] clip(int packets, int pcrEvery, double rate) {
    byte[] bytes = new byte[packets * TsClip.PACKET];
    for (int p = 0; p < packets; p++) {
      int o = p * TsClip.PACKET;
      bytes[o] = 0x47;
      bytes[o + 1] = 0x01;
      bytes[o + 2] = 0x00;
      if (p % pcrEvery == 0) {
        bytes[o + 3] = 0x30; // adaptation field + payload
        bytes[o + 4] = 7;
        bytes[o + 5] = 0x10; // PCR flag
        long pcr = Math.round((double) o / rate * 27_000_000);
        long base = pcr / 300;
        long ext = pcr % 300;
        bytes[o + 6] = (byte) (base >>> 25);
        bytes[o + 7] = (byte) (base >>> 17);
        bytes[o + 8] = (byte) (base >>> 9);
        bytes[o + 9] = (byte) (base >>> 1);
        bytes[o + 10] = (byte) (((base & 1) << 7) | 0x7e | (ext >>> 8));
        bytes[o + 11] = (byte) ext;
      } else {
        bytes[o + 3] = 0x10; // payload only
      }
    }
    return bytes;
  }

  @Test
  void measuresTheRateFromPcrs() {
    TsClip clip = TsClip.of("synthetic", clip(1_000, 10, 50_000));

    assertThat(clip.bytesPerSecond()).isCloseTo(50_000, org.assertj.core.data.Offset.offset(1.0));
    assertThat(clip.seconds()).isCloseTo(1_000 * 188 / 50_000.0, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void rejectsAPartialPacket() {
    byte[] bytes = Arrays.copyOf(clip(10, 2, 50_000), 10 * 188 - 1);

    assertThatThrownBy(() -> TsClip.of("cut", bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cut").hasMessageContaining("1879 bytes");
  }

  @Test
  void rejectsLostSyncNamingTheOffset() {
    byte[] bytes = clip(10, 2, 50_000);
    bytes[3 * 188] = 0;

    assertThatThrownBy(() -> TsClip.of("broken", bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("broken").hasMessageContaining("byte 564");
  }

  @Test
  void rejectsAClipWithoutTwoPcrs() {
    byte[] bytes = clip(10, 100, 50_000);

    assertThatThrownBy(() -> TsClip.of("one-pcr", bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one-pcr").hasMessageContaining("fewer than two");
  }
}
