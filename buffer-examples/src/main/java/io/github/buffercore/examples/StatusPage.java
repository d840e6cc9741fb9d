package io.github.buffercore.examples;

import io.github.buffercore.PlaylistSnapshot;
import io.github.buffercore.RegistrySnapshot;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code GET /}: the live status page, one static HTML file with its script inline (no build step, no
 * CDN) that reads {@code /status} every second and shows playlists (tuners used and limit, viewers,
 * refusals, evictions) and streams (viewers, upstream state, bitrate, bytes, reconnects, laps).
 */
final class StatusPage {

  /** The page, read once from the class path. */
  private static final String HTML = load();

  private StatusPage() { }

  /** The page as a response. */
  static TextOutcome outcome() {
    return new TextOutcome(200, "text/html; charset=utf-8", HTML,
        Map.of("Cache-Control", "no-cache", "Content-Security-Policy",
            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"));
  }

  private static String load() {
    try (InputStream in = StatusPage.class.getResourceAsStream("/status/index.html")) {
      if (in == null) {
        throw new IllegalStateException("The status page /status/index.html is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the status page /status/index.html", e);
    }
  }

  /** {@code GET /status}: the registry snapshot as JSON (written by hand: the example needs no JSON library). */
  static String json(RegistrySnapshot snapshot, PrometheusEndpoint metrics) {
    StringBuilder json = new StringBuilder("{\"totalClients\":").append(snapshot.totalClients())
        .append(",\"totalStreams\":").append(snapshot.totalStreams()).append(",\"playlists\":[");
    String playlistSeparator = "";
    for (PlaylistSnapshot playlist : snapshot.playlists()) {
      json.append(playlistSeparator).append("{\"id\":").append(quote(playlist.id()))
          .append(",\"tunerLimit\":").append(playlist.playlist().tunerLimit())
          .append(",\"tunersInUse\":").append(playlist.tunersInUse())
          .append(",\"clients\":").append(playlist.clients())
          .append(",\"refusals\":").append(metrics.refusals(playlist.id()))
          .append(",\"evictions\":").append(metrics.evictions(playlist.id()))
          .append(",\"streams\":[");
      String streamSeparator = "";
      for (StreamSnapshot stream : playlist.streams()) {
        json.append(streamSeparator).append("{\"id\":").append(quote(stream.streamId()))
            .append(",\"generation\":").append(stream.generation())
            .append(",\"clients\":").append(stream.clients())
            .append(",\"bytesIn\":").append(stream.stats().bytesIn())
            .append(",\"bytesOut\":").append(stream.stats().bytesOut())
            .append(",\"readers\":").append(stream.stats().readers())
            .append(",\"laps\":").append(stream.stats().laps())
            .append(",\"skips\":").append(stream.stats().skips())
            .append(",\"reconnects\":").append(stream.stats().reconnects())
            .append(",\"connectionsOpened\":").append(stream.stats().connectionsOpened())
            .append('}');
        streamSeparator = ",";
      }
      json.append("]}");
      playlistSeparator = ",";
    }
    return json.append("]}\n").toString();
  }

  private static String quote(String text) {
    return Problems.json(text);
  }
}
