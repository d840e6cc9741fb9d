package io.github.buffercore.examples;

/** JSON string literals, written by hand: the example needs no JSON library. */
final class JsonText {

  private JsonText() { }

  /**
   * Quotes a string as a JSON string literal.
   *
   * @param text the text
   * @return the literal, with quotes, backslashes and control characters escaped
   */
  static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
