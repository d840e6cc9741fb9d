package io.github.buffercore.bench.load;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server of one load run as a child process: its command line (an example's main, the floor, or
 * VLC), a free port, waiting until it answers, its heap summary, and stopping it. Measures nothing.
 */
final class ServerProcess {

  private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);

  private ServerProcess() { }

  /** The JVM's heap and metaspace summary at the end of the run ({@code jcmd GC.heap_info}), one line. */
  static String heapInfo(long pid) {
    try {
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
      String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
        return "jcmd GC.heap_info did not answer within 30 s";
      }
      return out.lines().map(String::strip).filter(l -> l.contains("heap") && l.contains("total")
          || l.startsWith("Metaspace")).map(l -> l.replaceAll("\\s*\\[.*$", "").replaceAll(", reserved.*$", ""))
          .collect(Collectors.joining("; "));
    } catch (IOException e) {
      return "jcmd GC.heap_info failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  static List<String> command(LoadConfig config, LoadConfig.Stack stack, int port, PacedUpstream upstream, Path dir)
      throws IOException {
    if (stack == LoadConfig.Stack.VLC) {
      Path cvlc = onPath("cvlc");
      if (cvlc == null) {
        return null;
      }
      List<String> command = new ArrayList<>();
      if ("root".equals(System.getProperty("user.name"))) {
        // VLC refuses to run as root ("VLC is not supposed to be run as root"); setpriv execs, so the
        // child's pid is VLC's own and /proc/<pid> measures VLC.
        command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
      }
      command.addAll(List.of(cvlc.toString(), "-q", upstream.url(), "--sout",
          "#std{access=http,mux=ts,dst=127.0.0.1:" + port + LoadBenchmark.PATH + "}"));
      return command;
    }
    Path m3u = dir.resolve("channels.m3u");
    Files.writeString(m3u, "#EXTM3U\n#EXTINF:-1 tvg-id=\"" + LoadBenchmark.CHANNEL + "\"," + LoadBenchmark.CHANNEL + "\n" + upstream.url() + "\n");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String classPath = config.jar().toAbsolutePath().toString();
    if (stack == LoadConfig.Stack.FLOOR) {
      // The floor lives in this jar; the examples jar gives it the same SLF4J provider as the examples.
      try {
        classPath = Path.of(LoadBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toAbsolutePath() + File.pathSeparator + classPath;
      } catch (URISyntaxException e) {
        throw new IOException("cannot locate the benchmarks jar", e);
      }
    }
    return List.of(java.toString(), "-cp", classPath, stack.mainClass,
        "--port", Integer.toString(port), "--tuners", "1", m3u.toAbsolutePath().toString());
  }

  static Path onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Null when the server answers; otherwise why not. */
  static String awaitReady(LoadConfig.Stack stack, int port, Process server, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        return "the server exited at start with status " + server.exitValue();
      }
      if (stack == LoadConfig.Stack.VLC) {
        try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
          return null;
        } catch (IOException notYet) {
          Thread.sleep(100);
          continue;
        }
      }
      try {
        HttpResponse<Void> status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (status.statusCode() == 200) {
          return null;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    return "the server did not answer within " + timeout.toSeconds() + " s";
  }

  static void stop(Process server, LoadConfig.RunSpec spec) throws InterruptedException {
    server.destroy();
    if (!server.waitFor(15, TimeUnit.SECONDS)) {
      LOG.warn("Server of run {} (pid {}) ignored SIGTERM for 15 s; killing it", spec.label(), server.pid());
      server.destroyForcibly();
      server.waitFor(15, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Report
}
