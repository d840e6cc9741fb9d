package io.github.buffercore;

import java.io.IOException;

/**
 * Opens the upstream of one stream: the service-provider interface between buffer-core and wherever
 * the bytes of a live stream come from. {@link HttpUpstreamSource} fetches them over HTTP;
 * {@link InProcessUpstreamSource} produces them in process for tests and demos.
 *
 * <p>Thread-safety: implementations must be thread-safe; {@link #open(UpstreamRequest)} may be called
 * from several pump threads at once (one per running stream). Each returned connection is used by
 * one thread, and may be closed from any thread.
 */
@FunctionalInterface
public interface UpstreamSource {

  /**
   * Opens the URL of {@code request} and returns a connection positioned at the first byte of the
   * stream. Blocks until the upstream answered; may be interrupted, in which case it throws
   * {@link java.io.InterruptedIOException} (or another {@link IOException}).
   *
   * @param request the stream, URL and attempt number
   * @return an open connection, never {@code null}
   * @throws UpstreamStatusException if the upstream answered with a failure status (for HTTP, 400 or
   *     more); the message names the status and the URL
   * @throws IOException if the upstream could not be opened
   */
  UpstreamConnection open(UpstreamRequest request) throws IOException;
}
