package io.github.buffercore.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The viewer client against real sockets: the paced upstream, a server answering 404, a closed port. */
class ViewerClientTest {

  private static final Duration SETTLE = Duration.ofSeconds(60);

  @Test
  void everyViewerOfThePacedUpstreamGetsTheLiveStream() throws Exception {
    TsClip clip = TsClip.of("synthetic", TsClipTest.clip(500, 10, 50_000));
    try (PacedUpstream upstream = new PacedUpstream(clip)) {
      URI url = URI.create(upstream.url());
      ViewerClient client = new ViewerClient(new InetSocketAddress("127.0.0.1", url.getPort()), url.getPath(), 20, 2);
      client.start();
      assertThat(client.awaitSettled(SETTLE)).isTrue();
      client.mark();
      client.stop();

      assertThat(client.viewers()).hasSize(20).allSatisfy(viewer -> {
        assertThat(viewer.error()).isNull();
        assertThat(viewer.served()).isTrue();
        assertThat(viewer.status()).isEqualTo(200);
        assertThat(viewer.body()).isPositive().isEqualTo(viewer.body() / TsClip.PACKET * TsClip.PACKET);
        assertThat(viewer.timeToFirstByte()).isGreaterThanOrEqualTo(viewer.timeToHeaders()).isPositive();
      });
      assertThat(upstream.accepted()).isEqualTo(20);
    }
  }

  @Test
  void aRefusingServerIsCountedAsErrorsWithTheStatus() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    server.start();
    try {
      ViewerClient client = new ViewerClient(new InetSocketAddress("127.0.0.1", server.getAddress().getPort()),
          "/stream/missing", 5, 1);
      client.start();
      assertThat(client.awaitSettled(SETTLE)).isTrue();
      client.stop();

      assertThat(client.viewers()).allSatisfy(viewer -> {
        assertThat(viewer.served()).isFalse();
        assertThat(viewer.status()).isEqualTo(404);
        assertThat(viewer.error()).contains("HTTP 404");
        assertThat(viewer.timeToFirstByte()).isEqualTo(-1);
      });
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aClosedPortIsAConnectError() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ViewerClient client = new ViewerClient(new InetSocketAddress("127.0.0.1", port), "/", 3, 1);
    client.start();
    assertThat(client.awaitSettled(SETTLE)).isTrue();
    client.stop();

    assertThat(client.viewers()).allSatisfy(viewer -> {
      assertThat(viewer.served()).isFalse();
      assertThat(viewer.error()).startsWith("connect");
    });
  }
}
