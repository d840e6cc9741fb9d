package io.github.buffercore.internal.hls;

import io.github.buffercore.HlsUnsupportedException;
import io.github.buffercore.UpstreamConnection;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment side of one HLS connection: fetches a segment (and its AES-128 key, cached per URI),
 * returns its bytes, decrypted on the fly, and checks that it is MPEG-TS. Which segment comes next,
 * and what counts as a discontinuity, is the playlist follower's business, not this class's.
 *
 * <p>Reader thread only; the segment body lives in the requests' {@link BodySlot}, so a concurrent
 * close closes it.
 */
final class SegmentReader {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentReader.class);
  private static final byte TS_SYNC = 0x47;
  private static final int KEY_BYTES = 16;
  private static final int MAX_KEYS = 8;

  /** A segment whose body is open, not yet started. */
  record Fetched(MediaSegment segment, HlsFetcher.Resource resource, byte[] key) {}

  private final HlsRequests requests;
  private final String playlistId;
  private final String streamId;
  /** Keys by URI; the most recent few only, as a provider may rotate keys every segment. */
  private final Map<URI, byte[]> keys = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<URI, byte[]> eldest) {
      return size() > MAX_KEYS;
    }
  };

  private MediaSegment segment;
  private boolean segmentFirstByteChecked;
  private Cipher cipher;
  private byte[] cipherIn;
  private byte[] cipherOut;
  private int outPos;
  private int outLen;
  private boolean bodyEnded;

  SegmentReader(HlsRequests requests, String playlistId, String streamId) {
    this.requests = requests;
    this.playlistId = playlistId;
    this.streamId = streamId;
  }

  /** Whether a segment is being read. */
  boolean active() {
    return segment != null;
  }

  /**
   * Fetches the key of {@code next} (if encrypted and not cached) and opens its body, with retries.
   *
   * @throws io.github.buffercore.UpstreamStatusException if the server still refuses it
   */
  Fetched fetch(MediaSegment next) throws IOException {
    byte[] key = next.key() == null ? null : key(next.key().uri());
    HlsFetcher.Resource r = requests.fetchWithRetries(next.uri(), "segment " + next.sequence());
    return new Fetched(next, r, key);
  }

  /** Makes a fetched segment the one {@link #read} returns bytes of. */
  void begin(Fetched fetched) throws IOException {
    MediaSegment next = fetched.segment();
    byte[] key = fetched.key();
    segment = next;
    segmentFirstByteChecked = false;
    bodyEnded = false;
    outPos = 0;
    outLen = 0;
    cipher = null;
    if (key != null) {
      try {
        cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
            new IvParameterSpec(next.key().ivFor(next.sequence())));
      } catch (GeneralSecurityException e) {
        fetched.resource().body().close();
        throw new IOException("Cannot set up AES-128 decryption of segment " + next.sequence()
            + " of stream '" + streamId + "' in playlist '" + playlistId + "': " + e, e);
      }
      if (cipherIn == null) {
        cipherIn = new byte[64 * 1024];
        cipherOut = new byte[64 * 1024 + 32];
      }
    }
    LOG.debug("HLS stream '{}' in playlist '{}': segment {} from {}{}", streamId, playlistId,
        next.sequence(), fetched.resource().finalUrl(), key != null ? " (AES-128)" : "");
  }

  /** Returns bytes of the current segment, or -1 when it is exhausted. */
  int read(byte[] buf, int off, int len) throws IOException {
    BodySlot slot = requests.slot();
    int n;
    if (cipher == null) {
      n = slot.body().read(buf, off, len);
    } else {
      while (outPos == outLen) {
        if (bodyEnded) {
          return -1;
        }
        int in = slot.body().read(cipherIn, 0, cipherIn.length);
        try {
          if (in < 0) {
            bodyEnded = true;
            outLen = cipher.doFinal(cipherOut, 0);
          } else {
            outLen = cipher.update(cipherIn, 0, in, cipherOut, 0);
          }
          outPos = 0;
        } catch (GeneralSecurityException e) {
          throw new IOException("AES-128 decryption of segment " + segment.sequence() + " ("
              + segment.uri() + ") of stream '" + streamId + "' in playlist '" + playlistId
              + "' failed (wrong key or IV, or a truncated segment): " + e, e);
        }
      }
      n = Math.min(len, outLen - outPos);
      System.arraycopy(cipherOut, outPos, buf, off, n);
      outPos += n;
    }
    if (n > 0 && !segmentFirstByteChecked) {
      segmentFirstByteChecked = true;
      if (buf[off] != TS_SYNC) {
        throw new HlsUnsupportedException(playlistId, streamId, segment.uri(),
            "segment " + segment.sequence() + " is not MPEG-TS (first byte 0x"
                + Integer.toHexString(buf[off] & 0xff) + ", expected 0x47)");
      }
    }
    return n;
  }

  /** Closes the current segment's body. */
  void end() {
    BodySlot slot = requests.slot();
    UpstreamConnection b = slot.body();
    if (b != null) {
      b.close();
      slot.clear(b);
    }
    segment = null;
    cipher = null;
  }

  private byte[] key(URI uri) throws IOException {
    byte[] k = keys.get(uri);
    if (k == null) {
      HlsFetcher.Resource r = requests.fetchWithRetries(uri, "key");
      k = requests.readFully(r.body(), KEY_BYTES + 1, uri, "key");
      if (k.length != KEY_BYTES) {
        throw new IOException("AES-128 key " + uri + " of stream '" + streamId + "' in playlist '"
            + playlistId + "' is " + (k.length > KEY_BYTES ? "longer than" : k.length + " bytes, not")
            + " 16 bytes");
      }
      keys.put(uri, k);
      LOG.debug("HLS stream '{}' in playlist '{}': fetched key {}", streamId, playlistId, uri);
    }
    return k;
  }
}
