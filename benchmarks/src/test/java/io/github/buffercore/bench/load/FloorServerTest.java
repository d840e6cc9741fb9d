package io.github.buffercore.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load benchmark's floor server through real sockets: the paced upstream and the viewer client. */
class FloorServerTest {

  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final byte[] REQUEST =
      "GET /stream/load HTTP/1.1\r\nHost: floor\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void everyViewerGetsTheHeadTheJoinBurstAndTheLiveBytesFromOneUpstreamConnection() throws Exception {
    TsClip clip = TsClip.of("synthetic", TsClipTest.clip(500, 10, 50_000));
    try (PacedUpstream upstream = new PacedUpstream(clip);
        FloorServer floor = FloorServer.start(0, URI.create(upstream.url()), 2_000, 20)) {
      ViewerClient client = new ViewerClient(new InetSocketAddress("127.0.0.1", floor.port()), "/stream/load", 30, 2);
      client.start();
      assertThat(client.awaitSettled(SETTLE)).isTrue();
      client.stop();
      assertThat(client.viewers()).hasSize(30).allSatisfy(viewer -> {
        assertThat(viewer.error()).isNull();
        assertThat(viewer.status()).isEqualTo(200);
        assertThat(viewer.chunked()).isFalse();
        assertThat(viewer.timeToFirstByte()).isPositive();
      });

      // Beyond the 2,000-byte join burst only the floor's 500 ms rounds deliver: 30 viewers, joined at
      // once, each read past 20,000 body bytes (about 0.4 s of the channel), or time out and fail.
      List<Socket> viewers = new ArrayList<>();
      try {
        for (int i = 0; i < 30; i++) {
          Socket viewer = new Socket(InetAddress.getLoopbackAddress(), floor.port());
          viewer.setSoTimeout((int) SETTLE.toMillis());
          viewer.getOutputStream().write(REQUEST);
          viewers.add(viewer);
        }
        for (Socket viewer : viewers) {
          assertThat(readBodyPast(viewer, 20_000)).isGreaterThan(20_000);
        }
      } finally {
        for (Socket viewer : viewers) {
          viewer.close();
        }
      }
      // The 20 warm-up viewers and the 60 measured ones share the floor's one upstream connection.
      assertThat(upstream.accepted()).isEqualTo(1);
    }
  }

  /** Reads the response head, then body bytes until more than {@code bytes}; returns how many it read. */
  private static int readBodyPast(Socket socket, int bytes) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[16 * 1024];
    int matched = 0; // of CR LF CR LF
    int body = 0;
    while (body <= bytes) {
      int n = in.read(buffer);
      assertThat(n).as("bytes before the floor closed the connection").isPositive();
      int i = 0;
      while (matched < 4 && i < n) {
        byte b = buffer[i++];
        matched = b == ((matched & 1) == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      body += n - i;
    }
    return body;
  }

  @Test
  void statusAnswersOkAndCloseFreesThePort() throws Exception {
    TsClip clip = TsClip.of("synthetic", TsClipTest.clip(500, 10, 50_000));
    int port;
    try (PacedUpstream upstream = new PacedUpstream(clip);
        FloorServer floor = FloorServer.start(0, URI.create(upstream.url()), 0, 0)) {
      port = floor.port();
      HttpResponse<String> status = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(status.body()).isEqualTo("ok\n");
    }
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(IOException.class);
  }

  @Test
  void badSettingsAreRefusedBeforeAnythingStarts() {
    URI upstream = URI.create("http://127.0.0.1:1/live.ts");
    assertThatThrownBy(() -> FloorServer.start(0, upstream, -1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> FloorServer.start(0, upstream, 0, -5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-5");
  }
}
