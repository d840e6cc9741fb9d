package io.github.buffercore.stress.check;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Deterministic checks run in this JVM, on its class path (so a mutant's classes are in front of the
 * real ones when {@code MutantCheck} runs them): tests named {@code check.*} in a mutant file.
 *
 * <ul>
 *   <li>{@code check.ReentrantCallbacks} ({@link ReentrantCallbacks}): a listener and a
 *       {@code ClientLease.onEnded} callback that call back into the registry for the same playlist;
 *   <li>{@code check.NoTornReadFences} ({@link NoTornReadFences}): the order of the ring's intent
 *       store/load, fences and byte copies in the compiled {@code BroadcastRing.write} and
 *       {@code RingReader.tryCopy} (a structural guard, see its class description);
 *   <li>{@code check.GateIdleStream}, {@code check.RefusedSwitch}, {@code check.SweepGateMembers},
 *       {@code check.EventsBeforeReturn}, {@code check.StopDuringOpen} ({@link RegistrySequences}): short sequences of the public
 *       API that reach states the jcstress tests of their invariants do not.
 * </ul>
 *
 * <p>A check that returns a violation is FORBIDDEN; one that does not end within
 * {@link #TIMEOUT_SECONDS} is FORBIDDEN too (a callback waiting for itself: the real classes end at
 * once); a check that cannot run (a class or tool missing) is a harness error, never a catch.
 */
public final class Checks {

  /** How long a check may take before it counts as hung. */
  static final int TIMEOUT_SECONDS = 30;

  /** A check's verdict. */
  public enum Verdict {
    /** The invariant held. */
    PASSED,
    /** The invariant broke: a mutant is caught. */
    FORBIDDEN,
    /** The check could not run: says nothing about the code. */
    HARNESS_ERROR
  }

  /**
   * A check's result.
   *
   * @param verdict the verdict
   * @param line one line: what was seen
   */
  public record Result(Verdict verdict, String line) { }

  /** Thrown by a check that cannot run at all (not a finding about the code). */
  static final class HarnessError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HarnessError(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Every check's name. */
  public static final java.util.List<String> NAMES = java.util.List.of("check.ReentrantCallbacks",
      "check.NoTornReadFences", "check.GateIdleStream", "check.RefusedSwitch", "check.SweepGateMembers",
      "check.EventsBeforeReturn", "check.StopDuringOpen");

  private Checks() { }

  /**
   * Whether {@code test} names a check of this class.
   *
   * @param test a test name relative to {@code io.github.buffercore.stress.}
   * @return true for {@code check.*}
   */
  public static boolean isCheck(String test) {
    return test.startsWith("check.");
  }

  /**
   * Command line: {@code Checks check.<Name>} (one of {@link #NAMES}); exits 0 when the
   * check passed, 1 when it found the invariant broken, 2 on a harness error.
   *
   * @param args the check's name
   */
  public static void main(String[] args) {
    Result result = run(args[0]);
    System.out.println(result.verdict() + " " + args[0] + ": " + result.line());
    System.exit(result.verdict() == Verdict.PASSED ? 0 : result.verdict() == Verdict.FORBIDDEN ? 1 : 2);
  }

  /**
   * Runs one check.
   *
   * @param test one of {@link #NAMES}
   * @return its result
   * @throws IllegalArgumentException if {@code test} names no check
   */
  public static Result run(String test) {
    Callable<String> check = switch (test) {
      case "check.ReentrantCallbacks" -> ReentrantCallbacks::run;
      case "check.NoTornReadFences" -> NoTornReadFences::checkRing;
      case "check.GateIdleStream" -> RegistrySequences::gateIdleStream;
      case "check.RefusedSwitch" -> RegistrySequences::refusedSwitch;
      case "check.SweepGateMembers" -> RegistrySequences::sweepGateMembers;
      case "check.EventsBeforeReturn" -> RegistrySequences::eventsBeforeReturn;
      case "check.StopDuringOpen" -> RegistrySequences::stopDuringOpen;
      default -> throw new IllegalArgumentException("No check named '" + test + "'; one of " + NAMES);
    };
    return runBounded(check);
  }

  /** Runs {@code check} (null: passed; else the violation) on a daemon thread, at most the timeout. */
  static Result runBounded(Callable<String> check) {
    AtomicReference<Result> result = new AtomicReference<>();
    Thread thread = new Thread(() -> {
      try {
        String violation = check.call();
        result.set(violation == null ? new Result(Verdict.PASSED, "ok")
            : new Result(Verdict.FORBIDDEN, violation));
      } catch (HarnessError e) {
        result.set(new Result(Verdict.HARNESS_ERROR, e.getMessage() + (e.getCause() == null ? ""
            : ": " + e.getCause())));
      } catch (Throwable e) {
        result.set(new Result(Verdict.FORBIDDEN, "the check threw " + e));
      }
    }, "check");
    thread.setDaemon(true); // a hung check must not keep the JVM alive
    thread.start();
    try {
      thread.join(TIMEOUT_SECONDS * 1000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(Verdict.HARNESS_ERROR, "interrupted while waiting for the check");
    }
    Result done = result.get();
    if (done == null) {
      return new Result(Verdict.FORBIDDEN, "the check did not end in " + TIMEOUT_SECONDS
          + " s (hung: " + stack(thread) + ")");
    }
    return done;
  }

  private static String stack(Thread thread) {
    StringBuilder text = new StringBuilder();
    StackTraceElement[] frames = thread.getStackTrace();
    for (int i = 0; i < Math.min(6, frames.length); i++) {
      text.append(i == 0 ? "" : " < ").append(frames[i]);
    }
    return text.toString();
  }
}
