package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.HttpUpstreamSource;
import io.github.buffercore.LogCapture;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.UpstreamTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit of the HTTP edge: everything {@link ProxyApp} and {@link HttpStack} promise,
 * checked through real sockets against a {@link FailableUpstream} that fails on demand, with
 * {@link HttpClient} viewers and raw-socket clients for slow, stalled and trickling ones. A stack
 * conforms when a subclass naming it passes; a new stack someone embeds runs the same suite by
 * extending this class.
 *
 * <p>Limits are short (header timeout 2 s, idle write timeout 2 s, upstream start timeout 2 s, no
 * retries) so each test takes a few seconds. Waits poll a condition and are bounded by {@link
 * #GUARD}, which only guards against hangs; nothing asserts a duration.
 */
public abstract class EdgeConformanceKit {

  static final int PACKET = FailableUpstream.PACKET;
  static final Duration GUARD = Duration.ofSeconds(30);
  /** The limits of every test unless it says otherwise. */
  static final EdgeLimits TEST_LIMITS = new EdgeLimits(Duration.ofSeconds(2), Duration.ofSeconds(2),
      EdgeLimits.DEFAULT_BACKLOG, EdgeLimits.DEFAULT_BLOCKING_THREADS, EdgeLimits.DEFAULT_SEND_BUFFER);

  final FailableUpstream upstream;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final List<AutoCloseable> toClose = new ArrayList<>();
  ProxyApp app;
  HttpStack.RunningServer server;

  protected EdgeConformanceKit() {
    try {
      upstream = new FailableUpstream();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The stack under test.
   *
   * @return a new instance of the stack
   */
  protected abstract HttpStack stack();

  /**
   * The stack's main class (which calls {@link Launcher#run}), for the process-level tests.
   *
   * @return the main class
   */
  protected abstract Class<?> mainClass();

  /**
   * JVM options for the process-level tests' launch of {@link #mainClass()}, e.g. a system property
   * that selects a variant of the stack.
   *
   * @return the options, none by default
   */
  protected List<String> jvmOptions() {
    return List.of();
  }

  /**
   * Whether the stack lets the app (or its own problem handler) answer a request whose target it
   * cannot even parse. The JDK server rejects those inside its parser with its own HTML 400, before
   * any handler runs; every other error it sends is a problem.
   *
   * @return {@code true} unless the stack's parser answers such requests by itself
   */
  protected boolean answersUnparsableRequestsItself() {
    return true;
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    if (server != null) {
      server.close();
    }
    if (app != null) {
      app.close();
    }
    upstream.close();
  }

  // ---------------------------------------------------------------------------------------------
  // set-up and clients

  /** Starts the app on the stack: playlist {@code p1} with the channels and tuners given. */
  void start(Map<String, URI> channelUrls, int tuners, Consumer<PlaylistRegistry.Builder> configure,
      EdgeLimits limits) throws Exception {
    Map<String, ChannelMap.Channel> channels = new LinkedHashMap<>();
    channelUrls.forEach((channel, url) ->
        channels.put(channel, new ChannelMap.Channel(channel, "p1", UpstreamTarget.of(url))));
    app = new ProxyApp(new ChannelMap(Map.of("p1", tuners), channels),
        HttpUpstreamSource.builder().connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(2))
            .build(),
        builder -> {
          builder.reconnectPolicy(ReconnectPolicy.none()).startTimeout(Duration.ofSeconds(2))
              .streamGrace(Duration.ZERO);
          configure.accept(builder);
        });
    server = stack().start(app, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits);
  }

  void start(Map<String, URI> channelUrls, int tuners) throws Exception {
    start(channelUrls, tuners, builder -> { }, TEST_LIMITS);
  }

  /** A live upstream at {@code path}: 10 packets every 2 ms (about 940 KB/s). */
  URI live(String path) {
    upstream.set(path, new FailableUpstream.Live(10, 2));
    return upstream.uri(path);
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
      try {
        Thread.sleep(5); // polling interval of a bounded wait for a condition, not a race fix
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
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

  /** Asserts a problem response: its status, media type, a short JSON body naming the ids. */
  static void assertProblem(HttpResponse<String> response, int status, String... mentions) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.CONTENT_TYPE);
    assertThat(response.body()).startsWith("{\"type\":\"about:blank\"").contains("\"status\":" + status)
        .contains(List.of(mentions.length == 0 ? new String[] {"\"detail\""} : mentions)).doesNotContain("Exception", "<html", "<h1", "\tat ", "127.0.0.1")
        .hasLineCount(1);
    assertThat(response.body().length()).isLessThan(600);
  }

  /** A viewer or attacker on a raw socket. */
  final class RawClient implements AutoCloseable {
    final Socket socket = new Socket();
    final InputStream in;
    final OutputStream out;

    RawClient(int receiveBuffer) throws IOException {
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer); // before connect, so the window stays small
      }
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
      socket.setSoTimeout((int) GUARD.toMillis());
      in = socket.getInputStream();
      out = socket.getOutputStream();
      toClose.add(this);
    }

    void send(String text) throws IOException {
      send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** The status line and headers (names lower-cased); fails if the connection ends first. */
    Map<String, String> readHead() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection ended inside the response head: " + head);
        }
        head.write(b);
        matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      Map<String, String> headers = new LinkedHashMap<>();
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      headers.put(":status", lines[0].split(" ")[1]);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
      }
      return headers;
    }

    /** Whether the server closed the connection: reading ends or is reset, without any data. */
    boolean closedByServerWithoutData() {
      try {
        return in.read() < 0;
      } catch (IOException reset) {
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // sharing and the basics

  @Test
  void tenConcurrentViewersShareOnePlaylistOneUpstreamAndIdenticalBytes() throws Exception {
    start(Map.of("ch1", live("/live")), 2, builder -> builder.startBehind(0), TEST_LIMITS);
    List<CompletableFuture<HttpResponse<InputStream>>> viewers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      viewers.add(openStream("ch1"));
    }
    List<byte[]> received = new ArrayList<>();
    for (CompletableFuture<HttpResponse<InputStream>> viewer : viewers) {
      HttpResponse<InputStream> response = viewer.get(30, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("video/mp2t");
      assertThat(response.headers().firstValue("Content-Length")).isEmpty();
      received.add(readExactly(response.body(), 200 * PACKET));
    }
    assertThat(upstream.requests("/live")).isEqualTo(1);
    assertThat(get("/status").body()).contains("\"id\":\"p1\"", "\"connectionsOpened\":1", "\"totalClients\":10");
    for (byte[] data : received) {
      for (int p = 0; p < data.length; p += PACKET) {
        assertThat(data[p]).as("sync byte of packet %d", p / PACKET).isEqualTo((byte) 0x47);
      }
    }
    for (CompletableFuture<HttpResponse<InputStream>> viewer : viewers) {
      viewer.join().body().close();
    }
  }

  @Test
  void disconnectedViewersAreReleasedAndTheUpstreamClosesAfterTheGracePeriod() throws Exception {
    start(Map.of("ch1", live("/live")), 1,
        builder -> builder.streamGrace(Duration.ofMillis(200)), TEST_LIMITS);
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

    await("no clients", () -> clients() == 0);
    await("the stream to stop after its grace period", () -> app.registry().snapshot().totalStreams() == 0);
    await("the upstream connection to close", () -> upstream.openResponses() == 0);
    assertThat(upstream.requests("/live")).isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------
  // point 1: failures before the response is committed

  @Test
  void aViewerBeyondTheTunerLimitGets503WithRetryAfterAsAProblem() throws Exception {
    start(Map.of("one", live("/one"), "two", live("/two")), 1);
    HttpResponse<InputStream> first = openStream("one").get(30, TimeUnit.SECONDS);
    assertThat(first.statusCode()).isEqualTo(200);

    // Another viewer: from this one HTTP client the default client key would make it a switch.
    HttpResponse<String> refused = get("/stream/two?switch=0");

    assertProblem(refused, 503, "\"playlist\":\"p1\"", "\"channel\":\"two\"", "1 tuner");
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("10");
    assertThat(upstream.requests("/two")).isZero();
    first.body().close();
  }

  @Test
  void unknownMalformedAndOverlongIdsAreShortProblems() throws Exception {
    start(Map.of("ch1", live("/live")), 1);
    assertProblem(get("/stream/nope"), 404, "'nope'", "\"channel\":\"nope\"");
    assertProblem(get("/stream/a..b"), 400);
    assertProblem(get("/stream/a%2Fb"), 400);
    assertProblem(get("/stream/a%00b"), 400);
    assertProblem(get("/stream/%C3%28"), 400); // not UTF-8
    RawClient raw = new RawClient(0);
    raw.send("GET /stream/%zz HTTP/1.1\r\nHost: x\r\n\r\n"); // a malformed escape no URI class would build
    Map<String, String> malformed = raw.readHead();
    assertThat(malformed.get(":status")).isEqualTo("400");
    if (answersUnparsableRequestsItself()) {
      assertThat(malformed.get("content-type")).isEqualTo(Problems.CONTENT_TYPE);
    }
    HttpResponse<String> overlong = get("/stream/" + "x".repeat(3000));
    assertProblem(overlong, 400, "x".repeat(Problems.MAX_ID_LENGTH) + "\u2026");
    assertThat(overlong.body()).doesNotContain("x".repeat(Problems.MAX_ID_LENGTH + 1));
    assertProblem(get("/nothing-here"), 404);
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(url("/stream/ch1"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).timeout(GUARD).build(), HttpResponse.BodyHandlers.ofString());
    assertProblem(post, 405);
    assertThat(app.registry().snapshot().playlists()).isEmpty();
    assertThat(upstream.requests("/live")).isZero();
  }

  @Test
  void anUpstreamThatRefusesTheConnectionGives502() throws Exception {
    start(Map.of("ch1", FailableUpstream.refusedUri()), 1);

    assertProblem(get("/stream/ch1"), 502, "\"playlist\":\"p1\"", "\"channel\":\"ch1\"", "could not be reached");

    await("the tuner freed", () -> app.registry().snapshot().totalStreams() == 0);
  }

  @Test
  void anUpstreamAnsweringAnErrorStatusGives502NamingIt() throws Exception {
    upstream.set("/gone", new FailableUpstream.Status(503));
    start(Map.of("ch1", upstream.uri("/gone")), 1);

    assertProblem(get("/stream/ch1"), 502, "\"channel\":\"ch1\"", "HTTP status 503");
    assertThat(upstream.requests("/gone")).isEqualTo(1);
  }

  @Test
  void anUpstreamSilentAfterItsHeadersGives504() throws Exception {
    // The library's first-byte (start) timeout; also pins the text Problems recognises it by.
    upstream.set("/silent", new FailableUpstream.HangAfterHeaders());
    start(Map.of("ch1", upstream.uri("/silent")), 1);

    assertProblem(get("/stream/ch1"), 504, "\"channel\":\"ch1\"", "did not answer in time");
  }

  @Test
  void anUpstreamThatNeverAnswersGives504() throws Exception {
    upstream.set("/mute", new FailableUpstream.HangBeforeHeaders());
    start(Map.of("ch1", upstream.uri("/mute")), 1);

    assertProblem(get("/stream/ch1"), 504, "\"channel\":\"ch1\"");
  }

  @Test
  void aViewerThatRetriesAfterAFailureGetsTheStreamOnceTheUpstreamIsBack() throws Exception {
    upstream.set("/flaky", new FailableUpstream.Status(500));
    start(Map.of("ch1", upstream.uri("/flaky")), 1);
    assertProblem(get("/stream/ch1"), 502, "HTTP status 500");

    upstream.set("/flaky", new FailableUpstream.Live(10, 2));
    HttpResponse<InputStream> back = openStream("ch1").get(30, TimeUnit.SECONDS);

    assertThat(back.statusCode()).isEqualTo(200);
    readExactly(back.body(), PACKET);
    back.body().close();
  }

  // ---------------------------------------------------------------------------------------------
  // point 1: failures after the response is committed

  @Test
  void anUpstreamDyingMidStreamAbortsEveryResponseAndLogsOneWarning() throws Exception {
    try (LogCapture log = new LogCapture()) {
      start(Map.of("ch1", live("/dying")), 1);
      List<HttpResponse<InputStream>> viewers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        HttpResponse<InputStream> response = openStream("ch1").get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        readExactly(response.body(), 10 * PACKET);
        viewers.add(response);
      }

      upstream.kill("/dying", 502);

      for (HttpResponse<InputStream> viewer : viewers) {
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
          try (InputStream in = viewer.body()) {
            in.transferTo(OutputStream.nullOutputStream());
          } catch (IOException truncated) {
            throw new java.io.UncheckedIOException(truncated);
          }
        });
        // A clean end would complete normally; an abort makes the client report a truncated body.
        assertThatThrownBy(() -> drained.get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IOException.class);
      }
      await("the failure logged", () -> !log.linesContaining("Gave up on the upstream of channel 'ch1'").isEmpty());
      assertThat(log.linesContaining("Gave up on the upstream")).hasSize(1);
      assertThat(log.linesContaining("Gave up on the upstream").get(0))
          .contains("WARN", "'ch1'", "'p1'", "failed attempt(s)", "HTTP status 502");
      assertThat(log.linesContaining("\tat ")).isEmpty();
      assertThat(app.registry().snapshot().totalStreams()).isZero();
    }
  }

  @Test
  void anUpstreamThatDropsAndComesBackKeepsTheViewerAndLogsTheGap() throws Exception {
    try (LogCapture log = new LogCapture()) {
      start(Map.of("ch1", live("/drops")), 1);
      HttpResponse<InputStream> viewer = openStream("ch1").get(30, TimeUnit.SECONDS);
      assertThat(viewer.statusCode()).isEqualTo(200);
      readExactly(viewer.body(), 10 * PACKET);

      upstream.drop("/drops");

      await("the reconnect logged", () -> !log.linesContaining("reconnected after a gap of").isEmpty());
      assertThat(log.linesContaining("reconnected after a gap of")).singleElement().asString()
          .contains("INFO", "'ch1'", "'p1'", " ms");
      assertThat(upstream.requests("/drops")).isEqualTo(2);
      readExactly(viewer.body(), 1000 * PACKET); // the same response goes on with the new connection
      assertThat(log.linesContaining("Gave up")).isEmpty();
      viewer.body().close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // points 2 and 3: stalled viewers, trickled headers, many viewers

  @Test
  void aViewerThatNeverReadsIsDroppedAndItsTunerServesAnotherChannel() throws Exception {
    upstream.set("/fast", new FailableUpstream.Live(100, 2)); // about 9 MB/s: fills any socket buffer
    start(Map.of("one", upstream.uri("/fast"), "two", live("/two")), 1);
    RawClient stalled = new RawClient(4096);
    stalled.send("GET /stream/one HTTP/1.1\r\nHost: x\r\n\r\n");
    await("the stalled viewer joined", () -> clients() == 1);

    await("the stalled viewer dropped", () -> clients() == 0);
    HttpResponse<InputStream> second = openStream("two").get(30, TimeUnit.SECONDS);

    assertThat(second.statusCode()).isEqualTo(200);
    readExactly(second.body(), PACKET);
    second.body().close();
    assertThat(upstream.requests("/fast")).isEqualTo(1);
  }

  @Test
  void aStalledViewerIsFreedByTheLibrarysSweepWhenTheEdgeWouldWaitLonger() throws Exception {
    // The edge's idle write timeout is an hour: only the library's stall sweep (staleAfter 2 s, a
    // pass every 500 ms) can free the tuner, and the stack must then close the connection it told of.
    upstream.set("/fast", new FailableUpstream.Live(100, 2));
    start(Map.of("one", upstream.uri("/fast"), "two", live("/two")), 1,
        builder -> builder.staleAfter(Duration.ofSeconds(2)).cleanupInterval(Duration.ofMillis(500)),
        TEST_LIMITS.withIdleWriteTimeout(Duration.ofHours(1)));
    RawClient stalled = new RawClient(4096);
    stalled.send("GET /stream/one HTTP/1.1\r\nHost: x\r\n\r\n");
    await("the stalled viewer joined", () -> clients() == 1);

    await("the stalled viewer evicted by the library", () -> clients() == 0);
    HttpResponse<InputStream> second = openStream("two").get(30, TimeUnit.SECONDS);

    assertThat(second.statusCode()).isEqualTo(200);
    readExactly(second.body(), PACKET);
    second.body().close();
    try {
      stalled.in.transferTo(OutputStream.nullOutputStream()); // returns once the stack closed it
    } catch (java.net.SocketTimeoutException stillOpen) {
      throw new AssertionError("the stack kept the evicted viewer's connection open", stillOpen);
    } catch (IOException reset) {
      // an aborted response may end in a reset: closed all the same
    }
  }

  @Test
  void aConnectionTricklingItsHeadersIsClosed() throws Exception {
    start(Map.of("ch1", live("/live")), 1);
    RawClient trickler = new RawClient(0);
    byte[] request = "GET /status HTTP/1.1\r\nHost: localhost\r\nUser-Agent: trickle\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII);
    trickler.send(new byte[] {request[0]});
    trickler.socket.setSoTimeout(200);
    boolean closed = false;
    // One byte every 200 ms would take 12 s for the whole head; the server must close first.
    for (int i = 1; i < request.length - 1 && !closed; i++) {
      try {
        int b = trickler.in.read();
        closed = b < 0;
        assertThat(b).as("no response to an incomplete head").isNegative();
      } catch (java.net.SocketTimeoutException stillOpen) {
        try {
          trickler.send(new byte[] {request[i]});
        } catch (IOException reset) {
          closed = true;
        }
      } catch (IOException reset) {
        closed = true;
      }
    }
    assertThat(closed).as("closed before the head was complete").isTrue();
  }

  @Test
  void aThousandViewersOnOneChannelAllGet200AndData() throws Exception {
    // About 75 KB/s in 20 bursts a second: every burst wakes all 1000 viewers, so fewer is cheaper.
    upstream.set("/popular", new FailableUpstream.Live(20, 50));
    // 1000 connections at once on 2 cores: generous limits, so only a real failure fails the test.
    start(Map.of("ch1", upstream.uri("/popular")), 1, builder -> builder.startTimeout(Duration.ofSeconds(20)),
        TEST_LIMITS.withIdleWriteTimeout(Duration.ofSeconds(20)).withHeaderTimeout(Duration.ofSeconds(20)));
    List<RawClient> viewers = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      RawClient viewer = new RawClient(0);
      viewer.send("GET /stream/ch1 HTTP/1.1\r\nHost: x\r\n\r\n");
      viewers.add(viewer);
    }
    int ok = 0;
    for (RawClient viewer : viewers) {
      Map<String, String> head = viewer.readHead();
      assertThat(head.get(":status")).isEqualTo("200");
      byte[] first = viewer.in.readNBytes(8); // chunk size line and the first bytes of data
      assertThat(first).hasSize(8);
      ok++;
    }
    assertThat(ok).isEqualTo(1000);
    assertThat(upstream.requests("/popular")).isEqualTo(1);
    await("1000 clients", () -> clients() == 1000);
    for (RawClient viewer : viewers) {
      viewer.close();
    }
    await("every viewer released", () -> clients() == 0);
  }

  /**
   * A new viewer's first bytes (headers and its start-behind backlog) leave when its request is
   * handled, never behind a wake batch. The registry's clock never moves and the batch's byte
   * threshold (16 MiB) is far beyond what the upstream (about 19 KB/s) sends within the guard, so no
   * batched wake-up of a parked reader can come due while this test runs: whatever a viewer receives,
   * it received from its join. A stack (or library) that parked a new viewer until its batch was due
   * would leave it without headers, and the read would fail at the guard.
   */
  @Test
  void aNewViewersFirstBytesLeaveOnItsJoinNotBehindAWakeBatch() throws Exception {
    upstream.set("/slow", new FailableUpstream.Live(2, 20));
    start(Map.of("ch1", upstream.uri("/slow")), 1, builder -> builder.ticker(() -> 0L)
        .bufferCapacity(64 << 20).startBehind(8 * 1024)
        .wakeBatching(16 << 20, PlaylistRegistry.Builder.MAX_WAKE_BATCH_DELAY), TEST_LIMITS);
    RawClient starter = new RawClient(0);
    starter.send("GET /stream/ch1 HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(starter.readHead()).containsEntry(":status", "200");
    assertThat(starter.in.readNBytes(8)).as("the starting viewer's first data").hasSize(8);
    // The channel is live and has more than the start-behind backlog in its buffer.
    await("16 KiB published", () -> app.registry().snapshot().playlists().stream()
        .flatMap(p -> p.streams().stream()).mapToLong(s -> s.stats().bytesIn()).sum() >= 16 * 1024);
    RawClient joiner = new RawClient(0);
    joiner.send("GET /stream/ch1 HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(joiner.readHead()).containsEntry(":status", "200");
    // The backlog starts 8 KiB behind live rounded up to a packet: more than 7 KiB, all sent on the join.
    assertThat(joiner.in.readNBytes(7 * 1024)).as("the joiner's backlog").hasSize(7 * 1024);
  }

  @Test
  void anHttp10ViewerGetsTheBareStreamDelimitedByTheClose() throws Exception {
    start(Map.of("ch1", live("/live")), 2, builder -> builder.startBehind(0), TEST_LIMITS);
    RawClient viewer = new RawClient(0);
    viewer.send("GET /stream/ch1 HTTP/1.0\r\n\r\n");
    Map<String, String> head = viewer.readHead();
    assertThat(head).containsEntry(":status", "200").doesNotContainKey("transfer-encoding")
        .doesNotContainKey("content-length");
    // No chunk framing (HTTP/1.0 has none): the body is the TS packets themselves, sync bytes in place.
    byte[] data = viewer.in.readNBytes(50 * PACKET);
    assertThat(data).hasSize(50 * PACKET);
    for (int p = 0; p < data.length; p += PACKET) {
      assertThat(data[p]).as("sync byte of packet %d", p / PACKET).isEqualTo((byte) 0x47);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // point 4: HEAD, non-ASCII ids

  @Test
  void headOnAStreamAnswersTheHeadersOfAGetWithoutContentLengthAndTakesNoTuner() throws Exception {
    start(Map.of("ch1", live("/live")), 1);
    RawClient probe = new RawClient(0);
    probe.send("HEAD /stream/ch1 HTTP/1.1\r\nHost: x\r\n\r\n");

    Map<String, String> head = probe.readHead();

    assertThat(head.get(":status")).isEqualTo("200");
    assertThat(head.get("content-type")).isEqualTo("video/mp2t");
    assertThat(head.get("cache-control")).isEqualTo("no-store");
    assertThat(head).doesNotContainKey("content-length");
    assertThat(upstream.requests("/live")).isZero();
    assertThat(app.registry().snapshot().totalStreams()).isZero();
    probe.send("HEAD /stream/nope HTTP/1.1\r\nHost: x\r\n\r\n");
    Map<String, String> unknown = probe.readHead();
    assertThat(unknown.get(":status")).isEqualTo("404");
    assertThat(unknown.get("content-type")).isEqualTo(Problems.CONTENT_TYPE);
  }

  @Test
  void nonAsciiChannelIdsAreDecodedAsUtf8() throws Exception {
    start(Map.of("café-ü", live("/live")), 1);

    HttpResponse<InputStream> encoded = client.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/stream/caf%C3%A9-%C3%BC")).timeout(GUARD).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(encoded.statusCode()).isEqualTo(200);
    readExactly(encoded.body(), PACKET);
    encoded.body().close();

    // Raw UTF-8 in a request target is not valid HTTP; a stack may refuse it, but never mis-decode it.
    RawClient raw = new RawClient(0);
    raw.send("GET /stream/café-ü HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    Map<String, String> rawHead = raw.readHead();
    assertThat(rawHead.get(":status")).isIn("200", "400");
    if (rawHead.get(":status").equals("400")) {
      assertThat(rawHead.get("content-type")).isEqualTo(Problems.CONTENT_TYPE);
    }

    assertProblem(get("/stream/caf%C3%A9-x"), 404, "caf\u00e9-x");
  }

  // ---------------------------------------------------------------------------------------------
  // point 4: the process

  @Test
  void aPortInUsePrintsOneLineAndExitsWith2() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Launched process = launch("--port", String.valueOf(taken.getLocalPort()));
      assertThat(process.process.waitFor(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
      String output = process.output();
      assertThat(process.process.exitValue()).as(output).isEqualTo(2);
      List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
      assertThat(lines).as(output).hasSize(1);
      assertThat(lines.get(0)).contains(String.valueOf(taken.getLocalPort()), "in use").doesNotContain("Exception");
    }
  }

  @Test
  void sigtermClosesEveryUpstreamAndExitsWith0() throws Exception {
    // A short JIT warm-up (one flood and one trickle): the launched main runs it before the banner, and
    // the default one takes seconds more than this guard allows on a loaded machine (JoinWarmupTest).
    Launched process = launch("--port", "0", "--warmup-joins",
        String.valueOf(JoinWarmup.ROUND + JoinWarmup.TRICKLE));
    try {
      await("the banner", () -> process.output().contains("listening on http://127.0.0.1:"));
      process.process.destroy(); // SIGTERM
      assertThat(process.process.waitFor(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(process.process.exitValue()).as(process.output()).isZero();
      assertThat(process.output()).contains("closing every upstream", "Stopped: every upstream closed")
          .doesNotContain("Exception");
    } finally {
      process.process.destroyForcibly();
    }
  }

  /** A launched example server; its merged output goes to a file (destroy() closes the pipes). */
  static final class Launched {
    final Process process;
    private final Path output;

    Launched(Process process, Path output) {
      this.process = process;
      this.output = output;
    }

    String output() {
      try {
        return java.nio.file.Files.readString(output, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private Launched launch(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass().getName()));
    command.addAll(List.of(args));
    Path output = java.nio.file.Files.createTempFile("edge-launch", ".log");
    Launched launched = new Launched(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start(), output);
    toClose.add(() -> java.nio.file.Files.deleteIfExists(output));
    toClose.add(launched.process::destroyForcibly);
    return launched;
  }
}
