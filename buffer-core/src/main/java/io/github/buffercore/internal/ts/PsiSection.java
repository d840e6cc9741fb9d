package io.github.buffercore.internal.ts;

import java.util.Arrays;

/**
 * Reassembles the sections of one PSI table (PAT or PMT) carried on one PID and keeps the latest
 * complete, CRC-valid, current ({@code current_next_indicator = 1}) section. Sections may span packets
 * (the {@code pointer_field} of a packet with {@code payload_unit_start_indicator} says where the next
 * section starts; bytes before it finish the previous one) and several may share a packet.
 *
 * <p>A continuity counter gap on the PID abandons the section being assembled (its missing bytes would
 * corrupt it; the CRC would reject it anyway); a duplicate packet (same counter, sent twice as the
 * standard allows) is ignored. Allocation-free; buffers are sized for the largest PAT/PMT section
 * (1024 bytes). Not thread-safe: one writer thread.
 */
final class PsiSection {

  /** The largest PAT or PMT section: 3 header bytes plus a {@code section_length} of at most 1021. */
  static final int MAX_SECTION = 1024;

  private final int tableId;
  private final byte[] assembling = new byte[MAX_SECTION];
  private int assembled;
  private int expected = -1; // -1: no section in progress; 0: in progress, length not known yet
  private final byte[] current = new byte[MAX_SECTION];
  private int currentLength;
  private int lastCc = -1;
  private long crcErrors;
  private boolean changedFlag;
  private boolean invalidLength;

  PsiSection(int tableId) {
    this.tableId = tableId;
  }

  /**
   * Feeds one packet of this table's PID.
   *
   * @return whether a section different from the current one became current
   */
  boolean feed(byte[] b, int o) {
    int payload = TsPackets.payloadOffset(b, o);
    if (payload < 0) {
      return false;
    }
    int cc = TsPackets.continuityCounter(b, o);
    if (lastCc >= 0) {
      if (cc == lastCc && !TsPackets.discontinuityIndicator(b, o)) {
        return false; // duplicate
      }
      if (cc != ((lastCc + 1) & 0x0F)) {
        expected = -1;
      }
    }
    lastCc = cc;
    int i = o + payload;
    final int end = o + TsPackets.PACKET_SIZE;
    changedFlag = false;
    if (!TsPackets.payloadUnitStart(b, o)) {
      if (expected >= 0) {
        append(b, i, end);
      }
      return takeChanged();
    }
    int pointer = b[i] & 0xFF;
    i++;
    if (expected >= 0) {
      append(b, i, i + Math.min(pointer, end - i));
      expected = -1; // whatever the pointer field did not finish is lost
    }
    i += pointer;
    while (i < end && (b[i] & 0xFF) != 0xFF) {
      assembled = 0;
      expected = 0;
      invalidLength = false;
      int consumed = append(b, i, end);
      if (expected >= 0 || invalidLength) {
        break; // continues in the next packet, or garbage: skip the rest of this packet
      }
      i += consumed;
    }
    return takeChanged();
  }

  private boolean takeChanged() {
    boolean changed = changedFlag;
    changedFlag = false;
    return changed;
  }

  /**
   * Appends bytes {@code [from, to)} to the section in progress and returns how many were consumed.
   * Sets {@code expected} to -1 when the section completed or was dropped for an invalid length.
   */
  private int append(byte[] b, int from, int to) {
    int consumed = 0;
    while (from + consumed < to) {
      int need = expected > 0 ? expected - assembled : 3 - assembled;
      int n = Math.min(need, to - from - consumed);
      System.arraycopy(b, from + consumed, assembling, assembled, n);
      assembled += n;
      consumed += n;
      if (expected == 0 && assembled == 3) {
        int length = 3 + (((assembling[1] & 0x0F) << 8) | (assembling[2] & 0xFF));
        if (length > MAX_SECTION || length < 3 + 9) {
          expected = -1;
          invalidLength = true;
          return consumed;
        }
        expected = length;
      } else if (expected > 0 && assembled == expected) {
        expected = -1;
        changedFlag |= finish();
        return consumed;
      }
    }
    return consumed;
  }

  private boolean finish() {
    int length = assembled;
    if ((assembling[0] & 0xFF) != tableId) {
      return false;
    }
    if (Crc32Mpeg2.compute(assembling, 0, length) != 0) {
      crcErrors++;
      return false;
    }
    if ((assembling[5] & 0x01) == 0) {
      return false; // not yet applicable
    }
    if (length == currentLength && Arrays.equals(assembling, 0, length, current, 0, length)) {
      return false;
    }
    System.arraycopy(assembling, 0, current, 0, length);
    currentLength = length;
    return true;
  }

  /** Forgets everything: the current section and any section in progress. */
  void reset() {
    expected = -1;
    assembled = 0;
    currentLength = 0;
    lastCc = -1;
  }

  /** The current section's bytes (valid up to {@link #length()}); do not modify. */
  byte[] bytes() {
    return current;
  }

  /** The current section's length including header and CRC, or 0 if none yet. */
  int length() {
    return currentLength;
  }

  /** The current section's {@code version_number}, or -1 if none. */
  int version() {
    return currentLength == 0 ? -1 : (current[5] >> 1) & 0x1F;
  }

  /** The continuity counter of the last packet seen on this PID, or -1. */
  int lastContinuityCounter() {
    return lastCc;
  }

  /** Sections dropped for a bad CRC. */
  long crcErrors() {
    return crcErrors;
  }

  /**
   * Writes {@code section[0, length)} as packets on {@code pid}: {@code pointer_field} 0, then the
   * section, then {@code 0xFF} stuffing. Continuity counters count up and end at {@code lastCc}, so
   * that a following packet with {@code lastCc + 1} continues them.
   *
   * @return the number of bytes written (a multiple of 188)
   */
  static int packetize(byte[] section, int length, int pid, int lastCc, byte[] dst, int off) {
    int packets = packetCount(length);
    int cc = (lastCc - packets + 1) & 0x0F;
    int src = 0;
    int o = off;
    for (int p = 0; p < packets; p++, o += TsPackets.PACKET_SIZE) {
      dst[o] = (byte) TsPackets.SYNC_BYTE;
      dst[o + 1] = (byte) ((p == 0 ? 0x40 : 0) | (pid >> 8));
      dst[o + 2] = (byte) pid;
      dst[o + 3] = (byte) (0x10 | ((cc + p) & 0x0F));
      int i = o + 4;
      if (p == 0) {
        dst[i++] = 0;
      }
      int n = Math.min(length - src, o + TsPackets.PACKET_SIZE - i);
      System.arraycopy(section, src, dst, i, n);
      src += n;
      i += n;
      Arrays.fill(dst, i, o + TsPackets.PACKET_SIZE, (byte) 0xFF);
    }
    return packets * TsPackets.PACKET_SIZE;
  }

  /** The number of packets {@link #packetize} writes for a section of {@code length} bytes. */
  static int packetCount(int length) {
    return (length + 1 + 183) / 184;
  }
}
