package io.github.buffercore.stress.check;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real classes pass every {@link Checks} check. The mutants that list a {@code check.*} test
 * (stress-tests/mutants: {@code effects-inside-compute}, the ring fences, the blind mutants of
 * 2026-12-01) show that the same checks fail on those bugs.
 */
class ChecksTest {

  @ParameterizedTest
  @ValueSource(strings = {"check.ReentrantCallbacks", "check.NoTornReadFences", "check.GateIdleStream",
      "check.RefusedSwitch", "check.SweepGateMembers", "check.EventsBeforeReturn", "check.StopDuringOpen"})
  void theRealClassesPass(String check) {
    Checks.Result result = Checks.run(check);
    assertThat(result.verdict()).as(check + ": " + result.line()).isEqualTo(Checks.Verdict.PASSED);
  }

  @Test
  void everyNamedCheckIsTested() {
    assertThat(Checks.NAMES).hasSize(7);
  }
}
