package io.github.buffercore.internal.hls;

import io.github.buffercore.UpstreamConnection;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches one URL of an HLS stream (a playlist, a key or a segment) with the HTTP settings of its
 * playlist; implemented by {@link io.github.buffercore.HlsUpstreamSource} on top of
 * {@link io.github.buffercore.HttpUpstreamSource}.
 */
@FunctionalInterface
public interface HlsFetcher {

  /**
   * Starts a GET of {@code url}.
   *
   * @param url the absolute URL
   * @param attempt the attempt number at this URL, starting at 1
   * @return a future of the open body once a 2xx response arrived, or completing exceptionally
   *     (possibly wrapped in a {@link java.util.concurrent.CompletionException}) with
   *     {@link io.github.buffercore.UpstreamStatusException} or another {@link java.io.IOException}
   */
  CompletableFuture<Resource> fetch(URI url, int attempt);

  /**
   * An open response.
   *
   * @param body the body, to be closed by the caller
   * @param finalUrl the URL after redirects, against which relative URIs in a playlist resolve
   * @param contentType the {@code Content-Type}, or {@code ""}
   */
  record Resource(UpstreamConnection body, URI finalUrl, String contentType) {}
}
