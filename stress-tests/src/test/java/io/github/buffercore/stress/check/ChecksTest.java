package io.github.buffercore.stress.check;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real classes pass every {@link Checks} check. The mutants {@code effects-inside-compute},
 * {@code ring-no-storestore-fence} and {@code ring-no-loadload-fence} (stress-tests/mutants) show
 * that the same checks fail on those bugs.
 */
class ChecksTest {

  @ParameterizedTest
  @ValueSource(strings = {"check.ReentrantCallbacks", "check.NoTornReadFences"})
  void theRealClassesPass(String check) {
    Checks.Result result = Checks.run(check);
    assertThat(result.verdict()).as(check + ": " + result.line()).isEqualTo(Checks.Verdict.PASSED);
  }
}
