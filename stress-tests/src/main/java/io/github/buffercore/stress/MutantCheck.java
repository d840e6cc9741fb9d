package io.github.buffercore.stress;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jcstress.infra.Status;

/**
 * Runs the jcstress tests that should catch one mutant of buffer-core (used by
 * {@code stress-tests/mutants/run.sh}, which puts the mutated classes in front of the real ones on the
 * class path) and reports, per test, whether it caught the mutant: a FORBIDDEN outcome seen, or the
 * test erred (an exception, a hang) where the real code passes.
 *
 * <p>Usage: {@code java -cp mutant-classes:jcstress.jar io.github.buffercore.stress.MutantCheck
 * --tests registry.NoLostUpdate,registry.TunerLimit [--mode ci] [--cpus 2] [--results DIR]}. Prints one
 * line {@code CAUGHT <test> ...} or {@code MISSED <test> ...} per test and exits 0 if at least one test
 * caught the mutant, 1 if none did.
 */
public final class MutantCheck {

  private MutantCheck() { }

  /**
   * Entry point; see the class description for the options.
   *
   * @param args the options
   * @throws Exception if jcstress cannot be started or its results cannot be read
   */
  public static void main(String[] args) throws Exception {
    String mode = "ci";
    String cpus = "2";
    Path results = Paths.get("mutant-results");
    List<String> tests = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mode" -> mode = args[++i];
        case "--cpus" -> cpus = args[++i];
        case "--results" -> results = Paths.get(args[++i]);
        case "--tests" -> tests.addAll(List.of(args[++i].split(",")));
        default -> throw new IllegalArgumentException("Unknown option " + args[i]
            + "; usage: --tests a,b [--mode M] [--cpus N] [--results DIR]");
      }
    }
    if (tests.isEmpty()) {
      throw new IllegalArgumentException("--tests names no test");
    }
    List<String> quoted = new ArrayList<>();
    for (String test : tests) {
      quoted.add(test.replace(".", "\\."));
    }
    String filter = "^" + StressRunner.quote(StressRunner.STRESS_PACKAGE) + "(" + String.join("|", quoted) + ")$";
    StressRunner.jcstress(mode, cpus, results, filter, List.of());
    Map<String, StressRunner.Outcome> byTest = StressRunner.read(results);
    boolean caught = false;
    for (String test : tests) {
      StressRunner.Outcome result = byTest.get(StressRunner.STRESS_PACKAGE + test);
      if (result == null) {
        System.out.println("MISSED " + test + " (did not run)");
      } else if (result.status() != Status.NORMAL) {
        caught = true;
        System.out.println("CAUGHT " + test + " (" + result.status() + ": the test erred) " + firstLine(result));
      } else if (!result.passed()) {
        caught = true;
        System.out.println("CAUGHT " + test + " (forbidden outcome seen) " + result);
      } else {
        System.out.println("MISSED " + test + " " + result);
      }
    }
    System.exit(caught ? 0 : 1);
  }

  private static String firstLine(StressRunner.Outcome result) {
    for (String message : result.messages()) {
      if (!message.isBlank()) {
        return message.strip().lines().findFirst().orElse("");
      }
    }
    return "";
  }
}
