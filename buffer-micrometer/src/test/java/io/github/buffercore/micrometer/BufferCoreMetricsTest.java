package io.github.buffercore.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.ClientLease;
import io.github.buffercore.InProcessUpstreamSource;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.Ticker;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamSource;
import io.github.buffercore.UpstreamTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The binder against a real registry with an in-process upstream and a real Prometheus registry: every
 * value is read back from the Prometheus text a scrape produces.
 */
class BufferCoreMetricsTest {

  private static final Duration GUARD = Duration.ofSeconds(30);

  private final Ticker.Manual ticker = Ticker.manual();
  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<ClientLease> leases = new ArrayList<>();
  private PlaylistRegistry registry;
  private BufferCoreMetrics metrics;
  /** The snapshots the binder took of the registry (it sees the registry through a counting view). */
  private final AtomicInteger snapshotsTaken = new AtomicInteger();

  private void start(boolean streamTags) {
    metrics = BufferCoreMetrics.builder().streamTags(streamTags).snapshotMaxAge(Duration.ZERO).build();
    metrics.bindTo(prometheus);
    byte[] clip = new byte[188 * 100];
    for (int i = 0; i < clip.length; i += 188) {
      clip[i] = 0x47;
    }
    registry = PlaylistRegistry.builder()
        .ticker(ticker)
        .streamGrace(Duration.ZERO)
        // the tests sweep themselves: a background pass on the shared manual ticker could take an
        // eviction (and its event) away from the test's own cleanup()
        .manualCleanup()
        .listener(metrics)
        .upstream(InProcessUpstreamSource.looping(clip).bytesPerSecond(4_000_000).build(),
            (playlistId, channelId) -> UpstreamTarget.of(URI.create("inprocess:" + channelId)))
        .build();
    metrics.monitor(countingSnapshots(registry));
  }

