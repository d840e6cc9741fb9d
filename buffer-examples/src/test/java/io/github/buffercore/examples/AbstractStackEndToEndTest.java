package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.HttpUpstreamSource;
import io.github.buffercore.LogCapture;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.TestUpstreamServer;
import io.github.buffercore.UpstreamTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End-to-end tests of one HTTP stack: real {@link HttpClient} viewers, the example server, and a real
 * local HTTP upstream on 127.0.0.1. Subclasses name the stack. Waits are bounded and only guard
 * against hangs; nothing asserts a duration.
 */
abstract class AbstractStackEndToEndTest {

  static final int PACKET = 188;
  static final Duration GUARD = Duration.ofSeconds(30);

  final TestUpstreamServer upstream;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final AtomicBoolean stopping = new AtomicBoolean();
  final AtomicInteger openUpstreamResponses = new AtomicInteger();
  ProxyApp app;
  HttpStack.RunningServer server;

  AbstractStackEndToEndTest() {
    try {
      upstream = new TestUpstreamServer();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The stack under test. */
  abstract HttpStack stack();

  @AfterEach
  void tearDown() throws Exception {
    stopping.set(true);
    if (server != null) {
      server.close();
    }
    if (app != null) {
      app.close();
    }
    upstream.close();
  }

  /** Deterministic TS-shaped packets: packet i is 0x47 followed by a pattern of i. */
  static byte[] packets(int first, int count) {
    byte[] data = new byte[count * PACKET];
    for (int p = 0; p < count; p++) {
      data[p * PACKET] = 0x47;
      for (int j = 1; j < PACKET; j++) {
        data[p * PACKET + j] = (byte) ((first + p) * 31 + j);
      }
    }
    return data;
  }

  /**
   * A live upstream at {@code path}: waits for {@code gate}, sends {@code head} at once, then one
   * packet every millisecond (a live stream keeps flowing, so a vanished viewer is noticed) until the
   * test ends or the pump hangs up.
   */
  void liveUpstream(String path, CountDownLatch gate, byte[] head) {
    upstream.route(path, (exchange, n) -> {
      openUpstreamResponses.incrementAndGet();
      try {
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.flush();
        gate.await(30, TimeUnit.SECONDS);
        out.write(head);
        out.flush();
        for (int i = head.length / PACKET; !stopping.get(); i++) {
          out.write(packets(i, 1));
          out.flush();
          Thread.sleep(1); // pacing of the simulated upstream, not a race fix
        }
      } finally {
        openUpstreamResponses.decrementAndGet();
      }
    });
  }

  void start(Map<String, String> channelToPath, int tuners, Consumer<PlaylistRegistry.Builder> configure)
      throws Exception {
    Map<String, Integer> playlists = Map.of("p1", tuners);
    Map<String, ChannelMap.Channel> channels = new java.util.LinkedHashMap<>();
    channelToPath.forEach((channel, path) -> channels.put(channel,
        new ChannelMap.Channel(channel, "p1", UpstreamTarget.of(upstream.uri(path)))));
    app = new ProxyApp(new ChannelMap(playlists, channels),
        HttpUpstreamSource.builder().readTimeout(Duration.ofSeconds(20)).build(), configure);
    server = stack().start(app, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(url(path)).timeout(GUARD).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<InputStream>> openStream(String channel) {
    return client.sendAsync(HttpRequest.newBuilder(url("/stream/" + channel)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("guard: still waiting for " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  int clients() {
    return app.registry().snapshot().totalClients();
  }

  static byte[] readExactly(InputStream in, int total) throws IOException {
    byte[] data = in.readNBytes(total);
    assertThat(data).as("bytes received").hasSize(total);
    return data;
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void tenConcurrentViewersShareOnePlaylistOneUpstreamAndIdenticalBytes() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    byte[] head = packets(0, 2_000);
    liveUpstream("/live", gate, head);
    try (LogCapture log = new LogCapture()) {
      start(Map.of("ch1", "/live"), 2, builder -> { });
      List<CompletableFuture<HttpResponse<InputStream>>> viewers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        viewers.add(openStream("ch1"));
      }
      await("10 clients in the registry", () -> clients() == 10);
      gate.countDown();

      String expected = sha256(head);
      for (CompletableFuture<HttpResponse<InputStream>> viewer : viewers) {
        HttpResponse<InputStream> response = viewer.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("video/mp2t");
        try (InputStream body = response.body()) {
          assertThat(sha256(readExactly(body, head.length))).isEqualTo(expected);
        }
      }
      assertThat(log.linesContaining("Creating new playlist for ID: p1")).hasSize(1);
      assertThat(upstream.requests("/live")).isEqualTo(1);
      String status = get("/status").body();
      assertThat(status).contains("\"id\":\"p1\"", "\"connectionsOpened\":1");
    }
  }

  @Test
  void aViewerBeyondTheTunerLimitGets503WithRetryAfter() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    liveUpstream("/one", gate, packets(0, 10));
    liveUpstream("/two", gate, packets(0, 10));
    start(Map.of("one", "/one", "two", "/two"), 1, builder -> { });
    gate.countDown();
    HttpResponse<InputStream> first = openStream("one").get(30, TimeUnit.SECONDS);
    assertThat(first.statusCode()).isEqualTo(200);

    HttpResponse<String> refused = get("/stream/two");

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("10");
    assertThat(refused.body()).contains("'p1'", "1 tuner").hasLineCount(1);
    assertThat(upstream.requests("/two")).isZero();
    first.body().close();
  }

  @Test
  void unknownAndMalformedChannelsAreRefusedClearly() throws Exception {
    start(Map.of("ch1", "/live"), 1, builder -> { });
    assertThat(get("/stream/nope").statusCode()).isEqualTo(404);
    assertThat(get("/stream/nope").body()).contains("'nope'");
    assertThat(get("/stream/a..b").statusCode()).isEqualTo(400);
    assertThat(get("/stream/a%2Fb").statusCode()).isEqualTo(400);
    assertThat(get("/stream/a%00b").statusCode()).isEqualTo(400);
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(app.registry().snapshot().playlists()).isEmpty();
  }

  @Test
  void disconnectedViewersAreReleasedAndTheUpstreamClosesAfterTheGracePeriod() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    gate.countDown();
    liveUpstream("/live", gate, packets(0, 100));
    start(Map.of("ch1", "/live"), 1, builder -> builder.streamGrace(Duration.ofMillis(200)));
    List<HttpResponse<InputStream>> viewers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HttpResponse<InputStream> response = openStream("ch1").get(30, TimeUnit.SECONDS);
      readExactly(response.body(), PACKET);
      viewers.add(response);
    }
    assertThat(clients()).isEqualTo(3);

    for (HttpResponse<InputStream> viewer : viewers) {
      viewer.body().close();
    }

    await("no clients in /status", () -> {
      try {
        return get("/status").body().contains("\"totalClients\":0");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    await("the stream to stop after its grace period", () -> app.registry().snapshot().totalStreams() == 0);
    await("the upstream connection to close", () -> openUpstreamResponses.get() == 0);
    assertThat(upstream.requests("/live")).isEqualTo(1);
  }

  @Test
  void anUpstreamFailingMidStreamEndsEveryResponseAndIsLoggedWithTheIds() throws Exception {
    byte[] body = packets(0, 200);
    CountDownLatch joined = new CountDownLatch(1);
    upstream.route("/dying", (exchange, n) -> {
      if (n > 1) {
        exchange.sendResponseHeaders(502, -1);
        return;
      }
      exchange.sendResponseHeaders(200, 0);
      joined.await(30, TimeUnit.SECONDS);
      exchange.getResponseBody().write(body);
      exchange.getResponseBody().flush();
    });
    try (LogCapture log = new LogCapture()) {
      start(Map.of("ch1", "/dying"), 1, builder -> builder.reconnectPolicy(ReconnectPolicy.none()));
      List<CompletableFuture<HttpResponse<InputStream>>> viewers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        viewers.add(openStream("ch1"));
      }
      await("3 clients", () -> clients() == 3);
      joined.countDown();

      for (CompletableFuture<HttpResponse<InputStream>> viewer : viewers) {
        HttpResponse<InputStream> response = viewer.get(30, TimeUnit.SECONDS);
        CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> {
          try (InputStream in = response.body()) {
            return in.readAllBytes().length;
          } catch (IOException truncated) {
            return -1; // a chunked response cut short is also an end, not a hang
          }
        });
        assertThat(drained.get(30, TimeUnit.SECONDS)).isIn(-1, body.length);
      }
      await("the failure logged with the ids", () ->
          !log.linesContaining("Upstream of stream 'ch1' in playlist 'p1' failed").isEmpty());
      assertThat(app.registry().snapshot().totalStreams()).isZero();
    }
  }
}
