package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.UpstreamTarget;
import io.github.buffercore.examples.jdk.JdkHttpStack;
import io.github.buffercore.examples.jetty.JettyHttpStack;
import io.github.buffercore.examples.netty.NettyHttpStack;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code GET /metrics} on every stack: strict Prometheus text format (0.0.4), and the buffer-core
 * meters move when a viewer joins, streams and is refused.
 */
class MetricsEndpointTest {

  private static final Duration GUARD = Duration.ofSeconds(30);
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? "
          + "(-?[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf)");
  private static final Pattern COMMENT = Pattern.compile(
      "# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|summary|histogram|untyped))");

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private ProxyApp app;
  private HttpStack.RunningServer server;

  static Stream<HttpStack> stacks() {
    return Stream.of(new JdkHttpStack(), new JettyHttpStack(), new NettyHttpStack());
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    if (app != null) {
      app.close();
    }
  }

  /** Parses a scrape strictly: every line is a HELP/TYPE comment or a sample; returns the samples. */
  private Map<String, Double> scrape(URI base) throws Exception {
    HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(base.resolve("/metrics")).timeout(GUARD).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(PrometheusEndpoint.CONTENT_TYPE);
    Map<String, Double> samples = new HashMap<>();
    Set<String> typed = new HashSet<>();
    for (String line : response.body().split("\n")) {
      if (line.isEmpty()) {
        continue; // the format ignores empty lines (an empty registry scrapes as "")
      }
      if (line.startsWith("#")) {
        assertThat(line).as("comment line").matches(COMMENT);
        if (line.startsWith("# TYPE ")) {
          typed.add(line.split(" ")[2]);
        }
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      assertThat(sample.matches()).as("sample line '%s'", line).isTrue();
      String family = sample.group(1).replaceFirst("_(total|count|sum|max|bucket)$", "");
      assertThat(typed).as("a TYPE line precedes %s", sample.group(1))
          .anyMatch(name -> name.equals(sample.group(1)) || name.equals(family)
              || sample.group(1).startsWith(name));
      assertThat(samples.put(sample.group(1) + (sample.group(2) == null ? "" : sample.group(2)),
          Double.parseDouble(sample.group(3)))).as("duplicate series %s", line).isNull();
    }
    return samples;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void metricsParseAsPrometheusTextAndMoveWhenViewersJoin(HttpStack stack) throws Exception {
    Map<String, ChannelMap.Channel> channels = new LinkedHashMap<>();
    for (String id : List.of("news", "arts")) {
      channels.put(id, new ChannelMap.Channel(id, "tv", UpstreamTarget.of(URI.create("inprocess:" + id))));
    }
    app = new ProxyApp(new ChannelMap(Map.of("tv", 1), channels), DemoChannel.source(),
        builder -> builder.streamGrace(Duration.ZERO));
    server = stack.start(app, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    URI base = URI.create("http://127.0.0.1:" + server.port());

    // Before anyone watched, no playlist exists yet: the scrape is still valid text.
    assertThat(scrape(base)).doesNotContainKey("buffercore_viewers{playlist=\"tv\"}");

    HttpResponse<InputStream> viewer = client.send(HttpRequest.newBuilder(base.resolve("/stream/news")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = viewer.body()) {
      assertThat(viewer.statusCode()).isEqualTo(200);
      assertThat(body.readNBytes(188 * 40)).hasSize(188 * 40);
      Map<String, Double> watching = scrape(base);
      assertThat(watching).containsEntry("buffercore_viewers{playlist=\"tv\"}", 1.0)
          .containsEntry("buffercore_tuners_in_use{playlist=\"tv\"}", 1.0)
          .containsEntry("buffercore_tuners_limit{playlist=\"tv\"}", 1.0)
          .containsEntry("buffercore_streams_active{playlist=\"tv\"}", 1.0)
          .containsEntry("buffercore_viewers_joined_total{playlist=\"tv\"}", 1.0)
          .containsEntry("buffercore_upstream_connects_total{playlist=\"tv\"}", 1.0)
          .containsEntry("buffercore_join_seconds_count{outcome=\"joined\",playlist=\"tv\"}", 1.0);
      assertThat(watching.get("buffercore_delivered_bytes_total{playlist=\"tv\"}"))
          .isGreaterThanOrEqualTo(188 * 40);

      HttpResponse<String> refused = client.send(HttpRequest.newBuilder(base.resolve("/stream/arts?switch=0")) // another viewer, not a switch
          .timeout(GUARD).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(503);
      Map<String, Double> later = scrape(base);
      assertThat(later).containsEntry("buffercore_tuner_refusals_total{playlist=\"tv\"}", 1.0)
          .containsEntry("buffercore_join_seconds_count{outcome=\"refused\",playlist=\"tv\"}", 1.0);
      // The viewer keeps reading, so delivery goes on (socket buffers may hold some back for a while).
      String delivered = "buffercore_delivered_bytes_total{playlist=\"tv\"}";
      long deadline = System.nanoTime() + GUARD.toNanos();
      while (later.get(delivered) <= watching.get(delivered) && System.nanoTime() < deadline) {
        assertThat(body.readNBytes(188 * 40)).hasSize(188 * 40);
        later = scrape(base);
      }
      assertThat(later.get(delivered)).isGreaterThan(watching.get(delivered));
      assertThat(later.keySet()).noneMatch(series -> series.contains("client"));
    }
  }
}
