package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.internal.hls.HlsConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HLS connection's contract with the data path, on a real HTTP server with synthetic segments
 * whose every 188-byte packet names its segment: which bytes each read returns, when
 * {@link UpstreamConnection#discontinuityCount()} grows, decryption, end of list, staleness, close,
 * resume after a reconnect, and {@link AutoUpstreamSource}'s choice between HLS and raw TS.
 */
@Timeout(60)
class HlsConnectionTest {

  private static final int PACKET = 188;
  private static final String HLS = "application/vnd.apple.mpegurl";
  private static final ReconnectPolicy QUICK = ReconnectPolicy.builder().maxAttempts(2)
      .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(50)).build();

  private TestUpstreamServer server;

  @BeforeEach
  void start() throws IOException {
    server = new TestUpstreamServer();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
  }

  /** A segment of {@code packets} TS packets, each 0x47 followed by {@code id}. */
  private static byte[] segment(int id, int packets) {
    byte[] b = new byte[packets * PACKET];
    for (int p = 0; p < packets; p++) {
      b[p * PACKET] = 0x47;
      for (int i = 1; i < PACKET; i++) {
        b[p * PACKET + i] = (byte) id;
      }
    }
    return b;
  }

  private void serveSegments(int from, int to) {
    for (int id = from; to >= id; id++) {
      byte[] body = segment(id, 7 + id % 5);
      server.route("/s" + id + ".ts", (ex, n) -> HlsTestSupport.send(ex, 200, "video/mp2t", body));
    }
  }

  private void servePlaylist(String path, IntFunction<String> byRequest) {
    server.route(path, (ex, n) -> HlsTestSupport.send(ex, 200, HLS,
        byRequest.apply(n).getBytes(StandardCharsets.UTF_8)));
  }

  private static String playlist(long firstSeq, boolean end, String... entries) {
    StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:")
        .append(firstSeq).append('\n');
    for (String e : entries) {
      if (e.startsWith("#")) {
        b.append(e).append('\n');
      } else {
        b.append("#EXTINF:1.0,\n").append(e).append('\n');
      }
    }
    if (end) {
      b.append("#EXT-X-ENDLIST\n");
    }
    return b.toString();
  }

  private static UpstreamRequest request(URI url) {
    return new UpstreamRequest("pl-7", "ch-7", url, 1);
  }

  /** One read: the segment ids of its packets and the count after it. */
  private record Read(List<Integer> ids, int countAfter) {}

  private static List<Read> readAll(HlsConnection c, int bufferSize) throws IOException {
    List<Read> reads = new ArrayList<>();
    byte[] buf = new byte[bufferSize];
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    for (int n; (n = c.read(buf, 0, buf.length)) >= 0; ) {
      pending.write(buf, 0, n);
      byte[] all = pending.toByteArray();
      List<Integer> ids = new ArrayList<>();
      int whole = all.length / PACKET * PACKET;
      for (int p = 0; p < whole; p += PACKET) {
        if (all[p] != 0x47) {
          throw new AssertionError("lost packet alignment");
        }
        if (!ids.contains(all[p + 1] & 0xff)) {
          ids.add(all[p + 1] & 0xff);
        }
      }
      pending.reset();
      pending.write(all, whole, all.length - whole);
      reads.add(new Read(ids, c.discontinuityCount()));
    }
    return reads;
  }

  @Test
  void aReadNeverCrossesASegmentAndTheCountGrowsBeforeTheFirstByteAfterADiscontinuity()
      throws Exception {
    serveSegments(1, 5);
    servePlaylist("/p.m3u8", n -> playlist(1, true, "s1.ts", "s2.ts", "s3.ts",
        "#EXT-X-DISCONTINUITY", "s4.ts", "s5.ts"));
    List<Read> reads;
    try (HlsConnection c = (HlsConnection) HlsUpstreamSource.builder().build()
        .open(request(server.uri("/p.m3u8")))) {
      reads = readAll(c, PACKET * 64); // larger than any segment
    }
    assertThat(reads).allSatisfy(r -> assertThat(r.ids()).hasSize(1));
    assertThat(reads).extracting(r -> r.ids().get(0)).containsExactly(1, 2, 3, 4, 5);
    assertThat(reads).extracting(Read::countAfter).containsExactly(0, 0, 0, 1, 1);
    assertThat(server.requests("/s3.ts")).isEqualTo(1);
  }

  @Test
  void aSmallBufferStillSplitsExactlyAtTheDiscontinuity() throws Exception {
    serveSegments(1, 3);
    servePlaylist("/p.m3u8", n -> playlist(1, true, "s1.ts", "#EXT-X-DISCONTINUITY", "s2.ts",
        "s3.ts"));
    List<Read> reads;
    try (HlsConnection c = (HlsConnection) HlsUpstreamSource.builder().build()
        .open(request(server.uri("/p.m3u8")))) {
      reads = readAll(c, PACKET * 3 + 17); // reads end mid-packet
    }
    for (Read r : reads) {
      assertThat(r.ids()).hasSizeLessThanOrEqualTo(1);
      if (!r.ids().isEmpty()) {
        assertThat(r.countAfter()).as("read of segment %s", r.ids()).isEqualTo(r.ids().get(0) >= 2 ? 1 : 0);
      }
    }
  }

  @Test
  void aMediaSequenceJumpIsASpliceAndSegmentsAreFetchedOnce() throws Exception {
    serveSegments(10, 22);
    servePlaylist("/p.m3u8", n -> n == 1 ? playlist(10, false, "s10.ts", "s11.ts", "s12.ts")
        : playlist(20, true, "s20.ts", "s21.ts", "s22.ts"));
    List<Read> reads;
    try (HlsConnection c = (HlsConnection) HlsUpstreamSource.builder().build()
        .open(request(server.uri("/p.m3u8")))) {
      reads = readAll(c, PACKET * 64);
    }
    assertThat(reads).extracting(r -> r.ids().get(0)).containsExactly(10, 11, 12, 20, 21, 22);
    assertThat(reads).extracting(Read::countAfter).containsExactly(0, 0, 0, 1, 1, 1);
    for (int id : new int[] {10, 11, 12, 20, 21, 22}) {
      assertThat(server.requests("/s" + id + ".ts")).as("segment %d", id).isEqualTo(1);
    }
  }

  @Test
  void aServerRestartingItsNumberingIsRejoinedAtTheLiveEdgeWithASplice() throws Exception {
    serveSegments(0, 12);
    servePlaylist("/p.m3u8", n -> n == 1 ? playlist(10, false, "s10.ts", "s11.ts", "s12.ts")
        : playlist(0, true, "s0.ts", "s1.ts", "s2.ts", "s3.ts"));
    List<Read> reads;
    try (HlsConnection c = (HlsConnection) HlsUpstreamSource.builder().liveEdgeSegments(2).build()
        .open(request(server.uri("/p.m3u8")))) {
      reads = readAll(c, PACKET * 64);
    }
    assertThat(reads).extracting(r -> r.ids().get(0)).containsExactly(11, 12, 2, 3);
    assertThat(reads).extracting(Read::countAfter).containsExactly(0, 0, 1, 1);
  }

  @Test
  void aes128WithTheIvFromTheSequenceNumberAndKeyRotationFetchesEachKeyOnce() throws Exception {
    byte[] k1 = new byte[16];
    byte[] k2 = new byte[16];
    for (int i = 0; i < 16; i++) {
      k1[i] = (byte) i;
      k2[i] = (byte) (100 + i);
    }
    server.route("/k1", (ex, n) -> HlsTestSupport.send(ex, 200, "application/octet-stream", k1));
    server.route("/k2", (ex, n) -> HlsTestSupport.send(ex, 200, "application/octet-stream", k2));
    byte[][] plain = new byte[4][];
    for (int seq = 40; seq < 44; seq++) {
      int i = seq - 40;
      plain[i] = segment(seq, 50 + i);
      byte[] key = seq < 42 ? k1 : k2;
      byte[] iv = new byte[16];
      iv[15] = (byte) seq; // no IV attribute: the media sequence number, big-endian
      Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      byte[] enc = cipher.doFinal(plain[i]);
      server.route("/e" + seq + ".ts", (ex, n) -> HlsTestSupport.send(ex, 200, "video/mp2t", enc));
    }
    servePlaylist("/p.m3u8", n -> playlist(40, true, "#EXT-X-KEY:METHOD=AES-128,URI=\"/k1\"",
        "e40.ts", "e41.ts", "#EXT-X-KEY:METHOD=AES-128,URI=\"/k2\"", "e42.ts", "e43.ts"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (UpstreamConnection c = HlsUpstreamSource.builder().build()
        .open(request(server.uri("/p.m3u8")))) {
      byte[] buf = new byte[1000];
      for (int n; (n = c.read(buf, 0, buf.length)) >= 0; ) {
        out.write(buf, 0, n);
      }
    }
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (byte[] p : plain) {
      expected.write(p);
    }
    assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
    assertThat(server.requests("/k1")).isEqualTo(1);
    assertThat(server.requests("/k2")).isEqualTo(1);
  }

  @Test
  void aWrongKeyFailsWithAClearMessage() throws Exception {
    server.route("/k", (ex, n) -> HlsTestSupport.send(ex, 200, "application/octet-stream",
        new byte[16]));
    byte[] notEncrypted = segment(1, 10);
    server.route("/e1.ts", (ex, n) -> HlsTestSupport.send(ex, 200, "video/mp2t", notEncrypted));
    servePlaylist("/p.m3u8", n -> playlist(1, true, "#EXT-X-KEY:METHOD=AES-128,URI=\"/k\"",
        "e1.ts"));
    try (UpstreamConnection c = HlsUpstreamSource.builder().build()
        .open(request(server.uri("/p.m3u8")))) {
      assertThatThrownBy(() -> {
        while (c.read(new byte[4096], 0, 4096) >= 0) {
          // until the failure
        }
      }).isInstanceOf(IOException.class).satisfiesAnyOf(
          e -> assertThat(e).hasMessageContaining("decryption of segment 1"),
          e -> assertThat(e).hasMessageContaining("not MPEG-TS"))
          .hasMessageContaining("'ch-7'").hasMessageContaining("'pl-7'");
    }
  }

  @Test
  void sampleAesAndNonTsSegmentsAreRefused() throws Exception {
    servePlaylist("/sa.m3u8", n -> playlist(1, false, "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://x\"",
        "s1.ts"));
    assertThatThrownBy(() -> HlsUpstreamSource.builder().build()
        .open(request(server.uri("/sa.m3u8"))))
        .isInstanceOf(HlsUnsupportedException.class).hasMessageContaining("SAMPLE-AES");

    byte[] aac = "ID3\u0004\u0000 packed audio".getBytes(StandardCharsets.ISO_8859_1);
    server.route("/a1.aac", (ex, n) -> HlsTestSupport.send(ex, 200, "audio/aac", aac));
    servePlaylist("/aac.m3u8", n -> playlist(1, true, "a1.aac"));
    try (UpstreamConnection c = HlsUpstreamSource.builder().build()
        .open(request(server.uri("/aac.m3u8")))) {
      assertThatThrownBy(() -> c.read(new byte[100], 0, 100))
          .isInstanceOf(HlsUnsupportedException.class).hasMessageContaining("not MPEG-TS")
          .hasMessageContaining("0x49");
    }
  }

  @Test
  void endListEndsTheStreamAfterItsLastSegment() throws Exception {
    serveSegments(1, 2);
    servePlaylist("/p.m3u8", n -> playlist(1, true, "s1.ts", "s2.ts"));
    try (HlsConnection c = (HlsConnection) HlsUpstreamSource.builder().build()
        .open(request(server.uri("/p.m3u8")))) {
      assertThat(readAll(c, 100_000)).hasSize(2);
      assertThat(c.read(new byte[10], 0, 10)).isEqualTo(-1);
    }
    assertThat(server.requests("/p.m3u8")).isEqualTo(1); // a finished list is not reloaded
  }

  @Test
  void aStalePlaylistFailsTheConnectionNamingTheStream() throws Exception {
    serveSegments(1, 1);
    servePlaylist("/p.m3u8", n -> playlist(1, false, "s1.ts"));
    try (UpstreamConnection c = HlsUpstreamSource.builder().staleFactor(1.25).build()
        .open(request(server.uri("/p.m3u8")))) {
      byte[] buf = new byte[100_000];
      assertThat(c.read(buf, 0, buf.length)).isPositive();
      assertThatThrownBy(() -> c.read(buf, 0, buf.length))
          .isInstanceOf(HlsPlaylistException.class).hasMessageContaining("stale")
          .hasMessageContaining("'ch-7'").hasMessageContaining("'pl-7'");
    }
    // The load, then unchanged reloads (paced as ReloadPacerTest proves) until one is more than
    // 1.25 s after the last change.
    assertThat(server.requests("/p.m3u8")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aPlaylistThatKeepsFailingFailsTheConnectionAfterTheRetries() throws Exception {
    server.route("/gone.m3u8", (ex, n) -> ex.sendResponseHeaders(404, -1));
    assertThatThrownBy(() -> HlsUpstreamSource.builder().retryPolicy(QUICK).build()
        .open(request(server.uri("/gone.m3u8"))))
        .isInstanceOf(UpstreamStatusException.class).hasMessageContaining("404");
    assertThat(server.requests("/gone.m3u8")).isEqualTo(2);

    servePlaylist("/html", n -> "<html>");
    assertThatThrownBy(() -> HlsUpstreamSource.builder().build()
        .open(request(server.uri("/html"))))
        .isInstanceOf(HlsPlaylistException.class).hasMessageContaining("#EXTM3U");
  }

  @Test
  void closeFromAnotherThreadUnblocksAReadWaitingForTheNextReload() throws Exception {
    serveSegments(1, 1);
    CountDownLatch reloading = new CountDownLatch(1);
    servePlaylist("/p.m3u8", n -> {
      if (n >= 2) {
        reloading.countDown();
      }
      return playlist(1, false, "s1.ts");
    });
    HlsConnection c = (HlsConnection) HlsUpstreamSource.builder().staleFactor(1000).build()
        .open(request(server.uri("/p.m3u8")));
    byte[] buf = new byte[100_000];
    assertThat(c.read(buf, 0, buf.length)).isPositive();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try {
        c.read(buf, 0, buf.length); // waits for a segment that never comes
      } catch (Throwable t) {
        failure.set(t);
      } finally {
        ended.countDown();
      }
    });
    reader.start();
    assertThat(reloading.await(30, TimeUnit.SECONDS)).as("the reader is in its reload loop").isTrue();
    c.close();
    assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(failure.get()).isInstanceOf(IOException.class).hasMessageContaining("closed")
        .hasMessageContaining("'ch-7'");
  }

  @Test
  void aReconnectResumesAfterTheLastStartedSegmentInsteadOfReplaying() throws Exception {
    serveSegments(1, 6);
    servePlaylist("/p.m3u8", n -> playlist(1, false, "s1.ts", "s2.ts", "s3.ts", "s4.ts",
        "s5.ts", "s6.ts"));
    HlsUpstreamSource source = HlsUpstreamSource.builder().liveEdgeSegments(4).build();
    byte[] buf = new byte[100_000];
    try (UpstreamConnection c = source.open(request(server.uri("/p.m3u8")))) {
      c.read(buf, 0, buf.length); // s3
      c.read(buf, 0, buf.length); // s4, then the connection drops
      assertThat(buf[1]).isEqualTo((byte) 4);
    }
    try (UpstreamConnection c = source.open(request(server.uri("/p.m3u8")))) {
      c.read(buf, 0, buf.length);
      assertThat(buf[1]).as("continues with s5, not the live edge s3").isEqualTo((byte) 5);
    }
    // The same stream much later, when its resume point is more than twice the live-edge distance
    // behind live: joins at the live edge.
    AtomicReference<String> live = new AtomicReference<>(playlist(1, false, "s1.ts", "s2.ts",
        "s3.ts", "s4.ts", "s5.ts", "s6.ts"));
    servePlaylist("/r.m3u8", n -> live.get());
    serveSegments(7, 10);
    HlsUpstreamSource near = HlsUpstreamSource.builder().liveEdgeSegments(1).build();
    try (UpstreamConnection c = near.open(request(server.uri("/r.m3u8")))) {
      c.read(buf, 0, buf.length); // s6: the resume point is 6
      assertThat(buf[1]).isEqualTo((byte) 6);
    }
    live.set(playlist(1, false, "s1.ts", "s2.ts", "s3.ts", "s4.ts", "s5.ts", "s6.ts", "s7.ts",
        "s8.ts"));
    try (UpstreamConnection c = near.open(request(server.uri("/r.m3u8")))) {
      c.read(buf, 0, buf.length);
      assertThat(buf[1]).as("s7: one behind live, within twice the distance").isEqualTo((byte) 7);
    }
    live.set(playlist(1, false, "s1.ts", "s2.ts", "s3.ts", "s4.ts", "s5.ts", "s6.ts", "s7.ts",
        "s8.ts", "s9.ts", "s10.ts"));
    try (UpstreamConnection c = near.open(request(server.uri("/r.m3u8")))) {
      c.read(buf, 0, buf.length);
      assertThat(buf[1]).as("s10, not s8: too far behind live").isEqualTo((byte) 10);
    }
    try (UpstreamConnection c = source.open(new UpstreamRequest("pl-7", "other-channel",
        server.uri("/p.m3u8"), 1))) {
      c.read(buf, 0, buf.length);
      assertThat(buf[1]).as("another stream joins at the live edge").isEqualTo((byte) 3);
    }
  }

  @Test
  void autoSourceChoosesHlsByContentTypeOrSuffixAndRawTsOtherwiseUnlessOverridden()
      throws Exception {
    serveSegments(1, 1);
    String hlsText = playlist(1, true, "/s1.ts");
    servePlaylist("/channel/7", n -> hlsText); // no suffix; HLS content type
    servePlaylist("/live.m3u8", n -> hlsText);
    byte[] raw = segment(99, 20);
    server.route("/raw", (ex, n) -> HlsTestSupport.send(ex, 200, "video/mp2t", raw));
    server.route("/by-suffix.m3u8", (ex, n) -> HlsTestSupport.send(ex, 200, "text/plain",
        hlsText.getBytes(StandardCharsets.UTF_8)));

    AutoUpstreamSource auto = AutoUpstreamSource.builder().build();
    assertThat(firstSegmentId(auto, "/channel/7")).isEqualTo(1);
    assertThat(server.requests("/channel/7")).isEqualTo(1); // the response was read as the playlist
    assertThat(firstSegmentId(auto, "/by-suffix.m3u8")).isEqualTo(1);
    assertThat(firstSegmentId(auto, "/raw")).isEqualTo(99);

    AutoUpstreamSource forced = AutoUpstreamSource.builder()
        .format(r -> r.url().getPath().equals("/live.m3u8") ? StreamFormat.MPEG_TS : StreamFormat.AUTO)
        .build();
    try (UpstreamConnection c = forced.open(request(server.uri("/live.m3u8")))) {
      byte[] buf = new byte[7];
      assertThat(new String(buf, 0, c.read(buf, 0, 7), StandardCharsets.UTF_8)).isEqualTo("#EXTM3U");
    }
    assertThat(AutoUpstreamSource.isHlsContentType("Application/X-MpegURL; charset=UTF-8")).isTrue();
    assertThat(AutoUpstreamSource.isHlsContentType("audio/mpegurl")).isTrue();
    assertThat(AutoUpstreamSource.isHlsContentType("video/mp2t")).isFalse();
    assertThat(AutoUpstreamSource.isHlsContentType(null)).isFalse();
  }

  @Test
  void perPlaylistHttpSettingsAreUsedForEveryHlsRequest() throws Exception {
    List<String> agents = new java.util.concurrent.CopyOnWriteArrayList<>();
    byte[] seg = segment(1, 5);
    server.route("/ua.m3u8", (ex, n) -> {
      agents.add(ex.getRequestHeaders().getFirst("User-Agent") + "|"
          + ex.getRequestHeaders().getFirst("X-Token"));
      HlsTestSupport.send(ex, 200, HLS, playlist(1, true, "ua1.ts").getBytes(StandardCharsets.UTF_8));
    });
    server.route("/ua1.ts", (ex, n) -> {
      agents.add(ex.getRequestHeaders().getFirst("User-Agent") + "|"
          + ex.getRequestHeaders().getFirst("X-Token"));
      HlsTestSupport.send(ex, 200, "video/mp2t", seg);
    });
    HlsUpstreamSource source = HlsUpstreamSource.builder()
        .http("pl-7", HttpUpstreamSource.builder().userAgent("VLC/3.0.20").header("X-Token", "t1")
            .build())
        .build();
    try (UpstreamConnection c = source.open(request(server.uri("/ua.m3u8")))) {
      assertThat(c.read(new byte[10_000], 0, 10_000)).isPositive();
    }
    try (UpstreamConnection c = source.open(new UpstreamRequest("other", "ch", server.uri("/ua.m3u8"),
        1))) {
      assertThat(c.read(new byte[10_000], 0, 10_000)).isPositive();
    }
    assertThat(agents).containsExactly("VLC/3.0.20|t1", "VLC/3.0.20|t1",
        HttpUpstreamSource.DEFAULT_USER_AGENT + "|null", HttpUpstreamSource.DEFAULT_USER_AGENT + "|null");
  }

  @Test
  void builderRejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> HlsUpstreamSource.builder().liveEdgeSegments(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("liveEdgeSegments");
    assertThatThrownBy(() -> HlsUpstreamSource.builder().staleFactor(0.9))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.9");
    assertThatThrownBy(() -> HlsUpstreamSource.builder().http(" ", HttpUpstreamSource.builder().build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("playlistId");
    assertThatThrownBy(() -> HlsVariantSelector.bandwidthAtMost(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cap");
    assertThatThrownBy(() -> new HlsVariant(URI.create("v.m3u8"), -1, 0, 0, 0, "", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("v.m3u8");
  }

  private int firstSegmentId(UpstreamSource source, String path) throws IOException {
    try (UpstreamConnection c = source.open(request(server.uri(path)))) {
      byte[] buf = new byte[PACKET];
      int n = c.read(buf, 0, 2);
      assertThat(n).isPositive();
      if (n < 2) {
        assertThat(c.read(buf, 1, 1)).isEqualTo(1);
      }
      return buf[1] & 0xff;
    }
  }
}
