package io.github.buffercore;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Real HLS for tests: ffmpeg processes producing live HLS into temp directories, served over HTTP by
 * a {@link TestUpstreamServer}, and the ffmpeg decode check of what a viewer received. ffmpeg must be
 * installed ({@code .ci/run} installs it); without it the tests fail, they do not skip.
 */
public final class HlsTestSupport {

  private HlsTestSupport() {}

  /** One ffmpeg process writing live HLS (1 s segments, 5 listed, older ones deleted) into a dir. */
  public static final class LiveFfmpeg implements AutoCloseable {
    public final Path dir;
    final String name;
    private final Process process;
    private final Path log;

    private LiveFfmpeg(Path dir, String name, Process process, Path log) {
      this.dir = dir;
      this.name = name;
      this.process = process;
      this.log = log;
    }

    /**
     * Starts {@code ffmpeg -re} encoding a test pattern with a tone into {@code dir/name.m3u8}.
     *
     * @param extra arguments before {@code -f hls}, e.g. {@code -hls_key_info_file k.txt}
     */
    public static LiveFfmpeg start(Path dir, String name, String source, List<String> extra)
        throws IOException {
      List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-nostdin", "-re",
          "-f", "lavfi", "-i", source + "=size=320x240:rate=25",
          "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
          "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25",
          "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k"));
      cmd.addAll(extra);
      cmd.addAll(List.of("-f", "hls", "-hls_time", "1", "-hls_list_size", "5",
          "-hls_flags", "delete_segments", "-hls_segment_filename",
          dir.resolve(name + "%d" + (extra.contains("fmp4") ? ".m4s" : ".ts")).toString(),
          dir.resolve(name + ".m3u8").toString()));
      Path log = dir.resolve(name + ".ffmpeg.log");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      return new LiveFfmpeg(dir, name, p, log);
    }

    /** Waits (guarded) until the playlist lists at least {@code segments} segments. */
    public LiveFfmpeg awaitSegments(int segments) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (countSegments(playlistText()) < segments) {
        if (!process.isAlive()) {
          throw new AssertionError("ffmpeg ended with " + process.exitValue() + ": "
              + Files.readString(log));
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("ffmpeg wrote fewer than " + segments + " segments in 30 s: "
              + Files.readString(log));
        }
        Thread.sleep(100); // polling an external process's output, not a race fix
      }
      return this;
    }

    public String playlistText() throws IOException {
      try {
        return Files.readString(dir.resolve(name + ".m3u8"));
      } catch (NoSuchFileException e) {
        return "";
      }
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  static int countSegments(String playlist) {
    return (int) playlist.lines().filter(l -> l.startsWith("#EXTINF")).count();
  }

  /** Generates a finished (VOD) HLS set of {@code seconds} 1-s segments, as fast as ffmpeg can. */
  static void vod(Path dir, String name, String source, int seconds, List<String> extra)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-nostdin",
        "-f", "lavfi", "-i", source + "=size=320x240:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000", "-t", String.valueOf(seconds),
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25",
        "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k"));
    cmd.addAll(extra);
    cmd.addAll(List.of("-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
        "-hls_segment_filename", dir.resolve(name + "%d.ts").toString(),
        dir.resolve(name + ".m3u8").toString()));
    run(cmd, Duration.ofSeconds(60));
  }

  /** Serves files under {@code dir} at {@code prefix}, optionally rewriting playlists. */
  public static void serveDir(TestUpstreamServer server, String prefix, Path dir,
      UnaryOperator<String> playlistRewrite, FaultInjector faults) {
    server.route(prefix, (ex, n) -> {
      String file = ex.getRequestURI().getPath().substring(prefix.length());
      if (file.startsWith("/")) {
        file = file.substring(1);
      }
      int status = faults == null ? 0 : faults.statusFor(file);
      if (status != 0) {
        ex.sendResponseHeaders(status, -1);
        return;
      }
      Path f = dir.resolve(file).normalize();
      byte[] body;
      try {
        if (!f.startsWith(dir) || file.contains("..")) {
          throw new NoSuchFileException(file);
        }
        body = Files.readAllBytes(f);
      } catch (NoSuchFileException e) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      if (file.endsWith(".m3u8")) {
        body = playlistRewrite.apply(new String(body, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/vnd.apple.mpegurl");
      } else if (file.endsWith(".ts")) {
        ex.getResponseHeaders().set("Content-Type", "video/mp2t");
      }
      TestUpstreamServer.sendBytes(ex, body, false);
    });
  }

  /** Decides a status to answer instead of the file (0: serve it). */
  @FunctionalInterface
  public interface FaultInjector {
    int statusFor(String file);
  }

  static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Returns what {@code ffmpeg -v error -i file -f null -} prints (empty: decoded cleanly). */
  public static String decodeErrors(Path file) throws IOException, InterruptedException {
    return run(List.of("ffmpeg", "-v", "error", "-nostdin", "-i", file.toString(), "-f", "null",
        "-"), Duration.ofSeconds(60));
  }

  /**
   * Cuts {@code ts} at the start of its last ffmpeg HLS segment, so no frame is truncated: ffmpeg's
   * HLS segments each begin with an SDT and a PAT, and the PAT is not repeated inside a segment.
   */
  public static byte[] wholeSegments(byte[] ts) {
    int packets = ts.length / 188;
    for (int p = packets - 1; p > 0; p--) {
      int off = p * 188;
      int pid = (ts[off + 1] & 0x1f) << 8 | ts[off + 2] & 0xff;
      if (ts[off] == 0x47 && pid == 0) {
        int prev = (p - 1) * 188;
        int prevPid = (ts[prev + 1] & 0x1f) << 8 | ts[prev + 2] & 0xff;
        int cut = prevPid == 0x11 ? prev : off;
        return java.util.Arrays.copyOf(ts, cut);
      }
    }
    return new byte[0];
  }

  /** Counts PAT packets: one per ffmpeg HLS segment. */
  public static int segmentStarts(byte[] ts) {
    int count = 0;
    for (int off = 0; off + 188 <= ts.length; off += 188) {
      int pid = (ts[off + 1] & 0x1f) << 8 | ts[off + 2] & 0xff;
      if (ts[off] == 0x47 && pid == 0) {
        count++;
      }
    }
    return count;
  }

  static String run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("timed out: " + cmd);
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        return "exit " + p.exitValue() + ": " + text;
      }
      return text;
    } finally {
      p.destroyForcibly();
    }
  }

  public static void deleteRecursively(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
