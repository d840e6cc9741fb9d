package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HttpUpstreamSourceTest {

  private TestUpstreamServer server;

  @BeforeEach
  void start() throws IOException {
    server = new TestUpstreamServer();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
  }

  private static UpstreamRequest request(URI url) {
    return new UpstreamRequest("pl", "st", url, 1);
  }

  private static byte[] readAll(UpstreamConnection c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[7000];
    for (int n; (n = c.read(buf, 0, buf.length)) >= 0; ) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void readsExactlyTheBytesTheServerSent() throws Exception {
    byte[] body = new byte[1_000_003];
    new Random(42).nextBytes(body);
    server.route("/fixed", (ex, n) -> TestUpstreamServer.sendBytes(ex, body, false));
    server.route("/chunked", (ex, n) -> TestUpstreamServer.sendBytes(ex, body, true));
    HttpUpstreamSource source = HttpUpstreamSource.builder().build();

    for (String path : new String[] {"/fixed", "/chunked"}) {
      try (UpstreamConnection c = source.open(request(server.uri(path)))) {
        assertThat(readAll(c)).isEqualTo(body);
        assertThat(c.read(new byte[10], 0, 10)).isEqualTo(-1);
      }
    }
    assertThat(server.requests("/fixed")).isEqualTo(1);
    assertThat(server.requests("/chunked")).isEqualTo(1);
  }

  @Test
  void failureStatusesNameStatusAndUrl() {
    server.route("/missing", (ex, n) -> ex.sendResponseHeaders(404, -1));
    server.route("/broken", (ex, n) -> TestUpstreamServer.sendBytes(ex, "oops".getBytes(), false));
    server.route("/error", (ex, n) -> {
      ex.sendResponseHeaders(500, 0);
      ex.getResponseBody().write("an endless error page".getBytes());
      ex.getResponseBody().flush();
      server.stall();
    });
    HttpUpstreamSource source = HttpUpstreamSource.builder().build();

    URI missing = server.uri("/missing");
    assertThatThrownBy(() -> source.open(request(missing)))
        .isInstanceOf(UpstreamStatusException.class)
        .hasMessageContaining("404").hasMessageContaining(missing.toString())
        .satisfies(e -> assertThat(((UpstreamStatusException) e).status()).isEqualTo(404));
    URI error = server.uri("/error");
    assertThatThrownBy(() -> source.open(request(error)))
        .isInstanceOf(UpstreamStatusException.class)
        .hasMessageContaining("500").hasMessageContaining(error.toString());
  }

  @Test
  void followsRedirects() throws Exception {
    byte[] body = "redirected stream".getBytes();
    server.route("/old", (ex, n) -> {
      ex.getResponseHeaders().add("Location", "/new");
      ex.sendResponseHeaders(302, -1);
    });
    server.route("/new", (ex, n) -> TestUpstreamServer.sendBytes(ex, body, false));
    try (UpstreamConnection c =
        HttpUpstreamSource.builder().build().open(request(server.uri("/old")))) {
      assertThat(readAll(c)).isEqualTo(body);
    }
    assertThat(server.requestLog()).containsExactly("/old", "/new");
  }

  @Test
  void sendsUserAgentAndExtraHeaders() throws Exception {
    AtomicReference<String> agent = new AtomicReference<>();
    AtomicReference<String> custom = new AtomicReference<>();
    server.route("/h", (ex, n) -> {
      agent.set(ex.getRequestHeaders().getFirst("User-Agent"));
      custom.set(ex.getRequestHeaders().getFirst("X-Token"));
      TestUpstreamServer.sendBytes(ex, new byte[] {1}, false);
    });
    HttpUpstreamSource source = HttpUpstreamSource.builder()
        .userAgent("VLC/3.0.20").header("X-Token", "secret").build();
    try (UpstreamConnection c = source.open(request(server.uri("/h")))) {
      assertThat(readAll(c)).containsExactly(1);
    }
    assertThat(agent.get()).isEqualTo("VLC/3.0.20");
    assertThat(custom.get()).isEqualTo("secret");

    try (UpstreamConnection c =
        HttpUpstreamSource.builder().build().open(request(server.uri("/h")))) {
      readAll(c);
    }
    assertThat(agent.get()).isEqualTo(HttpUpstreamSource.DEFAULT_USER_AGENT);
  }

  @Test
  void readTimeoutUnblocksAReadWhenTheServerStalls() throws Exception {
    server.route("/stall", (ex, n) -> {
      TestUpstreamServer.sendBytes(ex, new byte[] {1, 2, 3}, true);
      server.stall();
    });
    HttpUpstreamSource source =
        HttpUpstreamSource.builder().readTimeout(Duration.ofMillis(200)).build();
    try (UpstreamConnection c = source.open(request(server.uri("/stall")))) {
      byte[] buf = new byte[10];
      int got = 0;
      while (got < 3) {
        got += c.read(buf, got, buf.length - got);
      }
      assertThat(buf).startsWith(1, 2, 3);
      assertThatThrownBy(() -> c.read(buf, 0, buf.length))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("read timeout").hasMessageContaining("'st'");
    }
  }

  @Test
  void closeFromAnotherThreadUnblocksARead() throws Exception {
    server.route("/stall", (ex, n) -> {
      TestUpstreamServer.sendBytes(ex, new byte[] {1}, true);
      server.stall();
    });
    HttpUpstreamSource source =
        HttpUpstreamSource.builder().readTimeout(Duration.ofMinutes(5)).build();
    UpstreamConnection c = source.open(request(server.uri("/stall")));
    CountDownLatch firstByte = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        byte[] buf = new byte[10];
        c.read(buf, 0, 10);
        firstByte.countDown();
        c.read(buf, 0, 10);
      } catch (Throwable t) {
        thrown.set(t);
      }
    });
    reader.start();
    assertThat(firstByte.await(10, TimeUnit.SECONDS)).isTrue();
    c.close();
    c.close();
    reader.join(10_000);
    assertThat(reader.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void rejectsNonHttpUrls() {
    HttpUpstreamSource source = HttpUpstreamSource.builder().build();
    assertThatThrownBy(() -> source.open(request(URI.create("ftp://example.com/x"))))
        .isInstanceOf(IOException.class).hasMessageContaining("ftp://example.com/x");
  }

  @Test
  void builderRejectsBadValuesNamingThem() {
    HttpUpstreamSource.Builder b = HttpUpstreamSource.builder();
    assertThatThrownBy(() -> b.connectTimeout(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout")
        .hasMessageContaining("null");
    assertThatThrownBy(() -> b.readTimeout(Duration.ofSeconds(-3)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readTimeout")
        .hasMessageContaining("PT-3S");
    assertThatThrownBy(() -> b.readTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> b.userAgent(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userAgent");
    assertThatThrownBy(() -> b.header("Host", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Host");
    assertThatThrownBy(() -> b.header("X-A", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-A");
    assertThatThrownBy(() -> b.header("user-agent", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userAgent()");
    HttpUpstreamSource s = b.build();
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.userAgent()).isEqualTo("buffer-core/0.1");
  }
}
