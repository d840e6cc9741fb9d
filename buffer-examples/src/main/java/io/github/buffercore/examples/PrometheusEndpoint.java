package io.github.buffercore.examples;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.RegistryListener;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import io.github.buffercore.micrometer.BufferCoreMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: the registry's meters ({@link BufferCoreMetrics}, tagged by playlist only) in
 * the Prometheus text format. The counts of refusals and evictions also feed {@code /status}.
 */
public final class PrometheusEndpoint implements AutoCloseable {

  /** The content type of the Prometheus text format, version 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final BufferCoreMetrics metrics = BufferCoreMetrics.builder().build();

  PrometheusEndpoint() {
    metrics.bindTo(prometheus);
  }

  /** The listener to give the registry builder. */
  RegistryListener listener() {
    return metrics;
  }

  /** Starts reading the registry's snapshots. */
  void monitor(PlaylistRegistry registry) {
    metrics.monitor(registry);
  }

  /** Times a viewer's acquire into {@code buffercore_join_seconds}. */
  ClientLease timeJoin(String playlistId, Supplier<ClientLease> acquire) {
    return metrics.timeJoin(playlistId, acquire);
  }

  /** Viewers of the playlist refused because every tuner was busy, since start. */
  long refusals(String playlistId) {
    return count("buffercore.tuner.refusals", playlistId);
  }

  /** Viewers of the playlist evicted by cleanup, since start. */
  long evictions(String playlistId) {
    return count("buffercore.viewers.evicted", playlistId);
  }

  private long count(String name, String playlistId) {
    Counter counter = prometheus.find(name).tag("playlist", playlistId).counter();
    return counter == null ? 0 : (long) counter.count();
  }

  /** The scrape: refreshes the stats-fed counters first, so they include every byte so far. */
  TextOutcome scrape() {
    metrics.refresh();
    return new TextOutcome(200, CONTENT_TYPE, prometheus.scrape(), Map.of());
  }

  @Override
  public void close() {
    prometheus.close();
  }
}
