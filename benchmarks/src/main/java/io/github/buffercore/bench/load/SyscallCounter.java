package io.github.buffercore.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Counts a process's syscalls and context switches over a window with {@code perf stat} on the
 * kernel's syscall tracepoints: counting, not tracing, so the server runs at full speed (unlike
 * {@code strace -c -f}, which stops every thread at every syscall). Counts every thread that exists
 * when the window starts.
 */
public final class SyscallCounter {

  /** The events counted, in report order. */
  public static final List<String> EVENTS = List.of(
      "syscalls:sys_enter_write", "syscalls:sys_enter_writev", "syscalls:sys_enter_sendmsg",
      "syscalls:sys_enter_sendto", "syscalls:sys_enter_read", "syscalls:sys_enter_epoll_wait",
      "syscalls:sys_enter_epoll_pwait", "syscalls:sys_enter_poll", "syscalls:sys_enter_ppoll",
      "syscalls:sys_enter_futex", "context-switches");

  private final Process perf;
  private final Path output;

  private SyscallCounter(Process perf, Path output) {
    this.perf = perf;
    this.output = output;
  }

  /**
   * Starts counting, if {@code perf} can.
   *
   * @param pid the process
   * @param seconds the window
   * @param output where perf writes its CSV
   * @return the counter, or null when {@code perf} is not installed
   * @throws IOException if perf cannot be started
   */
  public static SyscallCounter start(long pid, long seconds, Path output) throws IOException {
    if (!Files.isExecutable(Path.of("/usr/bin/perf"))) {
      return null;
    }
    Files.deleteIfExists(output);
    Process perf = new ProcessBuilder("/usr/bin/perf", "stat", "-x", ",", "-o", output.toString(),
        "-e", String.join(",", EVENTS), "-p", Long.toString(pid), "--", "sleep", Long.toString(seconds))
        .redirectErrorStream(true)
        .redirectOutput(output.resolveSibling(output.getFileName() + ".log").toFile())
        .start();
    return new SyscallCounter(perf, output);
  }

  /**
   * Waits for the window to end and reads the counts.
   *
   * @return counts by event short name ({@code write}, {@code epoll_wait}, {@code context-switches}...);
   *     empty if perf failed (its log is next to the output)
   * @throws InterruptedException if interrupted
   * @throws IOException if the output cannot be read
   */
  public Map<String, Long> finish() throws InterruptedException, IOException {
    if (!perf.waitFor(60, TimeUnit.SECONDS)) {
      perf.destroyForcibly();
      throw new IOException("perf stat did not end within 60 s of its window; output " + output);
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    if (!Files.exists(output)) {
      return counts;
    }
    for (String line : Files.readAllLines(output)) {
      String[] fields = line.split(",");
      if (fields.length < 3 || line.startsWith("#")) {
        continue;
      }
      String event = fields[2].replace("syscalls:sys_enter_", "");
      try {
        counts.put(event, Long.parseLong(fields[0]));
      } catch (NumberFormatException notCounted) {
        counts.put(event, 0L);
      }
    }
    return counts;
  }
}
