package io.github.buffercore.stress;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.github.buffercore.stress.check.Checks;
import io.github.buffercore.stress.window.WindowCheck;
import org.openjdk.jcstress.infra.Status;

/**
 * Runs the jcstress tests that should catch one mutant of buffer-core (used by
 * {@code stress-tests/mutants/run.sh}, which puts the mutated classes in front of the real ones on the
 * class path) and reports, per test, whether it caught the mutant: a FORBIDDEN outcome seen, or the
 * test erred where the real code passes: an exception thrown by an actor or the arbiter
 * ({@code TEST_ERROR}, printed with its exception and the first frame in buffer-core, so a reader can
 * see it is the planted bug) or a hang ({@code TIMEOUT_ERROR}). A crash of the harness (the forked VM
 * died, the test could not be instantiated, an API mismatch) is never counted as a catch: it says
 * nothing about the mutant.
 *
 * <p>Usage: {@code java -cp mutant-classes:jcstress.jar io.github.buffercore.stress.MutantCheck
 * --tests registry.NoLostUpdate,registry.TunerLimit [--mode ci] [--cpus 2] [--results DIR] [-- extra jcstress
 * options]}. Prints one
 * line {@code CAUGHT <test> ...} or {@code MISSED <test> ...} per test and exits 0 if at least one test
 * caught the mutant, 1 if none did. Tests named {@code window.*} are not jcstress tests but
 * {@link WindowCheck}s: one interleaving forced through a debugger, caught when it ends FORBIDDEN;
 * tests named {@code check.*} are deterministic {@link Checks} run in this JVM (a callback that
 * re-enters the registry, the ring's compiled fence order), caught when they end FORBIDDEN.
 */
public final class MutantCheck {

  /** A stack trace's exception line: {@code java.lang.IllegalStateException: ...}. */
  private static final java.util.regex.Pattern EXCEPTION =
      java.util.regex.Pattern.compile("([a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(Exception|Error)\\b");

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
    List<String> extra = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mode" -> mode = args[++i];
        case "--cpus" -> cpus = args[++i];
        case "--results" -> results = Paths.get(args[++i]);
        case "--tests" -> tests.addAll(List.of(args[++i].split(",")));
        case "--" -> {
          extra.addAll(List.of(args).subList(i + 1, args.length));
          i = args.length;
        }
        default -> throw new IllegalArgumentException("Unknown option " + args[i]
            + "; usage: --tests a,b [--mode M] [--cpus N] [--results DIR] [-- jcstress options]");
      }
    }
    if (tests.isEmpty()) {
      throw new IllegalArgumentException("--tests names no test");
    }
    List<String> quoted = new ArrayList<>();
    for (String test : tests) {
      if (!WindowCheck.isWindowCheck(test) && !Checks.isCheck(test)) {
        quoted.add(test.replace(".", "\\."));
      }
    }
    Map<String, StressRunner.Outcome> byTest = Map.of();
    if (!quoted.isEmpty()) {
      String filter = "^" + StressRunner.quote(StressRunner.STRESS_PACKAGE) + "(" + String.join("|", quoted) + ")$";
      StressRunner.jcstress(mode, cpus, results, filter, extra);
      byTest = StressRunner.read(results);
    }
    boolean caught = false;
    for (String test : tests) {
      if (Checks.isCheck(test)) {
        Checks.Result check = Checks.run(test);
        if (check.verdict() == Checks.Verdict.FORBIDDEN) {
          caught = true;
          System.out.println("CAUGHT " + test + " (deterministic check) " + check.line());
        } else if (check.verdict() == Checks.Verdict.PASSED) {
          System.out.println("MISSED " + test + " (deterministic check) " + check.line());
        } else {
          System.out.println("MISSED " + test + " (harness error, not counted as a catch) " + check.line());
        }
        continue;
      }
      if (WindowCheck.isWindowCheck(test)) {
        WindowCheck.Result window = WindowCheck.run(test);
        if (window.verdict() == WindowCheck.Verdict.FORBIDDEN) {
          caught = true;
          System.out.println("CAUGHT " + test + " (forced interleaving, JDI) " + window.line());
        } else if (window.verdict() == WindowCheck.Verdict.PASSED) {
          System.out.println("MISSED " + test + " (forced interleaving, JDI) " + window.line());
        } else {
          System.out.println("MISSED " + test + " (harness error, not counted as a catch) " + window.line());
          System.out.println(window.output());
        }
        continue;
      }
      StressRunner.Outcome result = byTest.get(StressRunner.STRESS_PACKAGE + test);
      if (result == null) {
        System.out.println("MISSED " + test + " (did not run)");
      } else if (result.status() == Status.TEST_ERROR || result.status() == Status.TIMEOUT_ERROR) {
        caught = true;
        System.out.println("CAUGHT " + test + " (" + result.status() + ": the test erred) " + error(result));
      } else if (result.status() != Status.NORMAL) {
        System.out.println("MISSED " + test + " (" + result.status()
            + ": the harness failed, not counted as a catch) " + error(result));
      } else if (!result.passed()) {
        caught = true;
        System.out.println("CAUGHT " + test + " (forbidden outcome seen) " + result);
      } else {
        System.out.println("MISSED " + test + " " + result);
      }
    }
    System.exit(caught ? 0 : 1);
  }

  /**
   * The erring test's exception: its first line (class and message) and the first stack frame in
   * buffer-core's own code, e.g. {@code java.lang.IllegalStateException: ... at
   * io.github.buffercore.internal.PlaylistCreation.getOrCreate(PlaylistCreation.java:81)}.
   */
  static String error(StressRunner.Outcome result) {
    String first = null;
    String exception = null;
    String frame = null;
    for (String message : result.messages()) {
      for (String line : (Iterable<String>) message.strip().lines()::iterator) {
        String text = line.strip();
        if (text.isEmpty()) {
          continue;
        }
        if (first == null) {
          first = text; // jcstress's own headline, e.g. "Unrecoverable error while running"
        }
        String candidate = text.startsWith("Caused by: ") ? text.substring("Caused by: ".length()) : text;
        if (exception == null && EXCEPTION.matcher(candidate).lookingAt()
            && !candidate.startsWith("org.openjdk.jcstress.")) {
          exception = candidate;
        } else if (exception != null && frame == null && text.startsWith("at io.github.buffercore.")
            && !text.startsWith("at io.github.buffercore.stress.")) {
          frame = text;
        }
      }
      if (exception != null && frame != null) {
        break;
      }
    }
    if (exception == null) {
      return first == null ? "(no exception text)" : first;
    }
    first = exception;
    return frame == null ? first : first + " " + frame;
  }
}
