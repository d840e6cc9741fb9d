package io.github.buffercore.stress.window;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ClassType;
import com.sun.jdi.Field;
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
import com.sun.jdi.event.ModificationWatchpointEvent;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import com.sun.jdi.request.ModificationWatchpointRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Deterministic checks of windows that jcstress reaches only when a thread is preempted on one
 * instruction: a JDI debugger launches {@link WindowScenarios} in a child JVM (same class path, so a
 * mutant's classes are in front of the real ones), suspends one thread at a breakpoint (in
 * {@code Lease.markReleased}, or before a cleanup's compute), lets the other side act inside the
 * window, and resumes. The scenarios drive only the public API of the real
 * registry; the debugger only chooses the interleaving.
 *
 * <ul>
 *   <li>{@code window.CloseReader} (ReaderClosedWithLease): {@code close()} suspended at the start of
 *       {@code markReleased} while the holder creates its reader;
 *   <li>{@code window.EvictReader} (ReaderClosedWithLease): the stall sweep's eviction suspended there
 *       while the holder creates its reader;
 *   <li>{@code window.EvictClose} (StallEviction): the eviction suspended there, the holder's
 *       {@code close()} suspended right after it won the compare-and-set, the eviction run to its
 *       end, then the close;
 *   <li>{@code window.GraceRejoin} (GraceRejoin): a cleanup past the stream's grace, suspended
 *       after its pre-check saw the stream idle and before its compute
 *       ({@code DefaultPlaylistRegistry.apply}), while a client rejoins the stream;
 *   <li>{@code window.StopStart} (StoppedNeverOpens): a join's start suspended at the entry of
 *       {@code SharedStream.start}, a cleanup's stop of that stream suspended at the second line of
 *       {@code SharedStream.stop} (right after its state change), the start run to its end, then
 *       the stop; a write of {@code SharedStream.executed} by the start (a pump handed to a thread)
 *       is the forbidden result;
 *   <li>{@code window.TunerRelease} (CloseLeavesNothing): a cleanup's release of a stopped stream's
 *       {@code TunerHold} suspended right after its first critical section, while the stream's start
 *       attaches the slot the pool just granted; a slot still held at the end is the forbidden result;
 *   <li>{@code window.MetricsRefresh} (ExactDeltas): a binder's refresh suspended between its read of
 *       the stats it saw last and its store of the new ones while a second refresh runs; the
 *       stats-fed counter must hold the bytes once.
 * </ul>
 *
 * <p>Used by {@code MutantCheck} (tests named {@code window.*} in a mutant file) and by the unit test
 * {@code WindowCheckTest}, which shows the real classes pass.
 */
public final class WindowCheck {

  private static final String LEASE = "io.github.buffercore.internal.Lease";
  private static final String REGISTRY = "io.github.buffercore.internal.DefaultPlaylistRegistry";
  private static final String STREAM = "io.github.buffercore.internal.SharedStream";
  private static final String HOLD = "io.github.buffercore.internal.TunerHold";
  private static final String METRICS = "io.github.buffercore.micrometer.BufferCoreMetrics";

  /**
   * Where a scenario suspends its watched thread: the first instruction of {@code method} of
   * {@code type}, on the thread named {@code thread}; with {@code afterCas}, the thread {@code main}
   * is suspended again at the second line of that method (the third scenario).
   */
  private record Window(String scenario, String type, String method, String thread, boolean afterCas) { }
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
   * Command line: {@code WindowCheck window.CloseReader|EvictReader|EvictClose|GraceRejoin|StopStart}; exits
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
   * @param test {@code window.CloseReader}, {@code window.EvictReader}, {@code window.EvictClose},
   *     {@code window.GraceRejoin}, {@code window.StopStart} or {@code window.TunerRelease}
   * @return its result
   * @throws IllegalArgumentException if {@code test} names no check
   */
  public static Result run(String test) {
    Window window = switch (test) {
      case "window.CloseReader" -> new Window("close-reader", LEASE, "markReleased", "closer", false);
      case "window.EvictReader" -> new Window("evict-reader", LEASE, "markReleased", "evictor", false);
      case "window.EvictClose" -> new Window("evict-close", LEASE, "markReleased", "evictor", true);
      case "window.GraceRejoin" -> new Window("grace-rejoin", REGISTRY, "apply", "expirer", false);
      case "window.StopStart" -> new Window("stop-start", STREAM, "start", "starter", false);
      case "window.TunerRelease" -> new Window("tuner-release", HOLD, "release", "releaser", false);
      case "window.MetricsRefresh" -> new Window("metrics-refresh", METRICS, "refresh", "refresher", false);
      default -> throw new IllegalArgumentException("No window check named '" + test
          + "'; one of window.CloseReader, window.EvictReader, window.EvictClose, window.GraceRejoin,"
          + " window.StopStart, window.TunerRelease, window.MetricsRefresh");
    };
    try {
      return drive(window);
    } catch (Exception e) {
      return new Result(Verdict.HARNESS_ERROR, "the debugger failed: " + e, "");
    }
  }

  private static Result drive(Window window) throws Exception {
    String scenario = window.scenario();
    LaunchingConnector launcher = Bootstrap.virtualMachineManager().defaultConnector();
    Map<String, Connector.Argument> arguments = launcher.defaultArguments();
    arguments.get("options").setValue("-cp " + System.getProperty("java.class.path") + " -Xmx256m");
    arguments.get("main").setValue(WindowScenarios.class.getName() + " " + scenario);
    VirtualMachine vm = launcher.launch(arguments);
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread out = drain(vm.process().getInputStream(), output);
    Thread err = drain(vm.process().getErrorStream(), output);
    ClassPrepareRequest prepare = vm.eventRequestManager().createClassPrepareRequest();
    prepare.addClassFilter(window.type());
    prepare.enable();
    String watched = window.thread();
    // Threads held at a breakpoint until a flag of the scenario is set; the event loop never blocks,
    // so other threads' hits (the holder's own calls into the same method) are resumed at once.
    ThreadReference held = null;
    String heldUntil = null;
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
      if (held != null && flag(vm, heldUntil)) {
        held.resume();
        held = null;
      }
      EventSet events = vm.eventQueue().remove(10);
      if (events == null) {
        continue;
      }
      boolean resume = true;
      for (Event event : events) {
        if (event instanceof ClassPrepareEvent prepared && scenario.equals("tuner-release")) {
          afterFirstLock(vm, prepared.referenceType(), window.method());
        } else if (event instanceof ClassPrepareEvent prepared && scenario.equals("metrics-refresh")) {
          lineAfterCall(vm, prepared.referenceType(), window.method(), "getOrDefault:");
        } else if (event instanceof ClassPrepareEvent prepared) {
          breakpoints(vm, prepared.referenceType(), window.method(), window.afterCas());
          if (scenario.equals("stop-start")) {
            stopStartRequests(vm, prepared.referenceType());
          }
        } else if (event instanceof ModificationWatchpointEvent written) {
          if (written.thread().name().equals(watched) && handledMain) {
            set(vm, "handedOver"); // the start handed a pump over after the stop changed the state
          }
        } else if (event instanceof BreakpointEvent hit && scenario.equals("stop-start")
            && hit.thread().name().equals("stopper") && !isEntry(hit.location())) {
          if (!handledMain && suspendedWatched != null) {
            handledMain = true;
            set(vm, "proceed");
            suspendedWatched.resume(); // the start runs to its end while the stop is suspended
            resume = false;
            held = hit.thread();
            heldUntil = "starterDone";
          }
        } else if (event instanceof BreakpointEvent hit) {
          ThreadReference thread = hit.thread();
          if (thread.name().equals(watched) && !handledWatched
              && (isEntry(hit.location()) || scenario.equals("tuner-release")
                  || scenario.equals("metrics-refresh"))) {
            handledWatched = true;
            set(vm, "paused");
            resume = false;
            if (window.afterCas() || scenario.equals("stop-start")) {
              suspendedWatched = thread; // resumed when the other side is inside its own window
            } else {
              held = thread; // until the scenario's step inside the window is done
              heldUntil = "proceed";
            }
          } else if (window.afterCas() && thread.name().equals("main") && !handledMain
              && !isEntry(hit.location()) && suspendedWatched != null) {
            handledMain = true;
            set(vm, "proceed");
            suspendedWatched.resume(); // the eviction runs to its end while the close is suspended
            resume = false;
            held = thread;
            heldUntil = "evictorDone";
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
   * A breakpoint at the first instruction of the method; with {@code afterCas}, one more at
   * its second line (reached only by the caller that won the compare-and-set, before it records the
   * reason). Each suspends only the thread that hits it.
   */
  private static void breakpoints(VirtualMachine vm, ReferenceType type, String name, boolean afterCas)
      throws Exception {
    List<Method> methods = type.methodsByName(name);
    if (methods.size() != 1) {
      throw new IllegalStateException("Expected one " + type.name() + "." + name + ", found " + methods.size());
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

  /**
   * The tuner-release scenario's breakpoint: the first instruction after the first critical section
   * of {@code method} (the target of the {@code goto} that follows its first {@code monitorexit}, i.e.
   * where the normal path leaves the {@code synchronized} block), found with {@code javap} in the class
   * file the debuggee loads (a mutant's, when it is on the class path in front).
   */
  private static void afterFirstLock(VirtualMachine vm, ReferenceType type, String name) throws Exception {
    List<Method> methods = type.methodsByName(name);
    if (methods.size() != 1) {
      throw new IllegalStateException("Expected one " + type.name() + "." + name + ", found " + methods.size());
    }
    long target = io.github.buffercore.stress.check.NoTornReadFences.afterFirstMonitorExit(type.name(), name);
    Location location = methods.get(0).locationOfCodeIndex(target);
    if (location == null) {
      throw new IllegalStateException("No location at bytecode index " + target + " of " + type.name() + "." + name);
    }
    request(vm, location);
  }

  /**
   * The metrics-refresh scenario's breakpoint: the first line after the line of {@code method}'s
   * first call whose javap text contains {@code call} (the refresh's read of the stats it saw last).
   */
  private static void lineAfterCall(VirtualMachine vm, ReferenceType type, String name, String call)
      throws Exception {
    List<Method> methods = type.methodsByName(name);
    if (methods.size() != 1) {
      throw new IllegalStateException("Expected one " + type.name() + "." + name + ", found " + methods.size());
    }
    Method method = methods.get(0);
    long index = io.github.buffercore.stress.check.NoTornReadFences.firstCallIndex(type.name(), name, call);
    int line = method.locationOfCodeIndex(index).lineNumber();
    Location next = null;
    for (Location location : method.allLineLocations()) {
      if (location.codeIndex() > index && location.lineNumber() != line
          && (next == null || location.codeIndex() < next.codeIndex())) {
        next = location;
      }
    }
    if (next == null) {
      throw new IllegalStateException("No line after " + call + " in " + type.name() + "." + name);
    }
    request(vm, next);
  }

  /**
   * The stop-start scenario's other requests: a breakpoint at the second line of
   * {@code SharedStream.stop} (right after its state change) and a watchpoint on writes of
   * {@code SharedStream.executed} (a pump handed to a thread).
   */
  private static void stopStartRequests(VirtualMachine vm, ReferenceType stream) throws Exception {
    List<Method> stops = stream.methodsByName("stop");
    if (stops.size() != 1) {
      throw new IllegalStateException("Expected one SharedStream.stop, found " + stops.size());
    }
    List<Location> lines = stops.get(0).allLineLocations();
    if (lines.size() < 2) {
      throw new IllegalStateException("SharedStream.stop has no second line: " + lines);
    }
    request(vm, lines.get(1));
    Field executed = stream.fieldByName("executed");
    if (executed == null) {
      throw new IllegalStateException("SharedStream has no field 'executed'");
    }
    ModificationWatchpointRequest watch = vm.eventRequestManager().createModificationWatchpointRequest(executed);
    watch.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
    watch.enable();
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

  private static boolean flag(VirtualMachine vm, String field) {
    ClassType scenarios = scenarios(vm);
    return Boolean.parseBoolean(String.valueOf(scenarios.getValue(scenarios.fieldByName(field))));
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
