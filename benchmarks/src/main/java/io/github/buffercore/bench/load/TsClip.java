package io.github.buffercore.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An MPEG-TS clip and its live bitrate, measured from its program clock references: the bytes between
 * the first and the last PCR of the first PID that carries PCRs, over the 27 MHz time between them.
 *
 * @param name where the clip came from (for the report)
 * @param bytes the clip, a whole number of 188-byte packets
 * @param bytesPerSecond the live rate to pace it at
 */
public record TsClip(String name, byte[] bytes, double bytesPerSecond) {

  /** An MPEG-TS packet. */
  public static final int PACKET = 188;

  /**
   * Loads a clip and measures its rate.
   *
   * @param file a file of 188-byte MPEG-TS packets
   * @return the clip
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException if it is not MPEG-TS or carries fewer than two PCRs
   */
  public static TsClip load(Path file) throws IOException {
    return of(file.toString(), Files.readAllBytes(file));
  }

  /**
   * Measures a clip's rate.
   *
   * @param name where the clip came from
   * @param bytes the clip
   * @return the clip
   * @throws IllegalArgumentException if it is not MPEG-TS or carries fewer than two PCRs
   */
  public static TsClip of(String name, byte[] bytes) {
    if (bytes.length < 2 * PACKET || bytes.length % PACKET != 0) {
      throw new IllegalArgumentException("Clip " + name + " is " + bytes.length
          + " bytes, not a whole number (>= 2) of 188-byte MPEG-TS packets");
    }
    int pcrPid = -1;
    long firstPcr = -1;
    long firstOffset = -1;
    long lastPcr = -1;
    long lastOffset = -1;
    for (int offset = 0; offset < bytes.length; offset += PACKET) {
      if (bytes[offset] != 0x47) {
        throw new IllegalArgumentException("Clip " + name + " lost MPEG-TS sync at byte " + offset);
      }
      int pid = ((bytes[offset + 1] & 0x1f) << 8) | (bytes[offset + 2] & 0xff);
      boolean adaptation = (bytes[offset + 3] & 0x20) != 0;
      if (!adaptation || (bytes[offset + 4] & 0xff) < 7 || (bytes[offset + 5] & 0x10) == 0) {
        continue;
      }
      if (pcrPid < 0) {
        pcrPid = pid;
      } else if (pid != pcrPid) {
        continue;
      }
      long base = ((bytes[offset + 6] & 0xffL) << 25) | ((bytes[offset + 7] & 0xffL) << 17)
          | ((bytes[offset + 8] & 0xffL) << 9) | ((bytes[offset + 9] & 0xffL) << 1)
          | ((bytes[offset + 10] & 0x80L) >> 7);
      long extension = ((bytes[offset + 10] & 0x01L) << 8) | (bytes[offset + 11] & 0xffL);
      long pcr = base * 300 + extension;
      if (firstPcr < 0) {
        firstPcr = pcr;
        firstOffset = offset;
      }
      lastPcr = pcr;
      lastOffset = offset;
    }
    if (firstPcr < 0 || lastPcr <= firstPcr) {
      throw new IllegalArgumentException("Clip " + name + " has fewer than two increasing PCRs; "
          + "its rate cannot be measured");
    }
    double seconds = (lastPcr - firstPcr) / 27_000_000.0;
    return new TsClip(name, bytes, (lastOffset - firstOffset) / seconds);
  }

  /** The clip's length at its rate, in seconds. */
  public double seconds() {
    return bytes.length / bytesPerSecond;
  }
}
