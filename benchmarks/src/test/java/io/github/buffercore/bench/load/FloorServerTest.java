package io.github.buffercore.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The load benchmark's floor server through real sockets: the paced upstream and the viewer client. */
class FloorServerTest {

  private static final Duration SETTLE = Duration.ofSeconds(60);

  @Test
  void everyViewerGetsTheHeadTheJoinBurstAndTheLiveBytesFromOneUpstreamConnection() throws Exception {
    TsClip clip = TsClip.of("synthetic", TsClipTest.clip(500, 10, 50_000));
    try (PacedUpstream upstream = new PacedUpstream(clip);
        FloorServer floor = FloorServer.start(0, URI.create(upstream.url()), 2_000, 20)) {
      ViewerClient client = new ViewerClient(new InetSocketAddress("127.0.0.1", floor.port()), "/stream/load", 30, 2);
      client.start();
      assertThat(client.awaitSettled(SETTLE)).isTrue();
      client.mark();
      // The viewers watch for 1.5 s, three of the floor's 500 ms rounds: 75 KB of live bytes at 50 KB/s.
      Thread.sleep(1_500);
      client.stop();

      assertThat(client.viewers()).hasSize(30).allSatisfy(viewer -> {
        assertThat(viewer.error()).isNull();
        assertThat(viewer.status()).isEqualTo(200);
        assertThat(viewer.chunked()).isFalse();
        assertThat(viewer.timeToFirstByte()).isPositive();
        assertThat(viewer.body()).isGreaterThan(20_000);
      });
      // The 20 warm-up viewers and the 30 measured ones share the floor's one upstream connection.
      assertThat(upstream.accepted()).isEqualTo(1);
    }
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
