package io.github.buffercore.internal.ts;

import java.util.Arrays;

/**
 * The table-version part of a clean splice (split out of {@link TsSplicer}): decoders ignore a PAT or
 * PMT whose {@code version_number} did not change, so a table whose content changed across a splice
 * but kept its version gets the next version (and a recomputed CRC) in the copies the splicer sends.
 * Stateless; allocates nothing.
 */
final class TableVersions {

  private static final int PACKET = TsPackets.PACKET_SIZE;

  private TableVersions() {}

  /** Copies a complete section (kept to compare the next source's table with). */
  static int copy(PsiSection section, byte[] into) {
    System.arraycopy(section.bytes(), 0, into, 0, section.length());
    return section.length();
  }

  /** {@code from << 8 | to} if the table changed but kept its version, else -1. */
  static int rewriteFor(PsiSection now, byte[] before, int beforeLength) {
    if (beforeLength == 0) {
      return -1;
    }
    int version = now.version();
    int previousVersion = (before[5] >> 1) & 0x1F;
    if (version != previousVersion
        || Arrays.equals(now.bytes(), 0, now.length(), before, 0, beforeLength)) {
      return -1;
    }
    return version << 8 | ((version + 1) & 0x1F);
  }

  /** Rewrites the version of a table section that starts and ends in this packet, and its CRC. */
  static void rewrite(byte[] b, int o, int rewrite) {
    if (rewrite < 0 || !TsPackets.payloadUnitStart(b, o)) {
      return;
    }
    int payload = TsPackets.payloadOffset(b, o);
    if (payload < 0) {
      return;
    }
    int s = o + payload + 1 + (b[o + payload] & 0xFF);
    if (s + 8 > o + PACKET) {
      return;
    }
    int length = 3 + (((b[s + 1] & 0x0F) << 8) | (b[s + 2] & 0xFF));
    if (s + length > o + PACKET || ((b[s + 5] >> 1) & 0x1F) != rewrite >> 8) {
      return; // spans packets, or another version: left as the source sent it
    }
    b[s + 5] = (byte) ((b[s + 5] & 0xC1) | ((rewrite & 0x1F) << 1));
    int crc = Crc32Mpeg2.compute(b, s, length - 4);
    b[s + length - 4] = (byte) (crc >>> 24);
    b[s + length - 3] = (byte) (crc >>> 16);
    b[s + length - 2] = (byte) (crc >>> 8);
    b[s + length - 1] = (byte) crc;
  }
}
