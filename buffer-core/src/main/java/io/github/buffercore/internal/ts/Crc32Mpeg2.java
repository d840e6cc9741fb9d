package io.github.buffercore.internal.ts;

/**
 * The CRC-32 of MPEG-2 PSI sections (ISO/IEC 13818-1 Annex A: polynomial 0x04C11DB7, initial value
 * 0xFFFFFFFF, no reflection, no final XOR). A section including its CRC field checks to zero.
 */
final class Crc32Mpeg2 {

  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int c = i << 24;
      for (int bit = 0; bit < 8; bit++) {
        c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
      }
      TABLE[i] = c;
    }
  }

  private Crc32Mpeg2() {}

  static int compute(byte[] buf, int off, int len) {
    int crc = 0xFFFFFFFF;
    for (int i = off; i < off + len; i++) {
      crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ buf[i]) & 0xFF];
    }
    return crc;
  }
}
