package io.github.buffercore.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.buffercore.ClientLease;
import io.github.buffercore.HttpUpstreamSource;
import io.github.buffercore.JoinPosition;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.UpstreamTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Join latency per {@link JoinPosition} and the failover gap, measured end to end (plain benchmark,
 * not JMH: the quantities are seconds of media and wall time, not throughput). A 10 s H.264 + AAC clip
 * made by ffmpeg (GOP 25 frames at 25 fps, one random access point per second) is served in a loop at
 * its own bitrate by a JDK HTTP server and read by the real {@link HttpUpstreamSource} into a real
 * registry.
 *
 * <ul>
 *   <li><b>Join latency</b>: at random moments a viewer joins at each position; the media seconds
 *       behind live at its first decodable frame is the PCR time at the live edge minus the PCR time
 *       at the viewer's first ring byte (its join point: a random access point). Positions map to the
 *       clip byte for byte because the first connection is never spliced. <b>Time to first frame</b>
 *       is the wall time from {@code acquire} until the viewer has received that whole first picture
 *       (the next video PES start has arrived).
 *   <li><b>Failover gap</b>: a viewer reads while the serving URL's connection is cut mid-packet;
 *       the gap is the wall time from the cut until the viewer receives the first video random access
 *       point after the splice (the picture is frozen in between), for a reconnect to the same URL and
 *       for a switch to a backup URL, with the default reconnect policy and with one attempt per URL.
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.github.buffercore.bench.JoinLatencyBenchmark
 * [joins]}; needs {@code ffmpeg} on the path. Prints a Markdown section.
 */
public final class JoinLatencyBenchmark {

  private static final int PACKET = 188;
  private static final int VIDEO_PID = 0x100;

  private final byte[] clip;
  private final double bytesPerSecond;
  private final long[] pcrOffsets; // clip offsets of packets carrying a PCR
  private final long[] pcrNanos; // their PCR, relative to the clip's first PCR
  private final long loopNanos;

  private JoinLatencyBenchmark(byte[] clip) {
    this.clip = clip;
    this.bytesPerSecond = clip.length / 10.0;
    List<long[]> pcrs = new ArrayList<>();
    for (int o = 0; o < clip.length; o += PACKET) {
      long pcr = pcr(clip, o);
      if (pcr >= 0) {
        pcrs.add(new long[] {o, pcr});
      }
    }
    pcrOffsets = pcrs.stream().mapToLong(p -> p[0]).toArray();
    long first = pcrs.get(0)[1];
    pcrNanos = pcrs.stream().mapToLong(p -> (p[1] - first) * 1000 / 27).toArray();
    long span = pcrNanos[pcrNanos.length - 1];
    loopNanos = span + span / (pcrNanos.length - 1);
  }

