package io.github.buffercore.internal.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The RFC 8216 section 6.3.4 reload pacing, driven by a manual clock (nanoseconds). */
class ReloadPacerTest {

  private static final long S = 1_000_000_000L;

  @Test
  void afterAChangedLoadTheNextReloadIsOneTargetDurationAfterTheLoadBegan() {
    ReloadPacer pacer = new ReloadPacer(3);
    long t0 = 1_000 * S; // arbitrary origin, as System.nanoTime()
    pacer.loaded(t0, true, 6);
    assertThat(pacer.nextReloadAt()).isEqualTo(t0 + 6 * S);
    assertThat(pacer.due(t0 + 6 * S - 1)).isFalse();
    assertThat(pacer.due(t0 + 6 * S)).isTrue();
  }

  @Test
  void afterAnUnchangedLoadTheNextReloadIsHalfATargetDurationAfterIt() {
    ReloadPacer pacer = new ReloadPacer(3);
    pacer.loaded(0, true, 4);
    pacer.loaded(4 * S, false, 4);
    assertThat(pacer.nextReloadAt()).isEqualTo(4 * S + 2 * S);
    // A change resets the pace to the whole target duration.
    pacer.loaded(6 * S, true, 4);
    assertThat(pacer.nextReloadAt()).isEqualTo(10 * S);
  }

  @Test
  void theFirstLoadCountsAsChangedEvenIfTheCallerSaysOtherwise() {
    ReloadPacer pacer = new ReloadPacer(3);
    pacer.loaded(5 * S, false, 2);
    assertThat(pacer.nextReloadAt()).isEqualTo(7 * S);
    assertThat(pacer.unchangedNanos()).isZero();
  }

  @Test
  void aPlaylistIsStaleOnlyWhenUnchangedForLongerThanTheFactorTimesTheTargetDuration() {
    ReloadPacer pacer = new ReloadPacer(3);
    pacer.loaded(0, true, 2);
    long t = 2 * S;
    // Unchanged reloads every half target duration; stale strictly after 3 x 2 s = 6 s.
    while (t <= 6 * S) {
      pacer.loaded(t, false, 2);
      assertThat(pacer.stale()).as("unchanged for %d ns", t).isFalse();
      t = pacer.nextReloadAt();
    }
    pacer.loaded(t, false, 2);
    assertThat(t).isEqualTo(7 * S);
    assertThat(pacer.stale()).isTrue();
    assertThat(pacer.unchangedNanos()).isEqualTo(7 * S);
    pacer.loaded(t + S, true, 2);
    assertThat(pacer.stale()).isFalse();
  }

  @Test
  void worksAcrossNanoTimeOverflow() {
    ReloadPacer pacer = new ReloadPacer(3);
    long t0 = Long.MAX_VALUE - S;
    pacer.loaded(t0, true, 2);
    assertThat(pacer.due(t0 + S)).isFalse(); // still before, although the sum overflowed
    assertThat(pacer.due(t0 + 2 * S)).isTrue();
  }

  @Test
  void rejectsAFactorBelowOne() {
    assertThatThrownBy(() -> new ReloadPacer(0.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.5");
    assertThatThrownBy(() -> new ReloadPacer(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReloadPacer(3).nextReloadAt())
        .isInstanceOf(IllegalStateException.class);
  }
}
