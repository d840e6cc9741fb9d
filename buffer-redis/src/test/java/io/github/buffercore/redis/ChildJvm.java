package io.github.buffercore.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A separate JVM running a test main class on this test's class path. Its standard output is kept
 * line by line (with the parent's wall-clock time of arrival); its standard error goes to a file
 * under {@code target/}.
 */
final class ChildJvm implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>(); // guarded by itself
  private final Writer stdin;

  private ChildJvm(String name, Process process) {
    this.name = name;
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException e) {
        // the child died: its output ends here
      }
    }, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildJvm start(String name, Class<?> main, String... args) {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx128m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    Path errors = Paths.get("target", "child-jvms", name + ".stderr.log");
    try {
      errors.getParent().toFile().mkdirs();
      Process process = new ProcessBuilder(command)
          .redirectError(errors.toFile())
          .start();
      // Children also end by themselves after their maxRunSeconds; this covers an aborted test JVM.
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, name + "-reaper"));
      return new ChildJvm(name, process);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start child JVM " + name, e);
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  /**
   * Whether every thread of the child is stopped (state {@code T} in {@code /proc/<pid>/task/<tid>/stat}),
   * so that nothing it receives from now on is read before a {@code SIGCONT}. {@code kill -STOP}
   * returns once the signal is queued, and a thread running on the other core may still run briefly.
   */
  boolean isStopped() {
    java.io.File[] tasks = new java.io.File("/proc/" + pid() + "/task").listFiles();
    if (tasks == null || tasks.length == 0) {
      return false;
    }
    for (java.io.File task : tasks) {
      try {
        String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
        // "tid (comm) S ...": the name may hold spaces and parentheses, the state follows the last ')'
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        if (state != 'T' && state != 'Z' && state != 'X') {
          return false;
        }
      } catch (IOException | UncheckedIOException e) {
        // the thread ended between the listing and the read: it runs nothing
      }
    }
    return true;
  }

  /** Waits for a line matching {@code match}; fails naming the child and its output. */
  String await(Predicate<String> match, long timeoutMillis, String what) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (lines) {
      int checked = 0;
      while (true) {
        for (; checked < lines.size(); checked++) {
          if (match.test(lines.get(checked))) {
            return lines.get(checked);
          }
        }
        long left = until - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("child " + name + " did not print " + what + " within "
              + timeoutMillis + " ms; alive=" + process.isAlive() + ", output tail: " + tail());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lines, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  private String tail() {
    List<String> all = lines();
    return all.subList(Math.max(0, all.size() - 15), all.size()).toString();
  }

  void send(String command) {
    try {
      stdin.write(command + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("child " + name + " does not read its input", e);
    }
  }

  void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + signal + " " + pid() + " failed (child " + name + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** kill -9. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean waitForExit(long millis) throws InterruptedException {
    return process.waitFor(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      signal("CONT"); // a stopped child would not die from SIGTERM
      kill();
    }
  }
}
