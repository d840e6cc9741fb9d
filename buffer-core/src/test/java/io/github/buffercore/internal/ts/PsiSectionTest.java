package io.github.buffercore.internal.ts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link PsiSection} and {@link ProgramTables} on hand-built tables: sections that span packets, two
 * sections in one packet, version changes, a PAT that moves the PMT, a bad CRC, a lost packet.
 */
class PsiSectionTest {

  private static final int PACKET = TsPackets.PACKET_SIZE;

  /** A PAT section naming one program and its PMT PID. */
  static byte[] pat(int version, int pmtPid) {
    return section(0x00, 1, version, new byte[] {0, 1, (byte) (0xE0 | pmtPid >> 8), (byte) pmtPid});
  }

  /** A PMT: PCR and video of {@code type} on {@code videoPid}, AAC on 0x101, padding descriptors. */
  static byte[] pmt(int version, int type, int videoPid, int descriptorBytes) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(0xE0 | videoPid >> 8);
    body.write(videoPid);
    body.write(0xF0 | descriptorBytes >> 8); // program_info_length
    body.write(descriptorBytes);
    for (int i = 0; i < descriptorBytes; i += 2) {
      body.write(0x80); // a user-private descriptor
      body.write(0);
    }
    body.writeBytes(new byte[] {0x0F, (byte) 0xE1, 0x01, (byte) 0xF0, 0x00}); // AAC first: the video is found anyway
    body.writeBytes(new byte[] {(byte) type, (byte) (0xE0 | videoPid >> 8), (byte) videoPid, (byte) 0xF0, 0x00});
    return section(0x02, 1, version, body.toByteArray());
  }

  static byte[] section(int tableId, int idExtension, int version, byte[] body) {
    int length = 5 + body.length + 4; // section_length counts from after itself
    byte[] s = new byte[3 + length];
    s[0] = (byte) tableId;
    s[1] = (byte) (0xB0 | length >> 8);
    s[2] = (byte) length;
    s[3] = (byte) (idExtension >> 8);
    s[4] = (byte) idExtension;
    s[5] = (byte) (0xC1 | (version & 0x1F) << 1);
    s[6] = 0;
    s[7] = 0;
    System.arraycopy(body, 0, s, 8, body.length);
    int crc = Crc32Mpeg2.compute(s, 0, s.length - 4);
    s[s.length - 4] = (byte) (crc >>> 24);
    s[s.length - 3] = (byte) (crc >>> 16);
    s[s.length - 2] = (byte) (crc >>> 8);
    s[s.length - 1] = (byte) crc;
    return s;
  }

  static byte[] packets(byte[] section, int pid, int lastCc) {
    byte[] out = new byte[PsiSection.packetCount(section.length) * PACKET];
    PsiSection.packetize(section, section.length, pid, lastCc, out, 0);
    return out;
  }

  private static boolean feedAll(ProgramTables tables, byte[] ts) {
    boolean changed = false;
    for (int o = 0; o < ts.length; o += PACKET) {
      changed |= tables.feed(ts, o, TsPackets.pid(ts, o));
    }
    return changed;
  }

  @Test
  void theCrcOfAValidSectionChecksToZero() {
    byte[] s = pat(0, 0x1000);
    assertThat(Crc32Mpeg2.compute(s, 0, s.length)).isZero();
    // The well-known CRC-32/MPEG-2 check value of "123456789".
    assertThat(Crc32Mpeg2.compute("123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 9))
        .isEqualTo(0x0376E6E7);
  }

  @Test
  void aPmtSpanningThreePacketsIsReassembled() {
    byte[] pmt = pmt(0, ProgramTables.STREAM_TYPE_H265, 0x200, 400);
    byte[] pmtPackets = packets(pmt, 0x1000, 2);
    assertThat(pmtPackets.length).isEqualTo(3 * PACKET);
    ProgramTables tables = new ProgramTables();
    assertThat(feedAll(tables, packets(pat(0, 0x1000), 0, 0))).isTrue();
    assertThat(tables.pmtPid()).isEqualTo(0x1000);
    assertThat(feedAll(tables, pmtPackets)).isTrue();
    assertThat(tables.complete()).isTrue();
    assertThat(tables.videoPid()).isEqualTo(0x200);
    assertThat(tables.videoStreamType()).isEqualTo(ProgramTables.STREAM_TYPE_H265);
    assertThat(tables.pcrPid()).isEqualTo(0x200);
    assertThat(tables.pmt().length()).isEqualTo(pmt.length);
    // The same section again is no change.
    assertThat(feedAll(tables, packets(pmt, 0x1000, 5))).isFalse();
  }

  @Test
  void aNewVersionReplacesTheTableAndAMovedPmtIsFollowed() {
    ProgramTables tables = new ProgramTables();
    feedAll(tables, TsTestMedia.concat(packets(pat(0, 0x1000), 0, 0), packets(pmt(0, 0x1B, 0x100, 0), 0x1000, 0)));
    assertThat(tables.videoPid()).isEqualTo(0x100);
    assertThat(feedAll(tables, packets(pmt(1, 0x24, 0x300, 0), 0x1000, 1))).isTrue();
    assertThat(tables.pmt().version()).isEqualTo(1);
    assertThat(tables.videoPid()).isEqualTo(0x300);
    assertThat(tables.videoStreamType()).isEqualTo(0x24);

    assertThat(feedAll(tables, packets(pat(1, 0x1100), 0, 1))).isTrue();
    assertThat(tables.pmtPid()).isEqualTo(0x1100);
    assertThat(tables.complete()).isFalse();
    assertThat(feedAll(tables, packets(pmt(2, 0x1B, 0x101, 0), 0x1000, 2))).as("the old PMT PID").isFalse();
    assertThat(feedAll(tables, packets(pmt(0, 0x1B, 0x102, 0), 0x1100, 0))).isTrue();
    assertThat(tables.videoPid()).isEqualTo(0x102);
  }

  @Test
  void aCorruptSectionIsIgnored() {
    ProgramTables tables = new ProgramTables();
    feedAll(tables, TsTestMedia.concat(packets(pat(0, 0x1000), 0, 0), packets(pmt(0, 0x1B, 0x100, 0), 0x1000, 0)));
    byte[] bad = packets(pmt(1, 0x24, 0x300, 0), 0x1000, 1);
    bad[20] ^= 0x01;
    assertThat(feedAll(tables, bad)).isFalse();
    assertThat(tables.pmt().crcErrors()).isEqualTo(1);
    assertThat(tables.videoPid()).isEqualTo(0x100);
  }

  @Test
  void aLostPacketAbandonsTheSectionAndTheNextCopyIsTaken() {
    ProgramTables tables = new ProgramTables();
    feedAll(tables, packets(pat(0, 0x1000), 0, 0));
    byte[] pmt = packets(pmt(0, 0x1B, 0x100, 400), 0x1000, 2); // counters 0, 1, 2
    byte[] withoutMiddle = TsTestMedia.concat(Arrays.copyOfRange(pmt, 0, PACKET),
        Arrays.copyOfRange(pmt, 2 * PACKET, 3 * PACKET));
    assertThat(feedAll(tables, withoutMiddle)).isFalse();
    assertThat(tables.complete()).isFalse();
    assertThat(feedAll(tables, packets(pmt(0, 0x1B, 0x100, 400), 0x1000, 5))).isTrue();
    assertThat(tables.videoPid()).isEqualTo(0x100);
  }

  @Test
  void twoSectionsInOnePacketAndASectionEndingAfterThePointerField() {
    // Packet 1 starts a long PMT v0; packet 2 finishes it (bytes before its pointer) and holds PMT v1 whole.
    byte[] v0 = pmt(0, 0x1B, 0x100, 200);
    byte[] v1 = pmt(1, 0x24, 0x300, 0);
    byte[] p = new byte[2 * PACKET];
    Arrays.fill(p, (byte) 0xFF);
    header(p, 0, 0x1000, true, 0);
    p[4] = 0; // pointer_field
    int first = PACKET - 5;
    System.arraycopy(v0, 0, p, 5, first);
    header(p, PACKET, 0x1000, true, 1);
    int rest = v0.length - first;
    p[PACKET + 4] = (byte) rest;
    System.arraycopy(v0, first, p, PACKET + 5, rest);
    System.arraycopy(v1, 0, p, PACKET + 5 + rest, v1.length);

    PsiSection section = new PsiSection(0x02);
    assertThat(section.feed(p, 0)).isFalse();
    assertThat(section.feed(p, PACKET)).isTrue();
    assertThat(section.version()).isEqualTo(1);
    assertThat(section.length()).isEqualTo(v1.length);
  }

  private static void header(byte[] b, int o, int pid, boolean start, int cc) {
    b[o] = 0x47;
    b[o + 1] = (byte) ((start ? 0x40 : 0) | pid >> 8);
    b[o + 2] = (byte) pid;
    b[o + 3] = (byte) (0x10 | cc);
  }

  @Test
  void headerWithContinuityEndsEachTableAtTheGivenCounter() {
    byte[] ts = TsTestMedia.concat(packets(pat(0, 0x1000), 0, 0), packets(pmt(0, 0x1B, 0x100, 400), 0x1000, 0));
    TsAnalyser analyser = new TsAnalyser("pl", "st", (p, t, c, h) -> { });
    analyser.packets(ts, 0, ts.length, 0);
    byte[] header = analyser.header();
    assertThat(header).hasSize(4 * PACKET);
    byte[] copy = TsAnalyser.headerWithContinuity(header, TsAnalyser.packContinuity(7, 1));
    assertThat(TsPackets.continuityCounter(copy, 0)).isEqualTo(7);
    assertThat(TsPackets.continuityCounter(copy, PACKET)).isEqualTo(15);
    assertThat(TsPackets.continuityCounter(copy, 2 * PACKET)).isEqualTo(0);
    assertThat(TsPackets.continuityCounter(copy, 3 * PACKET)).isEqualTo(1);
    assertThat(analyser.header()).as("the shared header is not modified").isEqualTo(header);
  }
}
