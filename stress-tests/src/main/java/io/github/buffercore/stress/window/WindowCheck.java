package io.github.buffercore.stress.window;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ClassType;
import com.sun.jdi.Location;
import com.sun.jdi.Method;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.LaunchingConnector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Deterministic checks of the release windows of {@code Lease} that jcstress reaches only when a
 * thread is preempted on one instruction: a JDI debugger launches {@link WindowScenarios} in a child
 * JVM (same class path, so a mutant's classes are in front of the real ones), suspends the releasing
 * thread at a breakpoint in {@code io.github.buffercore.internal.Lease.markReleased}, lets the other
 * side act inside the window, and resumes. The scenarios drive only the public API of the real
 * registry; the debugger only chooses the interleaving.
 *
 * <ul>
 *   <li>{@code window.CloseReader} (ReaderClosedWithLease): {@code close()} suspended at the start of
 *       {@code markReleased} while the holder creates its reader;
 *   <li>{@code window.EvictReader} (ReaderClosedWithLease): the stall sweep's eviction suspended there
 *       while the holder creates its reader;
 *   <li>{@code window.EvictClose} (StallEviction): the eviction suspended there, the holder's
 *       {@code close()} suspended right after it won the compare-and-set, the eviction run to its
 *       end, then the close.
 * </ul>
 *
 * <p>Used by {@code MutantCheck} (tests named {@code window.*} in a mutant file) and by the unit test
 * {@code WindowCheckTest}, which shows the real classes pass.
 */
public final class WindowCheck {

  private static final String LEASE = "io.github.buffercore.internal.Lease";
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);

  /** A check's verdict. */
  public enum Verdict {
    /** The invariant held in the forced interleaving. */
    PASSED,
    /** The invariant broke: a mutant is caught. */
    FORBIDDEN,
    /** The window was not reached or the child JVM failed: says nothing about the code. */
    HARNESS_ERROR
  }

  /**
   * A check's result.
   *
   * @param verdict the verdict
   * @param line the scenario's {@code RESULT} line, or what went wrong in the harness
   * @param output the child JVM's whole output
   */
  public record Result(Verdict verdict, String line, String output) { }

  private WindowCheck() { }

  /**
   * Command line: {@code WindowCheck window.CloseReader|window.EvictReader|window.EvictClose}; exits
   * 0 when the check passed, 1 when it found the invariant broken, 2 on a harness error.
   *
   * @param args the check's name
   * @throws Exception if the child JVM cannot be launched
   */
  public static void main(String[] args) throws Exception {
    Result result = run(args[0]);
    System.out.println(result.verdict() + " " + args[0] + ": " + result.line());
    System.exit(result.verdict() == Verdict.PASSED ? 0 : result.verdict() == Verdict.FORBIDDEN ? 1 : 2);
  }

  /**
   * Whether {@code test} names a window check.
   *
   * @param test a test name relative to {@code io.github.buffercore.stress.}
   * @return true for {@code window.*}
   */
  public static boolean isWindowCheck(String test) {
    return test.startsWith("window.");
  }

  /**
   * Runs one check in a child JVM on this JVM's class path.
   *
   * @param test {@code window.CloseReader}, {@code window.EvictReader} or {@code window.EvictClose}
   * @return its result
   * @throws IllegalArgumentException if {@code test} names no check
   */
  public static Result run(String test) {
    String scenario = switch (test) {
      case "window.CloseReader" -> "close-reader";
      case "window.EvictReader" -> "evict-reader";
      case "window.EvictClose" -> "evict-close";
      default -> throw new IllegalArgumentException("No window check named '" + test
          + "'; one of window.CloseReader, window.EvictReader, window.EvictClose");
    };
    try {
      return drive(scenario);
    } catch (Exception e) {
      return new Result(Verdict.HARNESS_ERROR, "the debugger failed: " + e, "");
    }
  }

  private static Result drive(String scenario) throws Exception {
    LaunchingConnector launcher = Bootstrap.virtualMachineManager().defaultConnector();
    Map<String, Connector.Argument> arguments = launcher.defaultArguments();
    arguments.get("options").setValue("-cp " + System.getProperty("java.class.path") + " -Xmx256m");
    arguments.get("main").setValue(WindowScenarios.class.getName() + " " + scenario);
    VirtualMachine vm = launcher.launch(arguments);
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread out = drain(vm.process().getInputStream(), output);
    Thread err = drain(vm.process().getErrorStream(), output);
    ClassPrepareRequest prepare = vm.eventRequestManager().createClassPrepareRequest();
    prepare.addClassFilter(LEASE);
    prepare.enable();
    String watched = scenario.equals("close-reader") ? "closer" : "evictor";
    ThreadReference suspendedWatched = null;
    boolean handledWatched = false;
    boolean handledMain = false;
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    boolean alive = true;
    vm.resume();
    while (alive) {
      if (System.nanoTime() - deadline > 0) {
        vm.process().destroyForcibly();
        return new Result(Verdict.HARNESS_ERROR, "the scenario did not end in 90 s", text(output));
      }
      EventSet events = vm.eventQueue().remove(200);
      if (events == null) {
        continue;
      }
      boolean resume = true;
      for (Event event : events) {
        if (event instanceof ClassPrepareEvent prepared) {
          breakpoints(vm, prepared.referenceType(), scenario.equals("evict-close"));
        } else if (event instanceof BreakpointEvent hit) {
          ThreadReference thread = hit.thread();
          if (thread.name().equals(watched) && !handledWatched && isEntry(hit.location())) {
            handledWatched = true;
            set(vm, "paused");
            if (scenario.equals("evict-close")) {
              suspendedWatched = thread; // resumed when the close is inside its own window
              resume = false;
            } else {
              await(vm, "proceed", deadline); // the holder's step inside the window
            }
          } else if (scenario.equals("evict-close") && thread.name().equals("main") && !handledMain
              && !isEntry(hit.location()) && suspendedWatched != null) {
            handledMain = true;
            set(vm, "proceed");
            suspendedWatched.resume(); // the eviction runs to its end while the close is suspended
            await(vm, "evictorDone", deadline);
          }
        } else if (event instanceof VMDeathEvent || event instanceof VMDisconnectEvent) {
          alive = false;
        }
      }
      if (alive && resume) {
        events.resume();
      }
    }
    int exit = vm.process().waitFor();
    out.join();
    err.join();
    String text = text(output);
    String line = text.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
        .orElse("no RESULT line (exit " + exit + ")");
    Verdict verdict = exit == 0 && line.startsWith("RESULT OK") ? Verdict.PASSED
        : exit == 1 && line.startsWith("RESULT FORBIDDEN") ? Verdict.FORBIDDEN : Verdict.HARNESS_ERROR;
    return new Result(verdict, line, text);
  }

  /**
   * A breakpoint at the first instruction of {@code markReleased}; with {@code afterCas}, one more at
   * its second line (reached only by the caller that won the compare-and-set, before it records the
   * reason). Each suspends only the thread that hits it.
   */
  private static void breakpoints(VirtualMachine vm, ReferenceType lease, boolean afterCas)
      throws Exception {
    List<Method> methods = lease.methodsByName("markReleased");
    if (methods.size() != 1) {
      throw new IllegalStateException("Expected one Lease.markReleased, found " + methods.size());
    }
    Method method = methods.get(0);
    request(vm, method.location());
    if (afterCas) {
      List<Location> lines = method.allLineLocations();
      if (lines.size() < 2) {
        throw new IllegalStateException("Lease.markReleased has no second line: " + lines);
      }
      request(vm, lines.get(1));
    }
  }

  private static void request(VirtualMachine vm, Location location) {
    BreakpointRequest request = vm.eventRequestManager().createBreakpointRequest(location);
    request.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
    request.enable();
  }

  private static boolean isEntry(Location location) {
    return location.codeIndex() == location.method().location().codeIndex();
  }

  private static void set(VirtualMachine vm, String field) throws Exception {
    ClassType scenarios = scenarios(vm);
    scenarios.setValue(scenarios.fieldByName(field), vm.mirrorOf(true));
  }

  private static void await(VirtualMachine vm, String field, long deadline) throws InterruptedException {
    ClassType scenarios = scenarios(vm);
    while (!Boolean.parseBoolean(String.valueOf(scenarios.getValue(scenarios.fieldByName(field))))) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("The scenario never set " + field);
      }
      Thread.sleep(5); // polls another JVM over JDWP; not a race fix: the order is forced by the flags
    }
  }

  private static ClassType scenarios(VirtualMachine vm) {
    List<ReferenceType> types = vm.classesByName(WindowScenarios.class.getName());
    if (types.isEmpty()) {
      throw new IllegalStateException("WindowScenarios is not loaded in the child JVM");
    }
    return (ClassType) types.get(0);
  }

  private static Thread drain(InputStream in, ByteArrayOutputStream into) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          synchronized (into) {
            into.write(buffer, 0, n);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "window-drain");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static String text(ByteArrayOutputStream output) {
    synchronized (output) {
      return output.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
