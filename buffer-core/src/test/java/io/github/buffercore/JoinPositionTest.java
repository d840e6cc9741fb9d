package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link JoinPosition}: the three kinds, value semantics, validation. */
class JoinPositionTest {

  @Test
  void theThreeKinds() {
    assertThat(JoinPosition.live().kind()).isEqualTo(JoinPosition.Kind.LIVE);
    assertThat(JoinPosition.live().distance()).isEqualTo(Duration.ZERO);
    assertThat(JoinPosition.oldest().kind()).isEqualTo(JoinPosition.Kind.OLDEST);
    JoinPosition behind = JoinPosition.behind(Duration.ofSeconds(5));
    assertThat(behind.kind()).isEqualTo(JoinPosition.Kind.BEHIND);
    assertThat(behind.distance()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void valueSemantics() {
    assertThat(JoinPosition.behind(Duration.ofMillis(1500))).isEqualTo(JoinPosition.behind(Duration.ofMillis(1500)))
        .hasSameHashCodeAs(JoinPosition.behind(Duration.ofMillis(1500)))
        .isNotEqualTo(JoinPosition.behind(Duration.ofSeconds(2)));
    assertThat(JoinPosition.behind(Duration.ZERO)).isNotEqualTo(JoinPosition.live());
    assertThat(JoinPosition.live()).isEqualTo(JoinPosition.live()).isNotEqualTo(JoinPosition.oldest());
    assertThat(JoinPosition.live()).hasToString("JoinPosition[live]");
    assertThat(JoinPosition.oldest()).hasToString("JoinPosition[oldest]");
    assertThat(JoinPosition.behind(Duration.ofSeconds(3))).hasToString("JoinPosition[behind PT3S]");
  }

  @Test
  void rejectsANegativeOrMissingDistanceNamingIt() {
    assertThatThrownBy(() -> JoinPosition.behind(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> JoinPosition.behind(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
  }
}
