package io.github.buffercore.stress;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;
import org.openjdk.jcstress.infra.grading.TestGrading;

/**
 * The CI entry point of the jcstress run (bound to the {@code verify} phase of this module):
 *
 * <ol>
 *   <li>runs every real test (one per invariant, {@code io.github.buffercore.stress.<area>.<Invariant>},
 *       found through {@link TestCatalog}, not a hand-kept list) in one jcstress run and fails unless
 *       jcstress exits 0 <em>and</em> each of them ran and passed (a test that jcstress could not
 *       schedule would otherwise be silently missing), and unless each has a broken variant;
 *   <li>runs every broken variant (the nested {@code Broken*} classes of the real tests) in a second jcstress
 *       run and fails unless each of them ran normally and showed at least one FORBIDDEN outcome (a
 *       broken variant that passes, or only crashes, means the test cannot catch the bug).
 * </ol>
 *
 * <p>Usage: {@code java -cp jcstress.jar io.github.buffercore.stress.StressRunner [--mode ci|deep|sanity|quick|default|tough]
 * [--cpus 2] [--results dir] [--only real|broken] [-- extra jcstress options]}. Each jcstress run is
 * a child process of this same jar, so its exit code and result file are its own.
 */
public final class StressRunner {

  static final String STRESS_PACKAGE = "io.github.buffercore.stress.";

  /**
   * The bounded CI mode: jcstress's {@code quick} preset (5 iterations of 200 ms per fork), but one
   * JVM configuration ({@code -jvmArgs} turns off the probing of flag combinations) and no split
   * per-actor compilation. About 10 s and 1-3 million samples per test on 2 cores, against 28 forks
   * of about 2 minutes per test for plain {@code quick} and only a handful of samples for
   * {@code sanity}, which exercises nothing.
   */
  static final List<String> CI_MODE = List.of("-m", "quick", "-sc", "false", "-jvmArgs", "-Xmx512m");

  /**
   * The deep mode's jcstress options: jcstress's {@code default} preset (every probed JVM flag
   * combination: biased locking on and off, each with and without C2's scheduling randomizers) with
   * two stress forks per randomized configuration instead of the preset's number (10 forks per real
   * test, 250 in all, against 16 and 400), one iteration of 1 s per fork instead of five, no heap
   * pre-touch, 1 GB of heap per fork (a stride of CloseLeavesNothing's data paths ran out of the
   * preset's 256 MB), and without split per-actor compilation. Split compilation multiplies every
   * configuration by 7 (700 forks for the 25 real tests) and alone took longer than the deep run's
   * two hours: 303 of those 700 forks passed in 44 minutes on 2026-12-01 (0 failed, 8.7 s per fork),
   * about 100 minutes for the step; the preset's 400 forks without it would take about an hour.
   * Plain {@code --mode default} keeps jcstress's own numbers, split compilation included.
   */
  static final List<String> DEEP_MODE = List.of(
      "-m", "default", "-sc", "false", "-fsm", "2", "-iters", "1", "-pth", "false", "-hs", "1024");

  private StressRunner() { }