  /**
   * Runs the benchmark and prints a Markdown section.
   *
   * @param args optional: the number of joins per position (default 10)
   * @throws Exception if ffmpeg or the loopback server fails
   */
  public static void main(String[] args) throws Exception {
    int joins = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Files.createTempDirectory("join-bench");
    Path file = dir.resolve("clip.ts");
    try {
      Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-nostdin", "-y",
          "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine", "-t", "10",
          "-c:v", "libx264", "-g", "25", "-x264-params", "log-level=error", "-c:a", "aac", "-f", "mpegts",
          file.toString()).inheritIO().start();
      if (ffmpeg.waitFor() != 0) {
        throw new IllegalStateException("ffmpeg could not make the clip (exit " + ffmpeg.exitValue() + ")");
      }
      JoinLatencyBenchmark bench = new JoinLatencyBenchmark(Files.readAllBytes(file));
      StringBuilder md = new StringBuilder();
      md.append(String.format(Locale.ROOT, "Clip: %.0f kbit/s H.264 320x240 25 fps, GOP 1 s, + AAC; %d joins "
          + "per position at random moments.%n%n", bench.bytesPerSecond * 8 / 1000, joins));
      bench.joins(joins, md);
      md.append('\n');
      bench.failovers(md);
      System.out.println(md);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Joins
  // ---------------------------------------------------------------------------------------------

  private void joins(int count, StringBuilder md) throws Exception {
    JoinPosition[] positions = {JoinPosition.live(), JoinPosition.behind(Duration.ofSeconds(3)),
        JoinPosition.oldest()};
    double[][] behind = new double[positions.length][count];
    double[][] toFrame = new double[positions.length][count];
    try (Loopback server = new Loopback(this)) {
      server.alive[0].set(true);
      PlaylistRegistry registry = PlaylistRegistry.builder()
          .upstream(HttpUpstreamSource.builder().build(), (p, s) -> UpstreamTarget.of(server.uri(0)))
          .build();
      try (ClientLease warm = registry.acquire("bench", "ch", id -> PlaylistSettings.withTuners(1))) {
        StreamReader keep = warm.reader();
        ExecutorService drain = Executors.newSingleThreadExecutor();
        drain.execute(() -> drainQuietly(keep));
        Thread.sleep(5_000); // a buffer of five seconds (more than the behind(3 s) distance)
        Random random = new Random(14);
        for (int i = 0; i < count; i++) {
          Thread.sleep(300 + random.nextInt(700));
          for (int k = 0; k < positions.length; k++) {
            long started = System.nanoTime();
            try (ClientLease lease = registry.acquire("bench", "ch", positions[k])) {
              StreamReader reader = lease.reader();
              long live = registry.snapshot().playlists().get(0).streams().get(0).stats().bytesIn();
              long start = reader.position();
              behind[k][i] = (mediaNanos(live) - mediaNanos(start)) / 1e9;
              awaitFirstPicture(reader);
              toFrame[k][i] = (System.nanoTime() - started) / 1e9;
            }
          }
        }
        drain.shutdownNow();
      } finally {
        registry.close();
      }
    }
    md.append("| Join position | Media s behind live at first decodable frame (min / median / max) "
        + "| Time to first decodable frame, s (min / median / max) |\n|---|---|---|\n");
    for (int k = 0; k < positions.length; k++) {
      md.append("| `").append(positions[k]).append("` | ").append(stats(behind[k])).append(" | ")
          .append(stats(toFrame[k])).append(" |\n");
    }
  }

  /** Media time of a ring position of the unspliced first connection: loops plus the PCR before it. */
  private long mediaNanos(long position) {
    long loops = position / clip.length;
    long offset = position % clip.length;
    int i = Arrays.binarySearch(pcrOffsets, offset);
    int at = i >= 0 ? i : Math.max(0, -i - 2);
    return loops * loopNanos + pcrNanos[at];
  }

  /** Reads the join prefix and the first picture: returns when the next video PES starts. */
  private static void awaitFirstPicture(StreamReader reader) throws InterruptedException {
    byte[] buf = new byte[PACKET];
    int videoStarts = 0;
    while (videoStarts < 2) {
      int got = 0;
      while (got < PACKET) {
        int n = reader.read(buf, got, PACKET - got, Duration.ofSeconds(10));
        if (n <= 0) {
          throw new IllegalStateException("no data within 10 s from " + reader);
        }
        got += n;
      }
      if (pid(buf, 0) == VIDEO_PID && (buf[1] & 0x40) != 0) {
        videoStarts++;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Failover
  // ---------------------------------------------------------------------------------------------

  private void failovers(StringBuilder md) throws Exception {
    md.append("| Failover (cut mid-packet) | Reconnect policy | Gap: cut to first video random access point "
        + "after the splice, s (min / median / max of 3) |\n|---|---|---|\n");
    ReconnectPolicy oneAttempt = ReconnectPolicy.builder().maxAttempts(1).build();
    md.append("| reconnect to the same URL | defaults (3 attempts/URL, 500 ms backoff) | ")
        .append(stats(failover(false, ReconnectPolicy.defaults()))).append(" |\n");
    md.append("| switch to the backup URL (primary refuses) | defaults (3 attempts/URL, 500 ms backoff) | ")
        .append(stats(failover(true, ReconnectPolicy.defaults()))).append(" |\n");
    md.append("| switch to the backup URL (primary refuses) | 1 attempt/URL, 500 ms backoff | ")
        .append(stats(failover(true, oneAttempt))).append(" |\n");
  }

  /** Three cuts; with {@code toBackup} the cut URL refuses afterwards and the other one serves. */
  private double[] failover(boolean toBackup, ReconnectPolicy policy) throws Exception {
    double[] gaps = new double[3];
    try (Loopback server = new Loopback(this)) {
      server.alive[0].set(true);
      server.alive[1].set(toBackup);
      PlaylistRegistry registry = PlaylistRegistry.builder()
          .upstream(HttpUpstreamSource.builder().build(),
              (p, s) -> new UpstreamTarget(server.uri(0), toBackup ? List.of(server.uri(1)) : List.of()))
          .reconnectPolicy(policy)
          .build();
      try (ClientLease lease = registry.acquire("bench", "ch", id -> PlaylistSettings.withTuners(1))) {
        StreamReader reader = lease.reader();
        AtomicLong lastRandomAccess = new AtomicLong();
        ExecutorService watch = Executors.newSingleThreadExecutor();
        watch.execute(() -> watchRandomAccess(reader, lastRandomAccess));
        Thread.sleep(3_000);
        int serving = 0;
        for (int i = 0; i < gaps.length; i++) {
          long cut = System.nanoTime();
          if (toBackup) {
            server.alive[serving].set(false); // refuses from now on; the other URL serves
            server.alive[1 - serving].set(true);
          }
          server.cut(serving);
          long deadline = cut + TimeUnit.SECONDS.toNanos(30);
          while (lastRandomAccess.get() < cut && System.nanoTime() < deadline) {
            Thread.sleep(5);
          }
          if (lastRandomAccess.get() < cut) {
            throw new IllegalStateException("no random access point within 30 s after cut " + i);
          }
          gaps[i] = (lastRandomAccess.get() - cut) / 1e9;
          if (toBackup) {
            serving = 1 - serving;
          }
          Thread.sleep(3_000);
        }
        watch.shutdownNow();
      } finally {
        registry.close();
      }
    }
    return gaps;
  }

  /** Records the arrival time of every video PES start that carries the random access indicator. */
  private static void watchRandomAccess(StreamReader reader, AtomicLong last) {
    byte[] buf = new byte[PACKET];
    try {
      while (true) {
        int got = 0;
        while (got < PACKET) {
          int n = reader.read(buf, got, PACKET - got, Duration.ofSeconds(60));
          if (n < 0) {
            return;
          }
          got += n;
        }
        if (pid(buf, 0) == VIDEO_PID && (buf[1] & 0x40) != 0 && (buf[3] & 0x20) != 0 && buf[4] > 0
            && (buf[5] & 0x40) != 0) {
          last.set(System.nanoTime());
        }
      }
    } catch (InterruptedException | RuntimeException e) {
      // the benchmark ended the reader
    }
  }

  private static void drainQuietly(StreamReader reader) {
    byte[] buf = new byte[64 * 1024];
    try {
      while (reader.read(buf, 0, buf.length, Duration.ofSeconds(60)) >= 0) {
        // keeps a viewer on the stream
      }
    } catch (InterruptedException | RuntimeException e) {
      // the benchmark ended the reader
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The looping upstream
  // ---------------------------------------------------------------------------------------------

  /** Two URLs serving the clip in a loop at its bitrate; a URL not alive answers 503. */
  private static final class Loopback implements AutoCloseable {
    final AtomicBoolean[] alive = {new AtomicBoolean(), new AtomicBoolean()};
    private final AtomicInteger[] generation = {new AtomicInteger(), new AtomicInteger()};
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final JoinLatencyBenchmark bench;

    Loopback(JoinLatencyBenchmark bench) throws IOException {
      this.bench = bench;
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(executor);
      for (int u = 0; u < 2; u++) {
        int url = u;
        server.createContext("/u" + u, ex -> serve(ex, url));
      }
      server.start();
    }

    URI uri(int url) {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/u" + url);
    }

    /** Ends the URL's current response (mid-packet: the chunks ignore packet boundaries). */
    void cut(int url) {
      generation[url].incrementAndGet();
    }

    private void serve(HttpExchange ex, int url) throws IOException {
      try (ex) {
        if (!alive[url].get()) {
          ex.sendResponseHeaders(503, -1);
          return;
        }
        int mine = generation[url].get();
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long start = System.nanoTime();
        long sent = 0;
        int pos = 0;
        while (generation[url].get() == mine) {
          long due = (long) ((System.nanoTime() - start) / 1e9 * bench.bytesPerSecond) + 1000;
          while (sent < due) {
            int n = (int) Math.min(due - sent, bench.clip.length - pos);
            out.write(bench.clip, pos, n);
            pos = (pos + n) % bench.clip.length;
            sent += n;
          }
          out.flush();
          Thread.sleep(20);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // the pump closed the connection
      }
    }

    @Override
    public void close() throws InterruptedException {
      server.stop(0);
      executor.shutdownNow();
      executor.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  private static String stats(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", sorted[0], sorted[sorted.length / 2],
        sorted[sorted.length - 1]);
  }

  private static int pid(byte[] b, int o) {
    return ((b[o + 1] & 0x1F) << 8) | (b[o + 2] & 0xFF);
  }

  /** The PCR of the packet at {@code o} in 27 MHz ticks, or -1. */
  private static long pcr(byte[] b, int o) {
    if ((b[o + 3] & 0x20) == 0 || (b[o + 4] & 0xFF) < 7 || (b[o + 5] & 0x10) == 0) {
      return -1;
    }
    long base = ((b[o + 6] & 0xFFL) << 25) | ((b[o + 7] & 0xFFL) << 17) | ((b[o + 8] & 0xFFL) << 9)
        | ((b[o + 9] & 0xFFL) << 1) | ((b[o + 10] & 0x80L) >> 7);
    long ext = ((b[o + 10] & 0x01L) << 8) | (b[o + 11] & 0xFFL);
    return base * 300 + ext;
  }
}
