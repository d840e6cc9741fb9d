package io.github.buffercore.internal.ts;

/**
 * Tracks the PAT and the PMT of the first program of an MPEG-TS stream: the PMT PID, the PCR PID, and
 * the video elementary stream (PID and {@code stream_type}). The first program with a non-zero {@code
 * program_number} is followed (IPTV channels are single-program transport streams); a PAT that moves
 * the PMT to another PID forgets the old PMT. Version changes take effect as soon as the new section is
 * complete and its CRC checks.
 *
 * <p>Allocation-free while the tables do not change; not thread-safe (one writer thread).
 */
final class ProgramTables {

  /** {@code stream_type} of H.264 / AVC video. */
  static final int STREAM_TYPE_H264 = 0x1B;

  /** {@code stream_type} of H.265 / HEVC video. */
  static final int STREAM_TYPE_H265 = 0x24;

  private final PsiSection pat = new PsiSection(0x00);
  private final PsiSection pmt = new PsiSection(0x02);
  private int pmtPid = -1;
  private int programNumber = -1;
  private int pcrPid = -1;
  private int videoPid = -1;
  private int videoStreamType = -1;
  private long changes;

  /**
   * Feeds one packet; only packets of PID 0 and of the PMT PID are looked at.
   *
   * @return whether the PAT or PMT changed (a new version, or first seen)
   */
  boolean feed(byte[] b, int o, int pid) {
    if (pid == TsPackets.PAT_PID) {
      if (pat.feed(b, o)) {
        parsePat();
        changes++;
        return true;
      }
      return false;
    }
    if (pid == pmtPid && pmt.feed(b, o)) {
      parsePmt();
      changes++;
      return true;
    }
    return false;
  }

  private void parsePat() {
    byte[] s = pat.bytes();
    int end = pat.length() - 4;
    int newPmtPid = -1;
    int newProgram = -1;
    for (int i = 8; i + 4 <= end; i += 4) {
      int program = ((s[i] & 0xFF) << 8) | (s[i + 1] & 0xFF);
      if (program != 0) {
        newProgram = program;
        newPmtPid = ((s[i + 2] & 0x1F) << 8) | (s[i + 3] & 0xFF);
        break;
      }
    }
    if (newPmtPid != pmtPid || newProgram != programNumber) {
      pmtPid = newPmtPid;
      programNumber = newProgram;
      pmt.reset();
      pcrPid = -1;
      videoPid = -1;
      videoStreamType = -1;
    }
  }

  private void parsePmt() {
    byte[] s = pmt.bytes();
    int end = pmt.length() - 4;
    if ((((s[3] & 0xFF) << 8) | (s[4] & 0xFF)) != programNumber) {
      return; // a PMT of another program on the same PID
    }
    pcrPid = ((s[8] & 0x1F) << 8) | (s[9] & 0xFF);
    int programInfoLength = ((s[10] & 0x0F) << 8) | (s[11] & 0xFF);
    int newVideoPid = -1;
    int newType = -1;
    for (int i = 12 + programInfoLength; i + 5 <= end; ) {
      int type = s[i] & 0xFF;
      int pid = ((s[i + 1] & 0x1F) << 8) | (s[i + 2] & 0xFF);
      int esInfoLength = ((s[i + 3] & 0x0F) << 8) | (s[i + 4] & 0xFF);
      if (newVideoPid < 0 && isVideo(type)) {
        newVideoPid = pid;
        newType = type;
      }
      i += 5 + esInfoLength;
    }
    videoPid = newVideoPid;
    videoStreamType = newType;
  }

  /** Video types whose pictures a join can start on: H.264 and H.265 (with NAL fallback), MPEG-1/2/4 video. */
  static boolean isVideo(int streamType) {
    return streamType == STREAM_TYPE_H264 || streamType == STREAM_TYPE_H265 || streamType == 0x01
        || streamType == 0x02 || streamType == 0x10;
  }

  /** Forgets both tables, e.g. after a splice to another upstream. */
  void reset() {
    pat.reset();
    pmt.reset();
    pmtPid = -1;
    programNumber = -1;
    pcrPid = -1;
    videoPid = -1;
    videoStreamType = -1;
  }

  /** Whether both the PAT and the PMT of the program are known. */
  boolean complete() {
    return pat.length() > 0 && pmt.length() > 0 && pcrPid >= 0;
  }

  PsiSection pat() {
    return pat;
  }

  PsiSection pmt() {
    return pmt;
  }

  int pmtPid() {
    return pmtPid;
  }

  int pcrPid() {
    return pcrPid;
  }

  int videoPid() {
    return videoPid;
  }

  int videoStreamType() {
    return videoStreamType;
  }

  long changes() {
    return changes;
  }

  /** The number of bytes {@link #writeHeader} writes. */
  int headerLength() {
    return (PsiSection.packetCount(pat.length()) + PsiSection.packetCount(pmt.length())) * TsPackets.PACKET_SIZE;
  }

  /**
   * Writes the current PAT and PMT as packets (only valid when {@link #complete()}); their continuity
   * counters end at the given values.
   *
   * @return the bytes written
   */
  int writeHeader(byte[] dst, int off, int patLastCc, int pmtLastCc) {
    int n = PsiSection.packetize(pat.bytes(), pat.length(), TsPackets.PAT_PID, patLastCc, dst, off);
    return n + PsiSection.packetize(pmt.bytes(), pmt.length(), pmtPid, pmtLastCc, dst, off + n);
  }
}
