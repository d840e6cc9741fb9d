package io.github.buffercore.internal.hls;

import java.math.BigInteger;
import java.net.URI;
import java.util.Arrays;

/**
 * An {@code EXT-X-KEY} with {@code METHOD=AES-128} (other methods are recorded as unsupported by the
 * parser and never reach here).
 *
 * @param uri where the 16-byte key is, resolved against the playlist URL
 * @param iv the {@code IV} attribute (16 bytes), or {@code null}: the media sequence number is used
 */
public record SegmentKey(URI uri, byte[] iv) {

  /**
   * Returns the initialization vector for the segment with sequence number {@code sequence}: the
   * {@code IV} attribute, or else the sequence number as a 128-bit big-endian integer (RFC 8216
   * section 5.2).
   *
   * @param sequence the segment's media sequence number
   * @return a new 16-byte array
   */
  public byte[] ivFor(long sequence) {
    if (iv != null) {
      return iv.clone();
    }
    byte[] out = new byte[16];
    byte[] n = BigInteger.valueOf(sequence).toByteArray();
    int len = Math.min(n.length, 16);
    System.arraycopy(n, n.length - len, out, 16 - len, len);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SegmentKey k && uri.equals(k.uri) && Arrays.equals(iv, k.iv);
  }

  @Override
  public int hashCode() {
    return uri.hashCode() * 31 + Arrays.hashCode(iv);
  }

  @Override
  public String toString() {
    return "SegmentKey[uri=" + uri + ", iv=" + (iv == null ? "sequence" : "explicit") + "]";
  }
}
