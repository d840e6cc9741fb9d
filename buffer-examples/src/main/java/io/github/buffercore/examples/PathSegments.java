package io.github.buffercore.examples;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decoding of the channel id segment of {@code /stream/{channelId}}. */
final class PathSegments {

  private PathSegments() { }

  /**
   * Percent-decodes a path segment to bytes and reads them as strict UTF-8; {@code null} if an escape
   * is malformed or the bytes are not UTF-8. A {@code +} stays a plus (this is a path, not a form).
   */
  static String decodeUtf8(String encoded) {
    if (isPlainAscii(encoded)) {
      return encoded; // no escape, and ASCII bytes read as UTF-8 are themselves: every viewer's usual id
    }
    return decodeEscaped(encoded);
  }

  /** {@link #decodeUtf8} without its shortcut for plain ASCII. */
  static String decodeEscaped(String encoded) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        if (i + 2 >= encoded.length()) {
          return null;
        }
        int high = Character.digit(encoded.charAt(i + 1), 16);
        int low = Character.digit(encoded.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else if (c > 0xff) {
        return null; // not a byte: the stack broke the contract of handle()
      } else {
        bytes.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException notUtf8) {
      return null;
    }
  }

  private static boolean isPlainAscii(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%' || c >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
