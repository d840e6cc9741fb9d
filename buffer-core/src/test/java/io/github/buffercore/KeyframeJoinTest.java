package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import io.github.buffercore.internal.ts.TsTestMedia;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyframe joins and clean failover end to end: a looping MPEG-TS channel (ffmpeg's H.264 + AAC clip)
 * served at its own bitrate by a real HTTP server, read by the real {@link HttpUpstreamSource} into a
 * real registry. What each viewer receives is decoded by the real ffmpeg ({@code -v error}); ffmpeg is
 * required (CI installs it), and a test fails with a message saying so when it is missing.
 */
class KeyframeJoinTest {

  private static final Logger LOG = LoggerFactory.getLogger(KeyframeJoinTest.class);
  private static final int PACKET = 188;
  /** ffmpeg's MPEG-TS muxer puts the first video stream on this PID. */
  private static final int VIDEO_PID = 0x100;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  private final byte[] clip = TsTestMedia.h264();
  /** The clip is 10 s long: served at this rate it plays in real time. */
  private final double bytesPerSecond = clip.length / 10.0;
  private final TestUpstreamServer server;
  private final ExecutorService viewers = Executors.newCachedThreadPool();
  private PlaylistRegistry registry;

  KeyframeJoinTest() throws IOException {
    server = new TestUpstreamServer();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (registry != null) {
      registry.close();
    }
    viewers.shutdownNow();
    viewers.awaitTermination(10, TimeUnit.SECONDS);
    server.close();
  }

  @Test
  void twentyViewersJoiningAtRandomMomentsDecodeTheirFirstSecondsWithoutError() throws Exception {
    server.route("/live", (ex, n) -> serveLoop(ex, () -> false));
    registry = registry(ReconnectPolicy.defaults(), List.of());
    try (ClientLease warm = registry.acquire("p1", "ch1", id -> PlaylistSettings.withTuners(1))) {
      // The channel runs for two GOPs before the first random join, so every join finds a point.
      readAtLeast(warm.reader(), (int) (2 * bytesPerSecond));
      Random random = new Random(14);
      List<Future<Viewer>> joins = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Thread.sleep(random.nextInt(400)); // the random moment of this join (channel time, not a race)
        JoinPosition join = switch (i % 4) {
          case 0, 1 -> null; // the registry's default: live
          case 2 -> JoinPosition.behind(Duration.ofSeconds(2));
          default -> JoinPosition.oldest();
        };
        int number = i;
        ClientLease lease = join == null ? registry.acquire("p1", "ch1") : registry.acquire("p1", "ch1", join);
        joins.add(viewers.submit(() -> {
          try (lease) {
            return new Viewer(number, join == null ? "live (default)" : join.toString(),
                readAtLeast(lease.reader(), (int) (2 * bytesPerSecond)));
          }
        }));
      }
      for (Future<Viewer> f : joins) {
        Viewer v = f.get(60, TimeUnit.SECONDS);
        byte[] got = wholeVideoUnits(v.bytes);
        assertThat(got.length % PACKET).as("viewer %d (%s): whole packets", v.number, v.join).isZero();
        assertThat(pid(got, 0)).as("viewer %d (%s) starts with the PAT", v.number, v.join).isZero();
        TsTestMedia.Result decoded = TsTestMedia.decode(got);
        assertThat(decoded.clean()).as("viewer %d (%s): ffmpeg -v error on its first %d bytes: %s", v.number,
            v.join, got.length, decoded).isTrue();
        int frames = TsTestMedia.videoFrames(got);
        LOG.info("viewer {} ({}): {} bytes, {} video frames, decoded without error", v.number, v.join,
            got.length, frames);
        assertThat(frames).as("viewer %d (%s): a second of pictures at least", v.number, v.join)
            .isGreaterThanOrEqualTo(25);
      }
    }
  }

  @Test
  void killingThePrimaryMidStreamSplicesToTheBackupAndEveryViewerDecodesAcrossIt() throws Exception {
    CountDownLatch kill = new CountDownLatch(1);
    server.route("/primary", (ex, n) -> {
      if (kill.getCount() == 0) {
        ex.sendResponseHeaders(503, -1); // the primary is down for good
        return;
      }
      serveLoop(ex, () -> kill.getCount() == 0); // returns mid-packet when killed: the connection ends
    });
    server.route("/backup", (ex, n) -> serveLoop(ex, () -> false));
    ReconnectPolicy policy = ReconnectPolicy.builder().maxAttempts(1).initialBackoff(Duration.ofMillis(200)).build();
    registry = registry(policy, List.of(server.uri("/backup")));
    ClientLease warm = registry.acquire("p1", "ch1", id -> PlaylistSettings.withTuners(1));
    readAtLeast(warm.reader(), (int) (2 * bytesPerSecond));
    int count = 4;
    List<ClientLease> leases = new ArrayList<>();
    List<Future<byte[]>> reads = new ArrayList<>();
    CountDownLatch killed = new CountDownLatch(1);
    CountDownLatch primaryRead = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      ClientLease lease = registry.acquire("p1", "ch1");
      leases.add(lease);
      reads.add(viewers.submit(() -> {
        StreamReader reader = lease.reader();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        got.write(readAtLeast(reader, (int) (2 * bytesPerSecond))); // two seconds from the primary
        primaryRead.countDown();
        killed.await(30, TimeUnit.SECONDS);
        got.write(readAtLeast(reader, (int) (3 * bytesPerSecond))); // then three across the splice
        return got.toByteArray();
      }));
    }
    assertThat(primaryRead.await(30, TimeUnit.SECONDS)).as("every viewer read two seconds of the primary").isTrue();
    kill.countDown();
    killed.countDown();
    for (int i = 0; i < count; i++) {
      byte[] got = wholeVideoUnits(reads.get(i).get(60, TimeUnit.SECONDS));
      assertThat(leases.get(i).isOpen()).as("viewer %d stays connected", i).isTrue();
      assertThat(pid(got, 0)).as("viewer %d starts with the PAT", i).isZero();
      TsTestMedia.Result decoded = TsTestMedia.decode(got);
      int frames = TsTestMedia.videoFrames(got);
      LOG.info("failover viewer {}: {} bytes, {} video frames across the splice; ffmpeg: {}", i, got.length,
          frames, decoded);
      assertThat(decoded.exitCode).as("viewer %d: ffmpeg decodes across the splice: %s", i, decoded).isZero();
      // Five seconds of media received; the splice costs at most the rest of the cut GOP and the wait for
      // the backup's first keyframe (one GOP each), and the cut at the end the last PES.
      assertThat(frames).as("viewer %d: pictures on both sides of the splice", i).isGreaterThanOrEqualTo(5 * 25 - 60);
    }
    assertThat(server.requests("/backup")).isEqualTo(1);
    for (ClientLease lease : leases) {
      lease.close();
    }
    warm.close();
  }

  @Test
  void onlyAnUpstreamGivenUpOnReachesTheViewers() throws Exception {
    CountDownLatch kill = new CountDownLatch(1);
    server.route("/only", (ex, n) -> {
      if (kill.getCount() == 0) {
        ex.sendResponseHeaders(503, -1);
        return;
      }
      serveLoop(ex, () -> kill.getCount() == 0);
    });
    ReconnectPolicy policy = ReconnectPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(50)).build();
    registry = PlaylistRegistry.builder()
        .upstream(HttpUpstreamSource.builder().readTimeout(Duration.ofSeconds(20)).build(),
            (p, s) -> UpstreamTarget.of(server.uri("/only")))
        .reconnectPolicy(policy)
        .build();
    try (ClientLease lease = registry.acquire("p1", "ch1", id -> PlaylistSettings.withTuners(1))) {
      StreamReader reader = lease.reader();
      readAtLeast(reader, (int) bytesPerSecond);
      kill.countDown();
      byte[] buf = new byte[64 * 1024];
      assertThatThrownBy(() -> {
        while (reader.read(buf, 0, buf.length, READ_TIMEOUT) >= 0) {
          // drain what arrived before the upstream was given up on
        }
      }).isInstanceOf(UpstreamException.class).hasMessageContaining("ch1").hasMessageContaining("p1");
    }
  }

  @Test
  void aStreamWithoutVideoFallsBackToThePacketAlignedOffsetWithoutTables() throws Exception {
    byte[] radio = TsTestMedia.audioOnly();
    server.route("/radio", (ex, n) -> {
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      for (int i = 0; i < 100 && !Thread.currentThread().isInterrupted(); i++) {
        out.write(radio, 0, radio.length / 2 + 1); // a cut mid-packet, so the aligner re-synchronises
        out.flush();
        // Not a race fix: the upstream's pacing. A live radio sends as it is broadcast, so the late
        // viewer joins a stream that is still arriving, not one delivered in a single burst.
        Thread.sleep(50);
      }
    });
    registry = PlaylistRegistry.builder()
        .upstream(HttpUpstreamSource.builder().build(), (p, s) -> UpstreamTarget.of(server.uri("/radio")))
        .startBehind(10 * PACKET)
        .build();
    try (ClientLease warm = registry.acquire("p1", "radio", id -> PlaylistSettings.withTuners(1))) {
      readAtLeast(warm.reader(), radio.length);
      try (ClientLease late = registry.acquire("p1", "radio", JoinPosition.live())) {
        StreamReader reader = late.reader();
        long start = reader.position();
        byte[] got = readAtLeast(reader, PACKET);
        assertThat(start % PACKET).as("packet-aligned start").isZero();
        assertThat(start).as("behind the first packets: not the start of the stream").isPositive();
        assertThat(got[0]).isEqualTo((byte) 0x47);
        assertThat(reader.bytesRead()).as("no PAT/PMT prefix: every byte read came from the ring")
            .isEqualTo(reader.position() - start).isEqualTo(got.length);
      }
    }
  }

  private PlaylistRegistry registry(ReconnectPolicy policy, List<java.net.URI> backups) {
    String path = backups.isEmpty() ? "/live" : "/primary";
    return PlaylistRegistry.builder()
        .upstream(HttpUpstreamSource.builder().readTimeout(Duration.ofSeconds(20)).build(),
            (p, s) -> new UpstreamTarget(server.uri(path), backups))
        .reconnectPolicy(policy)
        .startBehind(0) // the packet-aligned fallback starts at live, mid-GOP: a join that fell back shows
        .build();
  }

  /** Serves the clip over and over at its own bitrate, in chunks that do not respect packet boundaries. */
  private void serveLoop(HttpExchange ex, BooleanSupplier killed) throws IOException, InterruptedException {
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    long start = System.nanoTime();
    long sent = 0;
    int pos = 0;
    while (!killed.getAsBoolean()) {
      long due = (long) ((System.nanoTime() - start) / 1e9 * bytesPerSecond) + 1000;
      while (sent < due) {
        int n = (int) Math.min(due - sent, clip.length - pos);
        out.write(clip, pos, n);
        pos = (pos + n) % clip.length;
        sent += n;
      }
      out.flush();
      Thread.sleep(20); // pacing of the simulated live source
    }
  }

  private static byte[] readAtLeast(StreamReader reader, int wanted) throws InterruptedException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    while (got.size() < wanted) {
      int n = reader.read(buf, 0, buf.length, READ_TIMEOUT);
      assertThat(n).as("bytes within %s after %d bytes of %s", READ_TIMEOUT, got.size(), reader).isPositive();
      got.write(buf, 0, n);
    }
    return got.toByteArray();
  }

  /** The bytes up to the last video PES start: a viewer's recording cut at a picture, not inside one. */
  private static byte[] wholeVideoUnits(byte[] got) {
    int whole = got.length - got.length % PACKET;
    List<Long> starts = TsTestMedia.unitStarts(Arrays.copyOf(got, whole), VIDEO_PID);
    assertThat(starts).as("video PES starts in %d bytes", whole).isNotEmpty();
    return Arrays.copyOf(got, (int) (long) starts.get(starts.size() - 1));
  }

  private static int pid(byte[] ts, int offset) {
    return ((ts[offset + 1] & 0x1F) << 8) | (ts[offset + 2] & 0xFF);
  }

  private record Viewer(int number, String join, byte[] bytes) { }
}
