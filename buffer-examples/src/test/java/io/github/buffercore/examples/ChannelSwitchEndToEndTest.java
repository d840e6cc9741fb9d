package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.HttpUpstreamSource;
import io.github.buffercore.UpstreamTarget;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Channel switching through {@link ProxyApp} on all three stacks, with a real HTTP upstream and a real
 * HTTP client: a one-tuner playlist, a player that opens the next channel before closing the one it
 * watches. The default key (client address + user agent) makes that a switch; {@code ?switch=0} and a
 * different {@code X-Client-Key} do not switch, so they get the 503 a second tuner would need.
 */
@Timeout(120)
class ChannelSwitchEndToEndTest {

  private static final Duration GUARD = Duration.ofSeconds(30);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private FailableUpstream upstream;
  private ProxyApp app;
  private HttpStack.RunningServer server;

  static Stream<HttpStack> stacks() {
    return Stream.of(new io.github.buffercore.examples.jdk.JdkHttpStack(),
        new io.github.buffercore.examples.jetty.JettyHttpStack(),
        new io.github.buffercore.examples.netty.NettyHttpStack());
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    if (app != null) {
      app.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private void start(HttpStack stack) throws Exception {
    upstream = new FailableUpstream();
    Map<String, ChannelMap.Channel> channels = new LinkedHashMap<>();
    for (String channel : new String[] {"ch1", "ch2", "ch3"}) {
      upstream.set("/" + channel, new FailableUpstream.Live(10, 2));
      channels.put(channel, new ChannelMap.Channel(channel, "p1", UpstreamTarget.of(upstream.uri("/" + channel))));
    }
    app = new ProxyApp(new ChannelMap(Map.of("p1", 1), channels),
        HttpUpstreamSource.builder().connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(5))
            .build(),
        builder -> builder.streamGrace(Duration.ofSeconds(30))); // the old channel must yield, not linger
    server = stack.start(app, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  private HttpResponse<InputStream> open(String target, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + target)).timeout(GUARD);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  /** Reads the rest of a response whose stream was ended; true once it ended (EOF or abort). */
  private static boolean ends(InputStream body) {
    byte[] buffer = new byte[65536];
    try (body) {
      while (body.read(buffer) >= 0) {
        // drain what was sent before the switch
      }
      return true;
    } catch (IOException aborted) {
      return true;
    }
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void aPlayerSwitchesChannelsOnOneTunerByItsDefaultKey(HttpStack stack) throws Exception {
    start(stack);
    HttpResponse<InputStream> watching = open("/stream/ch1");
    assertThat(watching.statusCode()).isEqualTo(200);
    assertThat(watching.body().readNBytes(188 * 50)).hasSize(188 * 50);
    for (String next : new String[] {"ch2", "ch3", "ch1"}) {
      HttpResponse<InputStream> switched = open("/stream/" + next); // before closing the old one
      assertThat(switched.statusCode()).as("switch to %s on %s", next, stack.name()).isEqualTo(200);
      assertThat(switched.body().readNBytes(188 * 50)).hasSize(188 * 50);
      assertThat(ends(watching.body())).isTrue();
      assertThat(app.registry().snapshot().totalStreams()).isEqualTo(1);
      assertThat(app.registry().snapshot().totalClients()).isEqualTo(1);
      watching = switched;
    }
    // Opting out, or another key, needs a second tuner: 503 with Retry-After, and ch1 keeps playing.
    HttpResponse<InputStream> optedOut = open("/stream/ch2?switch=0");
    assertThat(optedOut.statusCode()).isEqualTo(503);
    assertThat(optedOut.headers().firstValue("Retry-After")).isPresent();
    optedOut.body().close();
    HttpResponse<InputStream> otherDevice = open("/stream/ch2", ClientRequest.KEY_HEADER, "bedroom-tv");
    assertThat(otherDevice.statusCode()).isEqualTo(503);
    otherDevice.body().close();
    assertThat(watching.body().readNBytes(188 * 50)).hasSize(188 * 50);
    watching.body().close();
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void theKeyHeaderReplacesTheDefaultKey(HttpStack stack) throws Exception {
    start(stack);
    HttpResponse<InputStream> first = open("/stream/ch1", ClientRequest.KEY_HEADER, "living-room");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body().readNBytes(188 * 10)).hasSize(188 * 10);
    HttpResponse<InputStream> second = open("/stream/ch2", ClientRequest.KEY_HEADER, "living-room");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(ends(first.body())).isTrue();
    second.body().close();
  }
}
