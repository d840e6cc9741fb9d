package io.github.buffercore.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The load report's crowd sentence: how the viewers arrived and when the last was served. */
class LoadReportTest {

  private static final long MS = 1_000_000L;

  @Test
  void theCrowdSpanCountsFromTheFirstConnect() {
    assertThat(LoadReport.stormSpan(1_000 * MS, 1_120 * MS, 1_480 * MS))
        .isEqualTo("the crowd: connects issued over 120 ms, the last viewer's first byte 480 ms after the first connect");
  }

  @Test
  void aCrowdThatGotNoByteSaysSo() {
    assertThat(LoadReport.stormSpan(5 * MS, 9 * MS, Long.MIN_VALUE))
        .isEqualTo("the crowd: connects issued over 4 ms, no first byte came");
  }

  @Test
  void noConnectIsNoSentence() {
    assertThat(LoadReport.stormSpan(Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE)).isEmpty();
  }
}