  public static void main(String[] args) throws Exception {
    String mode = "ci";
    String cpus = "2";
    String only = "all";
    Path results = Paths.get("jcstress-results");
    List<String> extra = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mode" -> mode = args[++i];
        case "--cpus" -> cpus = args[++i];
        case "--results" -> results = Paths.get(args[++i]);
        case "--only" -> only = args[++i];
        case "--" -> {
          extra.addAll(List.of(args).subList(i + 1, args.length));
          i = args.length;
        }
        default -> throw new IllegalArgumentException("Unknown option " + args[i]
            + "; usage: [--mode M] [--cpus N] [--results DIR] [--only real|broken] [-- jcstress options]");
      }
    }
    System.out.println("Under test: " + StressKit.describe());
    List<String> problems = new ArrayList<>();
    long start = System.nanoTime();
    if (!only.equals("broken")) {
      problems.addAll(runReal(mode, cpus, results.resolve("real"), extra));
    }
    if (!only.equals("real")) {
      problems.addAll(runBroken(mode, cpus, results.resolve("broken"), extra));
    }
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    System.out.println();
    if (problems.isEmpty()) {
      System.out.printf("STRESS OK (%s mode, %d s): every real test passed, every broken variant was caught.%n",
          mode, seconds);
      return;
    }
    System.out.printf("STRESS FAILED (%s mode, %d s):%n", mode, seconds);
    problems.forEach(p -> System.out.println("  - " + p));
    System.exit(1);
  }

  private static List<String> runReal(String mode, String cpus, Path dir, List<String> extra)
      throws Exception {
    banner("Real registry and stream buffer: every test must pass");
    int exit = jcstress(mode, cpus, dir, TestCatalog.REAL_FILTER, extra);
    Map<String, Outcome> byTest = read(dir);
    List<String> problems = new ArrayList<>();
    if (exit != 0) {
      problems.add("jcstress exited " + exit + " on the real tests (see " + dir + ")");
    }
    TestCatalog catalog = TestCatalog.load();
    for (String real : catalog.realTests()) {
      if (catalog.brokenOf(real).isEmpty()) {
        problems.add(real + " has no nested Broken* variant: nothing shows that it can fail");
      }
    }
    for (String test : catalog.realTests()) {
      Outcome result = byTest.get(test);
      if (result == null) {
        problems.add(test + " did not run");
      } else if (result.status() != Status.NORMAL || !result.passed()) {
        problems.add(test + " FAILED on the real registry: " + result + " " + result.messages());
      } else {
        System.out.println("  passed: " + test + "  " + result);
      }
    }
    return problems;
  }

  private static List<String> runBroken(String mode, String cpus, Path dir, List<String> extra)
      throws Exception {
    banner("Broken variants: every test must FAIL (a FORBIDDEN outcome must be seen)");
    jcstress(mode, cpus, dir, TestCatalog.BROKEN_FILTER, extra);
    // jcstress exits 1 here by design; what matters is each test's own grading.
    Map<String, Outcome> byTest = read(dir);
    List<String> problems = new ArrayList<>();
    for (String test : TestCatalog.load().brokenTests()) {
      Outcome result = byTest.get(test);
      if (result == null) {
        problems.add(test + " did not run");
      } else if (result.status() != Status.NORMAL) {
        problems.add(test + " crashed instead of showing a forbidden outcome: " + result.status()
            + " " + result.messages());
      } else if (result.passed() || !result.caughtForbidden()) {
        problems.add(test + " was NOT caught: no forbidden outcome seen. " + result);
      } else {
        System.out.println("  caught: " + test + "  " + result);
      }
    }
    return problems;
  }

  static int jcstress(String mode, String cpus, Path dir, String filter, List<String> extra)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path file : (Iterable<Path>) old::iterator) {
        if (file.getFileName().toString().startsWith("jcstress-results-")) {
          Files.delete(file);
        }
      }
    }
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    // The child runs in its own directory: make every class path entry absolute.
    StringBuilder classPath = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (classPath.length() > 0) {
        classPath.append(File.pathSeparator);
      }
      classPath.append(Paths.get(entry).toAbsolutePath());
    }
    List<String> command = new ArrayList<>(List.of(java, "-cp", classPath.toString(),
        "org.openjdk.jcstress.Main", "-c", cpus, "-t", filter,
        "-r", dir.toAbsolutePath().resolve("report").toString()));
    if (mode.equals("ci")) {
      command.addAll(CI_MODE);
    } else if (mode.equals("deep")) {
      command.addAll(DEEP_MODE);
    } else {
      command.addAll(List.of("-m", mode));
    }
    for (String property : StressKit.PROPERTIES) {
      String value = StressKit.property(property);
      if (value != null) { // the kit: the workers test the same registry as this process
        command.addAll(List.of("-jvmArgsPrepend", "-D" + property + "=" + value));
      }
    }
    command.addAll(extra);
    System.out.println("$ " + String.join(" ", command));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
    return process.waitFor();
  }

  /** One test's results, summed over every JVM configuration and fork it ran in. */
  record Outcome(String name, Status status, boolean passed, Map<String, GradingResult> gradings,
      Map<String, Long> counts, List<String> messages) {

    boolean caughtForbidden() {
      return counts.entrySet().stream().anyMatch(e -> e.getValue() > 0
          && gradings.get(e.getKey()) != null && gradings.get(e.getKey()).expect == Expect.FORBIDDEN);
    }

    long samples() {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder(samples() + " samples [");
      counts.forEach((id, count) -> {
        if (count > 0) {
          GradingResult grading = gradings.get(id);
          text.append(text.charAt(text.length() - 1) == '[' ? "" : "; ").append(id).append(' ')
              .append(grading == null ? "?" : grading.expect).append(" x").append(count);
        }
      });
      return text.append(']').toString();
    }
  }

  /** Reads the binary result file jcstress leaves in its working directory. */
  static Map<String, Outcome> read(Path dir) throws Exception {
    Path file;
    try (Stream<Path> files = Files.list(dir)) {
      file = files.filter(f -> f.getFileName().toString().startsWith("jcstress-results-"))
          .findFirst().orElse(null);
    }
    Map<String, Outcome> byTest = new TreeMap<>();
    if (file == null) {
      return byTest;
    }
    InProcessCollector collector = new InProcessCollector();
    DiskReadCollector reader = new DiskReadCollector(file.toString(), collector);
    reader.dump();
    reader.close();
    for (TestResult result : collector.getTestResults()) {
      TestGrading grading = result.grading();
      Outcome seen = byTest.get(result.getName());
      Map<String, GradingResult> gradings = new TreeMap<>(seen == null ? Map.of() : seen.gradings());
      Map<String, Long> counts = new TreeMap<>(seen == null ? Map.of() : seen.counts());
      for (GradingResult g : grading.gradingResults.values()) {
        gradings.put(g.id, g);
        counts.merge(g.id, g.count, Long::sum);
      }
      List<String> messages = new ArrayList<>(seen == null ? List.of() : seen.messages());
      messages.addAll(result.getMessages());
      byTest.put(result.getName(), new Outcome(result.getName(),
          seen == null ? result.status() : seen.status().combine(result.status()),
          (seen == null || seen.passed()) && grading.isPassed, gradings, counts, messages));
    }
    return byTest;
  }

  static String quote(String packagePrefix) {
    return packagePrefix.replace(".", "\\.");
  }

  private static void banner(String text) {
    System.out.println();
    System.out.println("=".repeat(100));
    System.out.println(text);
    System.out.println("=".repeat(100));
  }
}
