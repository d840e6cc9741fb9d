package io.github.buffercore.stress.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.buffercore.stress.RegistryFactory;
import io.github.buffercore.stress.broken.GetThenPutUpdate;
import io.github.buffercore.stress.broken.RaceWindow;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck, model-checking mode: the real registry's getOrCreate / update / acquire / close /
 * cleanup / snapshot are linearizable with respect to {@link RegistryModel}; and the same check
 * catches a broken variant (get-then-put update), which shows it can fail.
 *
 * <p>Bounds: 2 threads x 3 operations after 1 initial operation, {@value #ITERATIONS} scenarios x
 * {@value #INVOCATIONS} interleavings each, far below Lincheck's defaults (100 x 10,000): the real
 * registry (Caffeine and CompletableFuture under the model checker's eager instrumentation) runs
 * 7 to 20 invocations per second here (depending on what else runs on the 2 cores), and CI allows
 * about 3 minutes for Lincheck; 8 x 250 took 172 s on a loaded machine, 5 x 200 took 48 s on a quiet
 * one. The broken variant skips scenario minimization: the failure is found in the first iterations
 * and minimizing it cost more than the search.
 */
class RegistryLinearizabilityTest {

  static final int ITERATIONS = 6;
  static final int INVOCATIONS = 200;

  /**
   * The deep mode ({@code stress-tests/deep.sh}) raises the bounds through system properties:
   * {@code lincheck.iterations}, {@code lincheck.invocations}, {@code lincheck.threads},
   * {@code lincheck.actorsPerThread}; the defaults are the bounded CI values above.
   */
  static int bound(String property, int ciValue) {
    String value = System.getProperty(property);
    return value == null || value.isBlank() ? ciValue : Integer.parseInt(value.strip());
  }

  /** The real registry. */
  public static class RealRegistry extends RegistryOperations {
    public RealRegistry() {
      super(RegistryFactory.REAL);
    }
  }

  /** The broken get-then-put update; no race-window widening, the model checker needs none. */
  public static class BrokenUpdateRegistry extends RegistryOperations {
    public BrokenUpdateRegistry() {
      super((streamGrace, idleGrace, ticker) ->
          new GetThenPutUpdate(streamGrace, idleGrace, ticker, RaceWindow.NONE));
    }
  }

  static ModelCheckingOptions options() {
    return new ModelCheckingOptions()
        .iterations(bound("lincheck.iterations", ITERATIONS))
        .invocationsPerIteration(bound("lincheck.invocations", INVOCATIONS))
        .threads(bound("lincheck.threads", 2))
        .actorsPerThread(bound("lincheck.actorsPerThread", 3))
        .actorsBefore(1)
        .actorsAfter(1)
        .sequentialSpecification(RegistryModel.class);
  }

  @Test
  void realRegistryIsLinearizable() {
    LinChecker.check(RealRegistry.class, options());
  }

  @Test
  void brokenGetThenPutUpdateIsCaught() {
    Throwable failure = catchThrowable(() -> LinChecker.check(BrokenUpdateRegistry.class,
        options().minimizeFailedScenario(false)));
    assertThat(failure)
        .as("Lincheck must find the lost update of the get-then-put variant")
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Invalid execution results");
    System.out.println("Lincheck caught the broken get-then-put update:\n" + failure.getMessage());
  }
}