  /** The real registry, with every {@code snapshot()} call counted into {@link #snapshotsTaken}. */
  private PlaylistRegistry countingSnapshots(PlaylistRegistry real) {
    return (PlaylistRegistry) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {PlaylistRegistry.class}, (proxy, method, args) -> {
          if (method.getName().equals("snapshot")) {
            snapshotsTaken.incrementAndGet();
          }
          try {
            return method.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @AfterEach
  void tearDown() {
    leases.forEach(ClientLease::close);
    if (registry != null) {
      registry.close();
    }
    prometheus.close();
  }

  private ClientLease join(String playlist, String channel, int tuners) {
    ClientLease lease = metrics.timeJoin(playlist,
        () -> registry.acquire(playlist, channel, id -> PlaylistSettings.withTuners(tuners)));
    leases.add(lease);
    return lease;
  }

  private static long readAtLeast(ClientLease lease, int bytes) throws InterruptedException {
    byte[] buffer = new byte[188 * 16];
    long read = 0;
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (read < bytes) {
      assertThat(System.nanoTime()).as("reading %d bytes", bytes).isLessThan(deadline);
      int n = lease.reader().read(buffer, 0, buffer.length, Duration.ofSeconds(1));
      assertThat(n).isNotNegative();
      read += n;
    }
    return read;
  }

  /** Parses the Prometheus text format: "name{labels} value" lines, comments skipped. */
  private Map<String, Double> scrape() {
    metrics.refresh();
    Map<String, Double> samples = new HashMap<>();
    Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? ([-+0-9.eEInfNa]+)$");
    for (String text : prometheus.scrape().split("\n")) {
      if (text.isBlank() || text.startsWith("#")) {
        continue;
      }
      Matcher m = line.matcher(text);
      assertThat(m.matches()).as("Prometheus line '%s'", text).isTrue();
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }

  @Test
  void gaugesFollowViewersAndTunersAndCountersMoveWithTheDataPath() throws Exception {
    start(false);
    ClientLease first = join("news", "bbc", 2);
    ClientLease second = join("news", "bbc", 2);
    ClientLease third = join("news", "cnn", 2);

    Map<String, Double> joined = scrape();
    assertThat(joined).containsEntry("buffercore_viewers{playlist=\"news\"}", 3.0)
        .containsEntry("buffercore_streams_active{playlist=\"news\"}", 2.0)
        .containsEntry("buffercore_tuners_in_use{playlist=\"news\"}", 2.0)
        .containsEntry("buffercore_tuners_limit{playlist=\"news\"}", 2.0)
        .containsEntry("buffercore_viewers_joined_total{playlist=\"news\"}", 3.0)
        .containsEntry("buffercore_tuner_refusals_total{playlist=\"news\"}", 0.0)
        .containsEntry("buffercore_viewers_evicted_total{playlist=\"news\"}", 0.0)
        .containsEntry("buffercore_join_seconds_count{outcome=\"joined\",playlist=\"news\"}", 3.0);

    long read = readAtLeast(first, 188 * 200) + readAtLeast(second, 188 * 200);
    // Each stream's pump counts its connection before it publishes a byte, so a byte read from cnn
    // proves both connections are counted; without this read the scrape raced cnn's connect.
    read += readAtLeast(third, 188);
    Map<String, Double> streamed = scrape();
    assertThat(streamed.get("buffercore_delivered_bytes_total{playlist=\"news\"}"))
        .isGreaterThanOrEqualTo(read);
    assertThat(streamed.get("buffercore_received_bytes_total{playlist=\"news\"}")).isPositive();
    assertThat(streamed).containsEntry("buffercore_upstream_connects_total{playlist=\"news\"}", 2.0)
        .containsEntry("buffercore_upstream_reconnects_total{playlist=\"news\"}", 0.0);

    assertThatThrownBy(() -> join("news", "itv", 2)).isInstanceOf(TunerLimitExceededException.class);
    second.close();
    Map<String, Double> refused = scrape();
    assertThat(refused).containsEntry("buffercore_tuner_refusals_total{playlist=\"news\"}", 1.0)
        .containsEntry("buffercore_join_seconds_count{outcome=\"refused\",playlist=\"news\"}", 1.0)
        .containsEntry("buffercore_viewers{playlist=\"news\"}", 2.0);
    // counters never go back, even though the stream whose bytes they hold may stop
    assertThat(refused.get("buffercore_delivered_bytes_total{playlist=\"news\"}"))
        .isGreaterThanOrEqualTo(streamed.get("buffercore_delivered_bytes_total{playlist=\"news\"}"));
  }

  @Test
  void viewersJoiningAndLeavingAreCountedWithoutASnapshotEach() {
    start(false);
    ClientLease first = join("news", "bbc", 2); // the playlist and the stream appear: refreshes
    int afterFirstJoin = snapshotsTaken.get();
    assertThat(afterFirstJoin).as("snapshots at the playlist's creation and the stream's start").isPositive();

    List<ClientLease> crowd = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      crowd.add(join("news", "bbc", 2));
    }
    crowd.forEach(ClientLease::close);
    // 200 joins and 200 leaves on a running stream add and remove no meter: no snapshot, no refresh
    // (with one per event a storm of joins serialized on full snapshots of the registry)
    assertThat(snapshotsTaken.get()).isEqualTo(afterFirstJoin);

    Map<String, Double> samples = scrape(); // the scrape's refresh takes one
    assertThat(samples).containsEntry("buffercore_viewers_joined_total{playlist=\"news\"}", 201.0)
        .containsEntry("buffercore_viewers{playlist=\"news\"}", 1.0)
        .containsEntry("buffercore_join_seconds_count{outcome=\"joined\",playlist=\"news\"}", 201.0);

    int beforeStop = snapshotsTaken.get();
    first.close(); // grace zero: the stream stops, and the refresh at its event takes a snapshot
    assertThat(snapshotsTaken.get()).isGreaterThan(beforeStop);
    assertThat(scrape()).containsEntry("buffercore_streams_active{playlist=\"news\"}", 0.0)
        .containsEntry("buffercore_tuners_in_use{playlist=\"news\"}", 0.0);
  }

  @Test
  void silentViewersCountAsEvictedAndLeaveTheGauges() {
    start(false);
    join("news", "bbc", 2);
    ticker.advance(Duration.ofMinutes(5)); // past staleAfter (30 s): the viewer went silent
    registry.cleanup();

    Map<String, Double> samples = scrape();
    assertThat(samples).containsEntry("buffercore_viewers_evicted_total{playlist=\"news\"}", 1.0)
        .containsEntry("buffercore_viewers{playlist=\"news\"}", 0.0)
        .containsEntry("buffercore_tuners_in_use{playlist=\"news\"}", 0.0);
  }

  @Test
  void streamTagsAddStreamSeriesAndRemoveThemWhenTheStreamStops() throws Exception {
    start(true);
    ClientLease bbc = join("news", "bbc", 2);
    readAtLeast(bbc, 188 * 50);

    Map<String, Double> running = scrape();
    assertThat(running).containsEntry("buffercore_stream_viewers{playlist=\"news\",stream=\"bbc\"}", 1.0);
    assertThat(running.get("buffercore_delivered_bytes_total{playlist=\"news\",stream=\"bbc\"}"))
        .isGreaterThanOrEqualTo(188 * 50);

    bbc.close(); // grace zero: the stream stops with its last viewer
    Map<String, Double> stopped = scrape();
    assertThat(stopped.keySet()).noneMatch(key -> key.contains("stream=\"bbc\""));
    assertThat(stopped).containsEntry("buffercore_viewers{playlist=\"news\"}", 0.0);
  }

  @Test
  void withoutStreamTagsNoSeriesNamesAStreamOrAViewer() throws Exception {
    start(false);
    ClientLease bbc = join("news", "bbc", 2);
    readAtLeast(bbc, 188 * 10);
    assertThat(scrape().keySet()).allMatch(key -> !key.contains("stream=") && !key.contains("client"));
  }

  @Test
  void bindingToASecondMeterRegistryIsRefused() {
    start(false);
    PrometheusMeterRegistry other = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      assertThatThrownBy(() -> metrics.bindTo(other)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already bound");
    } finally {
      other.close();
    }
    assertThatThrownBy(() -> BufferCoreMetrics.builder().snapshotMaxAge(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshotMaxAge");
  }

  @Test
  void anUpstreamGivenUpOnIsCountedOnce() throws Exception {
    metrics = BufferCoreMetrics.builder().snapshotMaxAge(Duration.ZERO).build();
    metrics.bindTo(prometheus);
    java.util.concurrent.CountDownLatch refuse = new java.util.concurrent.CountDownLatch(1);
    UpstreamSource refusing = request -> {
      try {
        refuse.await(); // the viewer has its reader before the upstream fails
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new java.io.IOException("connection refused by " + request.url());
    };
    registry = PlaylistRegistry.builder()
        .ticker(ticker)
        .listener(metrics)
        .reconnectPolicy(ReconnectPolicy.none())
        .upstream(refusing, (playlistId, channelId) -> UpstreamTarget.of(URI.create("refused:" + channelId)))
        .build();
    metrics.monitor(registry);
    ClientLease lease = join("news", "dead", 2);
    var reader = lease.reader();
    assertThat(scrape()).doesNotContainKey("buffercore_upstream_failures_total{playlist=\"news\"}");
    // The registry removes the stream (and sends the event) before its readers hear of the failure.
    refuse.countDown();
    assertThatThrownBy(() -> reader.read(new byte[188], 0, 188, GUARD))
        .isInstanceOf(UpstreamException.class);
    assertThat(scrape()).containsEntry("buffercore_upstream_failures_total{playlist=\"news\"}", 1.0);
  }
}
