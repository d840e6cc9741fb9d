package io.github.buffercore.internal.hls;

import io.github.buffercore.HlsPlaylistException;
import io.github.buffercore.HlsVariant;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small RFC 8216 parser for the tags a live MPEG-TS relay needs: {@code EXTM3U},
 * {@code EXT-X-STREAM-INF}, {@code EXT-X-TARGETDURATION}, {@code EXT-X-MEDIA-SEQUENCE},
 * {@code EXTINF}, {@code EXT-X-DISCONTINUITY}, {@code EXT-X-KEY}, {@code EXT-X-MAP},
 * {@code EXT-X-BYTERANGE} and {@code EXT-X-ENDLIST}. Every other tag and every comment is ignored,
 * as section 4.1 requires of clients. URIs are resolved against the playlist's URL.
 *
 * <p>Stateless and thread-safe.
 */
public final class PlaylistParser {

  private final String playlistId;
  private final String streamId;

  /**
   * Creates a parser whose errors name the given stream.
   *
   * @param playlistId the registry playlist, for error messages
   * @param streamId the stream, for error messages
   */
  public PlaylistParser(String playlistId, String streamId) {
    this.playlistId = playlistId;
    this.streamId = streamId;
  }

  /**
   * Parses a playlist.
   *
   * @param text the playlist text (UTF-8 decoded)
   * @param url the URL it was loaded from, after redirects
   * @return a media or multivariant playlist
   * @throws HlsPlaylistException naming the URL and line if the text is not a valid playlist
   */
  public HlsPlaylist parse(String text, URI url) throws HlsPlaylistException {
    String[] lines = text.split("\r\n|\n|\r", -1);
    int first = 0;
    while (first < lines.length && lines[first].isBlank()) {
      first++;
    }
    String head = first < lines.length ? stripBom(lines[first]).trim() : "";
    if (!head.equals("#EXTM3U")) {
      throw error(url, "does not start with #EXTM3U (got: '" + abbreviate(head) + "')");
    }
    List<HlsVariant> variants = new ArrayList<>();
    List<MediaSegment> segments = new ArrayList<>();
    Integer targetDuration = null;
    long mediaSequence = 0;
    boolean endList = false;
    String unsupported = null;
    // State of the segment or variant being assembled from the tags before its URI line.
    Double duration = null;
    boolean discontinuity = false;
    SegmentKey key = null;
    Map<String, String> streamInf = null;
    int streamInfLine = 0;
    boolean sequenceSeen = false;

    for (int i = first + 1; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = lines[i].trim();
      if (line.isEmpty()) {
        continue;
      }
      if (!line.startsWith("#")) {
        URI uri = resolve(url, line, lineNo);
        if (streamInf != null) {
          variants.add(variant(url, uri, streamInf, streamInfLine));
          streamInf = null;
        } else if (duration != null) {
          segments.add(new MediaSegment(uri, duration, mediaSequence + segments.size(),
              discontinuity, key));
          duration = null;
          discontinuity = false;
        } else {
          throw error(url, "line " + lineNo + ": URI '" + abbreviate(line)
              + "' is neither after EXTINF nor after EXT-X-STREAM-INF");
        }
        continue;
      }
      if (!line.startsWith("#EXT")) {
        continue; // a comment
      }
      int colon = line.indexOf(':');
      String tag = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1).trim();
      switch (tag) {
        case "#EXT-X-STREAM-INF" -> {
          streamInf = attributes(url, value, lineNo);
          streamInfLine = lineNo;
        }
        case "#EXT-X-TARGETDURATION" -> {
          long t = integer(url, tag, value, lineNo);
          if (t < 1 || t > 3600) {
            throw error(url, "line " + lineNo + ": EXT-X-TARGETDURATION " + t
                + " is outside 1..3600 seconds");
          }
          targetDuration = (int) t;
        }
        case "#EXT-X-MEDIA-SEQUENCE" -> {
          if (!segments.isEmpty() || duration != null) {
            throw error(url, "line " + lineNo + ": EXT-X-MEDIA-SEQUENCE after the first segment");
          }
          mediaSequence = integer(url, tag, value, lineNo);
          sequenceSeen = true;
        }
        case "#EXTINF" -> {
          String d = value.contains(",") ? value.substring(0, value.indexOf(',')) : value;
          try {
            duration = Double.parseDouble(d.trim());
          } catch (NumberFormatException e) {
            throw error(url, "line " + lineNo + ": EXTINF duration '" + abbreviate(d)
                + "' is not a number");
          }
          if (!(duration >= 0) || duration.isInfinite()) {
            throw error(url, "line " + lineNo + ": EXTINF duration " + d + " is not valid");
          }
        }
        case "#EXT-X-DISCONTINUITY" -> discontinuity = true;
        case "#EXT-X-ENDLIST" -> endList = true;
        case "#EXT-X-KEY" -> {
          Map<String, String> a = attributes(url, value, lineNo);
          String method = a.get("METHOD");
          String format = a.getOrDefault("KEYFORMAT", "identity");
          if (method == null) {
            throw error(url, "line " + lineNo + ": EXT-X-KEY without METHOD");
          }
          if (method.equals("NONE")) {
            key = null;
          } else if (!format.equals("identity")) {
            // A DRM system's key (Widevine, FairPlay): other EXT-X-KEY tags may carry an identity key.
            if (unsupported == null && key == null) {
              unsupported = "DRM key format " + format + " (line " + lineNo + ")";
            }
          } else if (method.equals("AES-128")) {
            String keyUri = a.get("URI");
            if (keyUri == null) {
              throw error(url, "line " + lineNo + ": EXT-X-KEY METHOD=AES-128 without URI");
            }
            byte[] iv = a.containsKey("IV") ? iv(url, a.get("IV"), lineNo) : null;
            key = new SegmentKey(resolve(url, keyUri, lineNo), iv);
            if (unsupported != null && unsupported.startsWith("DRM key format")) {
              unsupported = null;
            }
          } else if (unsupported == null) {
            unsupported = "encryption METHOD=" + method + " (line " + lineNo + ")";
          }
        }
        case "#EXT-X-MAP" -> {
          if (unsupported == null) {
            unsupported = "fMP4 segments (EXT-X-MAP, line " + lineNo + ")";
          }
        }
        case "#EXT-X-BYTERANGE" -> {
          if (unsupported == null) {
            unsupported = "byte-range segments (EXT-X-BYTERANGE, line " + lineNo + ")";
          }
        }
        default -> {
          // Other tags (EXT-X-VERSION, EXT-X-PROGRAM-DATE-TIME, EXT-X-MEDIA, ...) do not matter here.
        }
      }
    }
    if (!variants.isEmpty()) {
      if (!segments.isEmpty()) {
        throw error(url, "has both variant streams (EXT-X-STREAM-INF) and media segments (EXTINF)");
      }
      return new MultivariantPlaylist(url, variants);
    }
    if (streamInf != null) {
      throw error(url, "line " + streamInfLine + ": EXT-X-STREAM-INF without a URI after it");
    }
    if (targetDuration == null) {
      throw error(url, "media playlist without EXT-X-TARGETDURATION"
          + (segments.isEmpty() && !sequenceSeen ? " (and without segments)" : ""));
    }
    return new MediaPlaylist(url, targetDuration, mediaSequence, segments, endList, unsupported);
  }

  private HlsVariant variant(URI url, URI uri, Map<String, String> a, int lineNo)
      throws HlsPlaylistException {
    String bw = a.get("BANDWIDTH");
    if (bw == null) {
      throw error(url, "line " + lineNo + ": EXT-X-STREAM-INF without BANDWIDTH");
    }
    long bandwidth = integer(url, "BANDWIDTH", bw, lineNo);
    long average = a.containsKey("AVERAGE-BANDWIDTH")
        ? integer(url, "AVERAGE-BANDWIDTH", a.get("AVERAGE-BANDWIDTH"), lineNo) : 0;
    int width = 0;
    int height = 0;
    String res = a.get("RESOLUTION");
    if (res != null) {
      int x = res.toLowerCase(Locale.ROOT).indexOf('x');
      if (x < 0) {
        throw error(url, "line " + lineNo + ": RESOLUTION '" + abbreviate(res) + "' is not WxH");
      }
      width = (int) Math.min(Integer.MAX_VALUE, integer(url, "RESOLUTION", res.substring(0, x), lineNo));
      height = (int) Math.min(Integer.MAX_VALUE,
          integer(url, "RESOLUTION", res.substring(x + 1), lineNo));
    }
    double frameRate = 0;
    if (a.containsKey("FRAME-RATE")) {
      try {
        frameRate = Double.parseDouble(a.get("FRAME-RATE"));
      } catch (NumberFormatException e) {
        throw error(url, "line " + lineNo + ": FRAME-RATE '" + abbreviate(a.get("FRAME-RATE"))
            + "' is not a number");
      }
      if (!(frameRate >= 0) || Double.isInfinite(frameRate)) {
        throw error(url, "line " + lineNo + ": FRAME-RATE " + frameRate + " is not valid");
      }
    }
    return new HlsVariant(uri, bandwidth, average, width, height, a.getOrDefault("CODECS", ""),
        frameRate);
  }

  /** Parses an attribute list (section 4.2): NAME=value pairs, values quoted or not. */
  Map<String, String> attributes(URI url, String list, int lineNo) throws HlsPlaylistException {
    Map<String, String> out = new HashMap<>();
    int i = 0;
    int n = list.length();
    while (i < n) {
      int eq = list.indexOf('=', i);
      if (eq < 0) {
        throw error(url, "line " + lineNo + ": attribute '" + abbreviate(list.substring(i))
            + "' has no value");
      }
      String name = list.substring(i, eq).trim();
      if (name.isEmpty()) {
        throw error(url, "line " + lineNo + ": empty attribute name in '" + abbreviate(list) + "'");
      }
      String value;
      int next;
      if (eq + 1 < n && list.charAt(eq + 1) == '"') {
        int close = list.indexOf('"', eq + 2);
        if (close < 0) {
          throw error(url, "line " + lineNo + ": unterminated quoted value of " + name);
        }
        value = list.substring(eq + 2, close);
        next = close + 1;
        if (next < n && list.charAt(next) != ',') {
          throw error(url, "line " + lineNo + ": text after the quoted value of " + name);
        }
      } else {
        int comma = list.indexOf(',', eq + 1);
        next = comma < 0 ? n : comma;
        value = list.substring(eq + 1, next).trim();
      }
      out.putIfAbsent(name, value);
      i = next + 1;
    }
    return out;
  }

  private byte[] iv(URI url, String hex, int lineNo) throws HlsPlaylistException {
    String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : null;
    if (h == null || h.isEmpty() || h.length() > 32) {
      throw error(url, "line " + lineNo + ": IV '" + abbreviate(hex)
          + "' is not a hexadecimal number of at most 128 bits");
    }
    byte[] out = new byte[16];
    String padded = "0".repeat(32 - h.length()) + h;
    for (int k = 0; k < 16; k++) {
      int hi = Character.digit(padded.charAt(2 * k), 16);
      int lo = Character.digit(padded.charAt(2 * k + 1), 16);
      if (hi < 0 || lo < 0) {
        throw error(url, "line " + lineNo + ": IV '" + abbreviate(hex) + "' is not hexadecimal");
      }
      out[k] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  private long integer(URI url, String name, String value, int lineNo)
      throws HlsPlaylistException {
    try {
      long v = Long.parseLong(value.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw error(url, "line " + lineNo + ": " + name.replace("#", "") + " '" + abbreviate(value)
          + "' is not a non-negative integer");
    }
  }

  private URI resolve(URI base, String ref, int lineNo) throws HlsPlaylistException {
    try {
      return base.resolve(new URI(ref.trim().replace(" ", "%20")));
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw error(base, "line " + lineNo + ": '" + abbreviate(ref) + "' is not a valid URI");
    }
  }

  private HlsPlaylistException error(URI url, String problem) {
    return new HlsPlaylistException(playlistId, streamId, url, problem);
  }

  private static String stripBom(String s) {
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
