package io.github.buffercore.internal.ts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test data: MPEG-TS clips made with the real ffmpeg (libx264 / libx265 video with a GOP of 25 frames at
 * 25 fps, so one random access point per second, and AAC audio), cached under {@code target/ts-media},
 * and a decoder check that runs {@code ffmpeg -v error} on bytes. ffmpeg is required: when it is
 * missing these helpers fail the test with a message saying so (CI installs it with {@code .ci/run}).
 */
public final class TsTestMedia {

  static final int PACKET = TsPackets.PACKET_SIZE;

  private static final Path DIR = Paths.get("target", "ts-media");

  private TsTestMedia() {}

  /** A 10 s H.264 + AAC clip as ffmpeg's MPEG-TS muxer writes it (with random_access_indicator). */
  public static byte[] h264() {
    return clip("h264-10s.ts", "libx264", "-x264-params", "log-level=error");
  }

  /** A 10 s H.265 + AAC clip. */
  static byte[] h265() {
    return clip("h265-10s.ts", "libx265", "-x265-params", "log-level=error");
  }

  /** A 10 s AAC-only clip (a radio channel): no video, so no random access points. */
  public static byte[] audioOnly() {
    return clip("aac-10s.ts", null, null, null);
  }

  /**
   * The clip with every {@code random_access_indicator} cleared, as muxers that never set it write
   * (ffmpeg 5's muxer has no option to leave it out, so the bit is cleared here; everything else is
   * ffmpeg's output byte for byte).
   */
  static byte[] withoutRandomAccessIndicators(byte[] ts) {
    byte[] copy = ts.clone();
    for (int o = 0; o < copy.length; o += PACKET) {
      if (TsPackets.hasAdaptationFlags(copy, o)) {
        TsPackets.clearRandomAccessIndicator(copy, o);
      }
    }
    return copy;
  }

