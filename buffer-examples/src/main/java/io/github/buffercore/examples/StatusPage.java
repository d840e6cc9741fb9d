package io.github.buffercore.examples;

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
}
