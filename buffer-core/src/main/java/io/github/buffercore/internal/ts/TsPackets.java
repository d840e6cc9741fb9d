package io.github.buffercore.internal.ts;

/**
 * Field access on one 188-byte MPEG-TS packet at {@code buf[off]} (ISO/IEC 13818-1, 2.4.3.2 and
 * 2.4.3.4). Static, allocation-free; callers guarantee that 188 bytes are available at {@code off}.
 */
final class TsPackets {

  /** The size of an MPEG-TS packet in bytes. */
  static final int PACKET_SIZE = 188;

  /** The byte every packet starts with. */
  static final int SYNC_BYTE = 0x47;

  /** The PID of the PAT. */
  static final int PAT_PID = 0;

  /** The null-packet PID. */
  static final int NULL_PID = 0x1FFF;

  /** The number of PIDs (13 bits). */
  static final int PID_COUNT = 8192;

  /** The 27 MHz PCR wraps after 2^33 base ticks of 300 each. */
  static final long PCR_MODULUS = (1L << 33) * 300;

  private TsPackets() {}

  static boolean synced(byte[] b, int o) {
    return (b[o] & 0xFF) == SYNC_BYTE;
  }

  static boolean transportError(byte[] b, int o) {
    return (b[o + 1] & 0x80) != 0;
  }

  static boolean payloadUnitStart(byte[] b, int o) {
    return (b[o + 1] & 0x40) != 0;
  }

  static int pid(byte[] b, int o) {
    return ((b[o + 1] & 0x1F) << 8) | (b[o + 2] & 0xFF);
  }

  static boolean hasAdaptation(byte[] b, int o) {
    return (b[o + 3] & 0x20) != 0;
  }

  static boolean hasPayload(byte[] b, int o) {
    return (b[o + 3] & 0x10) != 0;
  }

  static int continuityCounter(byte[] b, int o) {
    return b[o + 3] & 0x0F;
  }

  static void setContinuityCounter(byte[] b, int o, int cc) {
    b[o + 3] = (byte) ((b[o + 3] & 0xF0) | (cc & 0x0F));
  }

  /** The adaptation field length, or -1 without adaptation field. */
  static int adaptationLength(byte[] b, int o) {
    return hasAdaptation(b, o) ? b[o + 4] & 0xFF : -1;
  }

  /** Whether the packet has an adaptation field with its flags byte (length at least 1). */
  static boolean hasAdaptationFlags(byte[] b, int o) {
    return hasAdaptation(b, o) && (b[o + 4] & 0xFF) >= 1;
  }

  /**
   * The offset of the payload inside the packet (4 to 188), or -1 if the packet has no payload or its
   * adaptation field length is invalid.
   */
  static int payloadOffset(byte[] b, int o) {
    if (!hasPayload(b, o)) {
      return -1;
    }
    if (!hasAdaptation(b, o)) {
      return 4;
    }
    int start = 5 + (b[o + 4] & 0xFF);
    return start <= PACKET_SIZE ? start : -1;
  }

  static boolean randomAccessIndicator(byte[] b, int o) {
    return hasAdaptationFlags(b, o) && (b[o + 5] & 0x40) != 0;
  }

  static boolean discontinuityIndicator(byte[] b, int o) {
    return hasAdaptationFlags(b, o) && (b[o + 5] & 0x80) != 0;
  }

  static void setDiscontinuityIndicator(byte[] b, int o) {
    b[o + 5] = (byte) (b[o + 5] | 0x80);
  }

  static void clearRandomAccessIndicator(byte[] b, int o) {
    b[o + 5] = (byte) (b[o + 5] & ~0x40);
  }

  /** Whether the adaptation field carries a PCR (flag set and room for its six bytes). */
  static boolean hasPcr(byte[] b, int o) {
    return hasAdaptation(b, o) && (b[o + 4] & 0xFF) >= 7 && (b[o + 5] & 0x10) != 0;
  }

  /** The PCR in 27 MHz ticks; only valid if {@link #hasPcr}. */
  static long pcr(byte[] b, int o) {
    long base = ((long) (b[o + 6] & 0xFF) << 25) | ((b[o + 7] & 0xFF) << 17) | ((b[o + 8] & 0xFF) << 9)
        | ((b[o + 9] & 0xFF) << 1) | ((b[o + 10] & 0x80) >>> 7);
    int extension = ((b[o + 10] & 0x01) << 8) | (b[o + 11] & 0xFF);
    return base * 300 + extension;
  }
}
