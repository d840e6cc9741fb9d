package io.github.buffercore.bench.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linux {@code /proc} readings of a server process: CPU ticks, resident memory, threads, write
 * syscalls, per-thread CPU, and the kernel's listen-queue counters.
 */
public final class ProcStats {

  /** Clock ticks per second of {@code /proc/<pid>/stat}'s utime and stime. */
  public static final long CLOCK_TICKS = clockTicks();

  private ProcStats() { }

  /**
   * One reading of a process.
   *
   * @param cpuTicks user + system time, in {@link #CLOCK_TICKS}
   * @param rssKb VmRSS
   * @param hwmKb VmHWM (peak resident set)
   * @param threads Threads
   * @param writeCalls {@code /proc/<pid>/io} syscw: write(2)-family calls (write, writev, pwrite;
   *     not send/sendmsg)
   * @param writtenBytes {@code /proc/<pid>/io} wchar
   */
  public record Sample(long cpuTicks, long rssKb, long hwmKb, int threads, long writeCalls, long writtenBytes) {
    /** CPU seconds. */
    public double cpuSeconds() {
      return cpuTicks / (double) CLOCK_TICKS;
    }
  }

  /**
   * Reads a process.
   *
   * @param pid the process
   * @return its reading
   * @throws IOException if it has exited or /proc cannot be read
   */
  public static Sample sample(long pid) throws IOException {
    long ticks = cpuTicks(Path.of("/proc/" + pid + "/stat"));
    long rss = 0;
    long hwm = 0;
    int threads = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = number(line);
      } else if (line.startsWith("VmHWM:")) {
        hwm = number(line);
      } else if (line.startsWith("Threads:")) {
        threads = (int) number(line);
      }
    }
    long syscw = 0;
    long wchar = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
      if (line.startsWith("syscw:")) {
        syscw = number(line);
      } else if (line.startsWith("wchar:")) {
        wchar = number(line);
      }
    }
    return new Sample(ticks, rss, hwm, threads, syscw, wchar);
  }

  /**
   * CPU ticks per thread name of a process; names are the kernel's 15-character {@code comm}, with
   * digits replaced by {@code #} so a pool's threads add up ({@code nioEventLoopGroup-3-1} and
   * {@code -3-2} are one line).
   *
   * @param pid the process
   * @return ticks by thread name (threads that exited are not counted)
   * @throws IOException if /proc cannot be read
   */
  public static Map<String, Long> cpuByThreadName(long pid) throws IOException {
    Map<String, Long> ticks = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm")).strip().replaceAll("[0-9]+", "#");
          ticks.merge(name, cpuTicks(task.resolve("stat")), Long::sum);
        } catch (IOException exited) {
          // The thread ended between listing and reading: its time is no longer attributable.
        }
      }
    }
    return ticks;
  }

  /**
   * The kernel's TcpExt ListenOverflows and ListenDrops (system-wide).
   *
   * @return {overflows, drops}
   * @throws IOException if /proc/net/netstat cannot be read
   */
  public static long[] listenOverflows() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
        String[] names = lines.get(i).split("\\s+");
        String[] values = lines.get(i + 1).split("\\s+");
        long overflows = 0;
        long drops = 0;
        for (int k = 1; k < names.length && k < values.length; k++) {
          if (names[k].equals("ListenOverflows")) {
            overflows = Long.parseLong(values[k]);
          } else if (names[k].equals("ListenDrops")) {
            drops = Long.parseLong(values[k]);
          }
        }
        return new long[] {overflows, drops};
      }
    }
    throw new IOException("/proc/net/netstat has no TcpExt lines");
  }

  /**
   * Reads a one-number file such as {@code /proc/sys/net/core/somaxconn}.
   *
   * @param file the file
   * @return its content, or "unknown (why)"
   */
  public static String read(String file) {
    try {
      // Not Files.readString: with a size of 0 it reads one byte first, and a /proc/sys file read at
      // a non-zero offset answers EOF ("4096" would read as "4").
      return String.join(" ", Files.readAllLines(Path.of(file))).strip().replaceAll("\\s+", " ");
    } catch (IOException e) {
      return "unknown (" + e + ")";
    }
  }

  private static long cpuTicks(Path stat) throws IOException {
    String text = Files.readString(stat);
    // Fields after the command name, which is in parentheses and may contain spaces.
    String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static long number(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  private static long clockTicks() {
    try {
      Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes()).strip();
      process.waitFor();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
