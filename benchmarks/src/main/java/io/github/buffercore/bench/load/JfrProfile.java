package io.github.buffercore.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Java-level profile of a server JVM over a window: Flight Recorder started with {@code jcmd}
 * ({@code settings=profile}: execution samples every 10 ms, native-method samples every 20 ms), then
 * {@code jfr print} and a count of the top frames per sample event. Execution samples are threads
 * running Java code (CPU); native-method samples are threads inside native code, running or blocked
 * (a socket write in {@code writev0}, an idle event loop in {@code epollWait}).
 */
public final class JfrProfile {

  private final Path java;
  private final long pid;
  private final Path recording;

  private JfrProfile(Path javaHome, long pid, Path recording) {
    this.java = javaHome;
    this.pid = pid;
    this.recording = recording;
  }

  /**
   * Starts Flight Recorder in a JVM that was just launched, with a one-second recording, retrying
   * until the JVM takes the attach (at most {@code timeoutSeconds}).
   *
   * <p>Why: the first {@code JFR.start} in a running JVM retransforms JDK classes for Flight
   * Recorder's events, and HotSpot then throws away the JIT's compiled code: measured on the Netty
   * example, 3,557 of its 3,748 compiled methods (all 510 C2 ones) were made not entrant at once when
   * the window's recording started after the example's JIT warm-up, so the viewers met a cold JVM
   * again (p50/p99 first byte 1,087/1,632 ms against 266/631 ms with {@code --jfr false}). Started
   * while the server is still starting (before its warm-up), that happens before anything is compiled
   * and the later window recording finds Flight Recorder running.
   *
   * @param pid the new JVM
   * @param scratch where the one-second recording goes (absolute)
   * @param timeoutSeconds how long to retry the attach
   * @return null once Flight Recorder is started, else jcmd's last answer
   * @throws InterruptedException if interrupted
   */
  public static String initialize(long pid, Path scratch, long timeoutSeconds) throws InterruptedException {
    Path home = Path.of(System.getProperty("java.home"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    String out = "";
    while (System.nanoTime() < deadline) {
      try {
        out = run(home.resolve("bin/jcmd").toString(), Long.toString(pid), "JFR.start", "name=init",
            "settings=default", "duration=1s", "filename=" + scratch);
        if (out.contains("Started recording")) {
          return null;
        }
      } catch (IOException e) {
        out = e.getMessage();
      }
      Thread.sleep(100);
    }
    return out.strip();
  }

  /**
   * Starts a recording of {@code seconds} in the JVM {@code pid}.
   *
   * @param pid a JVM started by the same JDK
   * @param seconds the window
   * @param recording where the JVM writes it (absolute)
   * @return the profile
   * @throws IOException if jcmd fails
   * @throws InterruptedException if interrupted
   */
  public static JfrProfile start(long pid, long seconds, Path recording) throws IOException, InterruptedException {
    Path home = Path.of(System.getProperty("java.home"));
    Files.deleteIfExists(recording);
    String out = run(home.resolve("bin/jcmd").toString(), Long.toString(pid), "JFR.start", "name=load",
        "settings=profile", "duration=" + seconds + "s", "filename=" + recording);
    if (!out.contains("Started recording")) {
      throw new IOException("jcmd " + pid + " JFR.start failed: " + out.strip());
    }
    return new JfrProfile(home, pid, recording);
  }

  /**
   * Waits (up to {@code timeout} seconds) for the recording to be written.
   *
   * @param timeout the longest wait, in seconds
   * @throws IOException if the recording never appears
   * @throws InterruptedException if interrupted
   */
  public void await(long timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
    while (!Files.exists(recording) || Files.size(recording) == 0) {
      if (System.nanoTime() > deadline) {
        throw new IOException("JVM " + pid + " wrote no recording at " + recording + " within " + timeout + " s");
      }
      Thread.sleep(200);
    }
    // The JVM writes the file at the end of the duration; give it time to finish the write.
    Thread.sleep(1_000);
  }

  /**
   * Counts the top frames of one sample event of the recording ({@link #await} first).
   *
   * @param event {@code jdk.ExecutionSample} (threads running Java code) or
   *     {@code jdk.NativeMethodSample} (threads in native code, running or blocked)
   * @param limit how many frames to return
   * @return percent of samples per top frame, largest first; the key {@code "(samples)"} comes first
   *     and holds the number of samples
   * @throws IOException if the recording cannot be read
   * @throws InterruptedException if interrupted
   */
  public Map<String, Double> topFrames(String event, int limit) throws IOException, InterruptedException {
    Process print = new ProcessBuilder(java.resolve("bin/jfr").toString(), "print", "--events", event,
        recording.toString()).redirectErrorStream(true).start();
    Map<String, Integer> counts = new HashMap<>();
    int samples = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(print.getInputStream(), StandardCharsets.UTF_8))) {
      boolean expectTop = false;
      for (String line; (line = in.readLine()) != null; ) {
        String trimmed = line.strip();
        if (trimmed.startsWith("stackTrace = [")) {
          expectTop = true;
        } else if (expectTop) {
          expectTop = false;
          if (!trimmed.isEmpty() && !trimmed.startsWith("]")) {
            counts.merge(trimmed.replaceAll("\\s+line:.*$", ""), 1, Integer::sum);
            samples++;
          }
        }
      }
    }
    if (!print.waitFor(60, TimeUnit.SECONDS)) {
      print.destroyForcibly();
      throw new IOException("jfr print of " + recording + " did not finish within 60 s");
    }
    Map<String, Double> top = new LinkedHashMap<>();
    top.put("(samples)", (double) samples);
    final int total = samples;
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
        .forEach(e -> top.put(e.getKey(), e.getValue() * 100.0 / Math.max(1, total)));
    return top;
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish within 60 s");
    }
    return out;
  }
}
