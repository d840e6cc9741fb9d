package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.HlsTestSupport;
import io.github.buffercore.HlsTestSupport.LiveFfmpeg;
import io.github.buffercore.TestUpstreamServer;
import io.github.buffercore.examples.jdk.JdkHttpStack;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example application plays an HLS channel from an M3U entry: ffmpeg publishes live HLS on a
 * local HTTP server, an M3U file lists it, the launcher builds the app from that file exactly as the
 * command line does, and a viewer's {@code /stream/...} response decodes with {@code ffmpeg -v error}
 * without a message.
 */
@Timeout(120)
class HlsChannelEndToEndTest {

  @Test
  void anM3uEntryPointingAtAnHlsPlaylistIsServedAsDecodableMpegTs() throws Exception {
    Path work = Files.createTempDirectory("hls-example");
    HttpStack.RunningServer server = null;
    ProxyApp app = null;
    try (TestUpstreamServer upstream = new TestUpstreamServer();
        LiveFfmpeg ffmpeg = LiveFfmpeg.start(Files.createDirectory(work.resolve("hls")), "live",
            "testsrc", List.of())) {
      ffmpeg.awaitSegments(3);
      HlsTestSupport.serveDir(upstream, "/hls", ffmpeg.dir, UnaryOperator.identity(), null);
      Path m3u = work.resolve("provider.m3u");
      Files.writeString(m3u, "#EXTM3U\n#EXTINF:-1 tvg-id=\"hls-news\",HLS News\n"
          + upstream.uri("/hls/live.m3u8") + "\n");

      app = Launcher.app(Launcher.Options.parse(new String[] {"--tuners", "1", m3u.toString()}));
      server = new JdkHttpStack().start(app,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      URI stream = URI.create("http://127.0.0.1:" + server.port() + "/stream/hls-news");
      HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(stream).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try (InputStream body = response.body()) {
        byte[] buf = new byte[64 * 1024];
        while (HlsTestSupport.segmentStarts(got.toByteArray()) < 5) {
          int n = body.read(buf);
          assertThat(n).as("stream ended early").isPositive();
          got.write(buf, 0, n);
        }
      }
      byte[] whole = HlsTestSupport.wholeSegments(got.toByteArray());
      assertThat(HlsTestSupport.segmentStarts(whole)).isEqualTo(4);
      Path file = work.resolve("viewer.ts");
      Files.write(file, whole);
      assertThat(HlsTestSupport.decodeErrors(file)).isEmpty();
      String status = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.port() + "/status")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(status).contains("\"connectionsOpened\":1");
    } finally {
      if (server != null) {
        server.close();
      }
      if (app != null) {
        app.close();
      }
      HlsTestSupport.deleteRecursively(work);
    }
  }
}