  private static synchronized byte[] clip(String name, String encoder, String paramsFlag, String params) {
    Path file = DIR.resolve(name);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(DIR);
        Path partial = Files.createTempFile(DIR, name, ".part");
        try {
          List<String> command = encoder == null
              ? List.of("ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "sine",
                  "-t", "10", "-c:a", "aac", "-f", "mpegts", partial.toString())
              : List.of("ffmpeg", "-v", "error", "-nostdin", "-y",
                  "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
                  "-t", "10", "-c:v", encoder, "-g", "25", paramsFlag, params, "-c:a", "aac",
                  "-f", "mpegts", partial.toString());
          Result r = run(command, null);
          if (r.exitCode != 0) {
            throw new AssertionError("ffmpeg could not make " + name + " (exit " + r.exitCode + "): " + r.stderr);
          }
          Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(partial);
        }
      }
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length == 0 || bytes.length % PACKET != 0) {
        throw new AssertionError(file + " is not whole MPEG-TS packets: " + bytes.length + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Decodes {@code ts} with {@code ffmpeg -v error -i - -f null -} and returns what it printed: once
   * for the video and once for the audio. The streams are decoded in separate runs because across a
   * splice the ffmpeg command line re-bases the timestamps of all streams on the first stream whose
   * timestamps jump (it does not use the PCR discontinuity that players use), and then reports the
   * other stream's few milliseconds of overlap as a muxer error ("non monotonically increasing dts to
   * muxer"), which is not a decoding error. Decoded alone, each stream is re-based on its own jump.
   *
   * @return exit code and standard error; an empty standard error means no decoding error
   */
  public static Result decode(byte[] ts) {
    Result video = run(List.of("ffmpeg", "-v", "error", "-nostdin", "-f", "mpegts", "-i", "pipe:0",
        "-map", "0:v?", "-f", "null", "-"), ts);
    Result audio = run(List.of("ffmpeg", "-v", "error", "-nostdin", "-f", "mpegts", "-i", "pipe:0",
        "-map", "0:a?", "-f", "null", "-"), ts);
    return new Result(Math.max(video.exitCode, audio.exitCode),
        (video.stderr.isBlank() ? "" : "video: " + video.stderr)
            + (audio.stderr.isBlank() ? "" : "audio: " + audio.stderr),
        "");
  }

  /** Like {@link #decode}, but all streams in one ffmpeg run, as {@code ffmpeg -v error -i - -f null -}. */
  static Result decodeTogether(byte[] ts) {
    return run(List.of("ffmpeg", "-v", "error", "-nostdin", "-f", "mpegts", "-i", "pipe:0", "-f", "null", "-"), ts);
  }

  /** The number of video frames ffprobe decodes from {@code ts}. */
  public static int videoFrames(byte[] ts) {
    Result r = run(List.of("ffprobe", "-v", "error", "-f", "mpegts", "-select_streams", "v:0", "-count_frames",
        "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", "pipe:0"), ts, true);
    if (r.exitCode != 0) {
      throw new AssertionError("ffprobe failed: " + r);
    }
    // The stream is listed once inside its program and once on its own: the counts are the same.
    return Integer.parseInt(r.stdout.strip().lines().findFirst().orElseThrow().strip());
  }

  /** The outcome of one ffmpeg run. */
  public static final class Result {
    public final int exitCode;
    public final String stderr;
    final String stdout;

    Result(int exitCode, String stderr, String stdout) {
      this.exitCode = exitCode;
      this.stderr = stderr;
      this.stdout = stdout;
    }

    public boolean clean() {
      return exitCode == 0 && stderr.isBlank();
    }

    @Override
    public String toString() {
      return "exit " + exitCode + ", stderr: " + (stderr.isBlank() ? "(none)" : stderr);
    }
  }

  private static Result run(List<String> command, byte[] stdin) {
    return run(command, stdin, false);
  }

  private static Result run(List<String> command, byte[] stdin, boolean captureStdout) {
    List<String> cmd = new ArrayList<>(command);
    // "-nostdin" would make ffmpeg ignore a piped input; only pass it when nothing is piped.
    if (stdin != null) {
      cmd.remove("-nostdin");
    }
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(cmd);
      if (!captureStdout) {
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      }
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError(cmd.get(0) + " is required by this test but could not be started (" + e.getMessage()
          + "); install it from the distribution's packages (.ci/run does)", e);
    }
    try {
      CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      CompletableFuture<String> stdout = captureStdout
          ? CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()))
          : CompletableFuture.completedFuture("");
      try (OutputStream in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin);
        }
      } catch (IOException e) {
        // ffmpeg may exit before reading everything (it stops at a fatal error); its exit code and
        // standard error say why, so the broken pipe itself adds nothing.
      }
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        throw new AssertionError(cmd.get(0) + " did not finish within 120 s: " + cmd);
      }
      return new Result(process.exitValue(), stderr.join(), stdout.join());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for ffmpeg", e);
    } finally {
      process.destroyForcibly();
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Concatenates byte arrays. */
  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Positions of packets on {@code pid} that start a unit and carry the random_access_indicator. */
  static List<Long> indicatedRandomAccessPoints(byte[] ts, int pid) {
    List<Long> positions = new ArrayList<>();
    for (int o = 0; o < ts.length; o += PACKET) {
      if (TsPackets.pid(ts, o) == pid && TsPackets.payloadUnitStart(ts, o) && TsPackets.randomAccessIndicator(ts, o)) {
        positions.add((long) o);
      }
    }
    return positions;
  }

  /** Positions of packets on {@code pid} that start a unit. */
  public static List<Long> unitStarts(byte[] ts, int pid) {
    List<Long> positions = new ArrayList<>();
    for (int o = 0; o < ts.length; o += PACKET) {
      if (TsPackets.pid(ts, o) == pid && TsPackets.payloadUnitStart(ts, o)) {
        positions.add((long) o);
      }
    }
    return positions;
  }
}
