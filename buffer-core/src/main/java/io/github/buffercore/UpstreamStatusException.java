package io.github.buffercore;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;

/**
 * Thrown by {@link UpstreamSource#open(UpstreamRequest)} when the upstream answered, but with a
 * status that means failure (for HTTP: 400 or more, or a redirect that could not be followed). The
 * message names the status and the URL.
 */
public final class UpstreamStatusException extends IOException {

  private static final long serialVersionUID = 1L;

  /** The HTTP status the upstream answered, kept for the accessor and the serialized form. */
  private final int status;
  /** The URL this failure concerns, kept for the accessor and the serialized form. */
  private final URI url;

  /**
   * Creates the exception.
   *
   * @param status the status the upstream answered with
   * @param url the URL that was requested
   */
  public UpstreamStatusException(int status, URI url) {
    super("Upstream answered HTTP status " + status + " for " + Objects.requireNonNull(url, "url"));
    this.status = status;
    this.url = url;
  }

  /**
   * Returns the status the upstream answered with.
   *
   * @return the status code
   */
  public int status() {
    return status;
  }

  /**
   * Returns the URL that was requested.
   *
   * @return the URL
   */
  public URI url() {
    return url;
  }
}
