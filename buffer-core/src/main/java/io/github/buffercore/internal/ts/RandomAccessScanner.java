package io.github.buffercore.internal.ts;

/**
 * Decides whether a video PES begins with a picture a decoder can start from, by scanning its
 * elementary stream for NAL units: used when the packet that starts the PES carries no {@code
 * random_access_indicator}. Fed the PES bytes packet by packet, from the PES header on; allocation-free.
 *
 * <p>The decision is taken at the first slice (VCL) NAL unit of the access unit: an H.264 IDR slice
 * (nal_unit_type 5) or an H.265 IRAP picture (types 16 to 23: BLA, IDR, CRA) makes the PES a random
 * access point, any other slice does not. Parameter sets (H.264 SPS 7; H.265 VPS 32, SPS 33), access
 * unit delimiters and SEI before the slice are skipped; a parameter set alone is not taken as proof,
 * because many encoders repeat them before every picture. An access unit whose slice does not show up
 * within {@link #SCAN_LIMIT} bytes is not a random access point (the cost per PES stays bounded).
 */
final class RandomAccessScanner {

  static final int UNDECIDED = 0;
  static final int RANDOM_ACCESS = 1;
  static final int NOT_RANDOM_ACCESS = 2;

  /** How many PES bytes are scanned at most before giving up. */
  static final int SCAN_LIMIT = 16 * 1024;

  private static final int PES_HEADER = 0;
  private static final int SKIP_HEADER_DATA = 1;
  private static final int ELEMENTARY_STREAM = 2;
  private static final int DECIDED = 3;

  private boolean hevc;
  private int phase = DECIDED;
  private int decision = NOT_RANDOM_ACCESS;
  private final byte[] pesHeader = new byte[9];
  private int pesHeaderBytes;
  private int skip;
  private int zeros;
  private boolean nalHeaderNext;
  private int scanned;

  /** Starts a new PES of a video stream of the given {@code stream_type} (H.264 or H.265). */
  void start(int streamType) {
    hevc = streamType == ProgramTables.STREAM_TYPE_H265;
    phase = PES_HEADER;
    decision = UNDECIDED;
    pesHeaderBytes = 0;
    skip = 0;
    zeros = 0;
    nalHeaderNext = false;
    scanned = 0;
  }

  /** Abandons the PES being scanned (its end or a lost packet): undecided means not random access. */
  void abandon() {
    if (phase != DECIDED) {
      decide(NOT_RANDOM_ACCESS);
    }
  }

  int decision() {
    return decision;
  }

  /**
   * Scans PES bytes {@code [from, to)}.
   *
   * @return {@link #UNDECIDED}, {@link #RANDOM_ACCESS} or {@link #NOT_RANDOM_ACCESS}
   */
  int feed(byte[] b, int from, int to) {
    int i = from;
    while (i < to && phase != DECIDED) {
      if (phase == PES_HEADER) {
        pesHeader[pesHeaderBytes++] = b[i++];
        if (pesHeaderBytes == pesHeader.length) {
          if (pesHeader[0] != 0 || pesHeader[1] != 0 || pesHeader[2] != 1 || (pesHeader[6] & 0xC0) != 0x80) {
            return decide(NOT_RANDOM_ACCESS); // not a PES with the optional header video always has
          }
          skip = pesHeader[8] & 0xFF;
          phase = skip == 0 ? ELEMENTARY_STREAM : SKIP_HEADER_DATA;
        }
      } else if (phase == SKIP_HEADER_DATA) {
        int n = Math.min(skip, to - i);
        skip -= n;
        i += n;
        if (skip == 0) {
          phase = ELEMENTARY_STREAM;
        }
      } else {
        int end = Math.min(to, i + SCAN_LIMIT - scanned);
        scanned += end - i;
        for (; i < end; i++) {
          int v = b[i] & 0xFF;
          if (nalHeaderNext) {
            nalHeaderNext = false;
            int verdict = hevc ? hevcNal((v >> 1) & 0x3F) : avcNal(v & 0x1F);
            if (verdict != UNDECIDED) {
              return decide(verdict);
            }
          }
          if (v == 0) {
            zeros++;
          } else {
            nalHeaderNext = v == 1 && zeros >= 2;
            zeros = 0;
          }
        }
        if (scanned >= SCAN_LIMIT) {
          return decide(NOT_RANDOM_ACCESS);
        }
      }
    }
    return decision;
  }

  private static int avcNal(int type) {
    if (type == 5) {
      return RANDOM_ACCESS;
    }
    return type >= 1 && type <= 4 ? NOT_RANDOM_ACCESS : UNDECIDED;
  }

  private static int hevcNal(int type) {
    if (type >= 16 && type <= 23) {
      return RANDOM_ACCESS;
    }
    return type <= 15 ? NOT_RANDOM_ACCESS : UNDECIDED;
  }

  private int decide(int verdict) {
    phase = DECIDED;
    decision = verdict;
    return verdict;
  }
}
