package io.github.buffercore.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.github.buffercore.bench.QuickProfile.Interval;
import io.github.buffercore.bench.QuickProfile.Stat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;

/** The ratio intervals RESULTS.md judges targets by. */
class QuickProfileIntervalTest {

  @Test
  void aRatioSpansEveryPairOfSpeedsInsideBothIntervals() {
    Interval a = Interval.of(new Stat(10, 1));
    Interval b = Interval.of(new Stat(5, 0.5));

    Interval r = a.over(b);

    assertThat(r.value()).isEqualTo(2.0);
    assertThat(r.low()).isCloseTo(9 / 5.5, offset(1e-12));
    assertThat(r.high()).isCloseTo(11 / 4.5, offset(1e-12));
  }

  @Test
  void anErrorLargerThanTheScoreMakesTheRatioUnbounded() {
    Interval a = Interval.of(new Stat(3.0, 10.8));
    Interval b = Interval.of(new Stat(5.1, 51.4));

    Interval r = a.over(b);

    assertThat(r.low()).isZero();
    assertThat(r.high()).isInfinite();
    assertThat(r.ratio()).isEqualTo("0.59x [0.00x, inf]");
  }

  @Test
  void timePerOpIsInvertedIntoASpeedInterval() {
    QuickProfile.Row row = new QuickProfile.Row("buffercore", 200, 50, "us/op", Mode.AverageTime, Map.of());

    Interval speed = row.speedInterval();

    assertThat(speed.value()).isEqualTo(1 / 200.0);
    assertThat(speed.low()).isEqualTo(1 / 250.0);
    assertThat(speed.high()).isEqualTo(1 / 150.0);
  }

  @Test
  void deliveredBytesAreTheFanOutSpeed() {
    QuickProfile.Row row = new QuickProfile.Row("buffercore", 2, 0.1, "ops/us", Mode.Throughput,
        Map.of(QuickProfile.BYTES, new Stat(2_632, 100)));

    assertThat(row.speedInterval()).isEqualTo(new Interval(2_632, 2_532, 2_732));
  }
}
