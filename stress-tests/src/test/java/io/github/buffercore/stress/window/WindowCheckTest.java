package io.github.buffercore.stress.window;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real classes pass every {@link WindowCheck}: the forced interleaving (a release suspended in
 * {@code Lease.markReleased} while the holder acts, a cleanup suspended before its compute while a
 * client rejoins, a start run between a stop's state change and its action) keeps
 * ReaderClosedWithLease, StallEviction, GraceRejoin and StoppedNeverOpens.
 * The mutants {@code reader-closed-before-release}, {@code evict-reader-closed-first} and
 * {@code evict-check-then-mark} (stress-tests/mutants) show that the same checks fail on the bug.
 */
class WindowCheckTest {

  @ParameterizedTest
  @ValueSource(strings = {"window.CloseReader", "window.EvictReader", "window.EvictClose",
      "window.GraceRejoin", "window.StopStart", "window.TunerRelease", "window.MetricsRefresh"})
  void theRealLeasePassesTheForcedInterleaving(String check) {
    WindowCheck.Result result = WindowCheck.run(check);
    assertThat(result.verdict()).as(check + ": " + result.line() + "\n" + result.output())
        .isEqualTo(WindowCheck.Verdict.PASSED);
  }
}
