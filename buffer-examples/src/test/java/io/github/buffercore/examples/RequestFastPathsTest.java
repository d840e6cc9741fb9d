package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The request path's shortcuts for plain ASCII (taken by nearly every viewer's request, so a storm of
 * joins does not build a regex matcher or a charset decoder per join) answer exactly what the general
 * code they skip answers: compared on seeded random inputs that mix the shortcut's cases with
 * escapes, control characters, letters and marks of other scripts, surrogate pairs and lengths around
 * the id limit.
 */
class RequestFastPathsTest {

  private static final String ALPHABET = "abcXYZ019._~-+ /%%%\u0000\u001f\u007f\u0080\u00e9\u00c3\u00a9"
      + "\u0301\u0663\u4e2d\uD83D\uDE00\uD835\uDFCE";

  private static String randomText(SplittableRandom random) {
    int length = random.nextInt(4) == 0 ? 60 + random.nextInt(10) : random.nextInt(12);
    StringBuilder text = new StringBuilder();
    boolean asciiOnly = random.nextBoolean();
    while (text.length() < length) {
      int i = random.nextInt(asciiOnly ? 22 : ALPHABET.length()); // the first 22 are ASCII
      char c = ALPHABET.charAt(i);
      if (c == '%' && random.nextBoolean()) {
        text.append(String.format("%%%02X", random.nextInt(256))); // a well-formed escape
      } else {
        text.append(c);
      }
    }
    return text.toString();
  }

  @Test
  void theShortcutsAgreeWithThePatternsAndTheDecoderTheySkip() {
    SplittableRandom random = new SplittableRandom(18);
    int asciiIds = 0;
    for (int round = 0; round < 20_000; round++) {
      String text = randomText(random);
      assertThat(ChannelMap.isValidId(text)).as("id '%s'", text)
          .isEqualTo(ChannelMap.VALID_ID.matcher(text).matches());
      assertThat(ProxyApp.decodeUtf8(text)).as("segment '%s'", text)
          .isEqualTo(PathSegments.decodeEscaped(text));
      assertThat(ClientRequest.hasControl(text)).as("key '%s'", text)
          .isEqualTo(ClientRequest.CONTROL.matcher(text).find());
      if (ChannelMap.isValidId(text) && text.chars().allMatch(c -> c < 0x80)) {
        asciiIds++;
      }
    }
    assertThat(asciiIds).as("valid ASCII ids drawn (the shortcut's accepting path)").isGreaterThan(100);
    assertThat(ChannelMap.isValidId("a".repeat(64))).isTrue();
    assertThat(ChannelMap.isValidId("a".repeat(65))).isFalse();
    assertThat(ChannelMap.isValidId("\uD835\uDFCE".repeat(64))).isTrue(); // 128 chars, 64 code points
    assertThat(ChannelMap.isValidId("")).isFalse();
  }
}
