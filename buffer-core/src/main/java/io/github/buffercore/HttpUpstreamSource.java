package io.github.buffercore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link UpstreamSource} that fetches a stream with an HTTP GET, on {@link HttpClient} (HTTP/1.1,
 * redirects followed as {@link HttpClient.Redirect#NORMAL}, i.e. except from HTTPS to HTTP).
 *
 * <ul>
 *   <li>Connect timeout: the TCP (and TLS) connection must be up within it.
 *   <li>Read timeout: the response headers must arrive within connect timeout + read timeout, and
 *       afterwards no read may wait longer than the read timeout for the next byte; otherwise the
 *       read throws {@link SocketTimeoutException} and the connection is closed.
 *   <li>Any status other than 2xx (in particular 400 or more, or a redirect that was not followed)
 *       makes {@link #open(UpstreamRequest)} throw {@link UpstreamStatusException}.
 * </ul>
 *
 * <p>Build one with {@link #builder()}. Thread-safe: one instance serves any number of streams and
 * pump threads at once; each instance owns one {@link HttpClient}.
 */
public final class HttpUpstreamSource implements UpstreamSource {

  /** The default connect timeout: 5 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** The default read timeout: 10 seconds. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

  /** The default {@code User-Agent} header: {@value}. */
  public static final String DEFAULT_USER_AGENT = "buffer-core/0.1";

  private static final Logger LOG = LoggerFactory.getLogger(HttpUpstreamSource.class);

  private final HttpClient client;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final String userAgent;
  private final Map<String, String> headers;

  private HttpUpstreamSource(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.userAgent = b.userAgent;
    this.headers = Map.copyOf(b.headers);
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(connectTimeout)
        .build();
  }

  /**
   * Returns a builder preset to connect timeout {@link #DEFAULT_CONNECT_TIMEOUT}, read timeout
   * {@link #DEFAULT_READ_TIMEOUT}, user agent {@link #DEFAULT_USER_AGENT} and no extra headers.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the connect timeout.
   *
   * @return the connect timeout
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * Returns the read timeout.
   *
   * @return the read timeout
   */
  public Duration readTimeout() {
    return readTimeout;
  }

  /**
   * Returns the {@code User-Agent} header sent with every request.
   *
   * @return the user agent
   */
  public String userAgent() {
    return userAgent;
  }

  /**
   * Returns the extra headers sent with every request.
   *
   * @return an immutable map from header name to value
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * Sends a GET for the request's URL and returns the response body as a connection once the
   * response headers arrived with a 2xx status. Blocks at most about connect timeout + read timeout;
   * interruptible.
   *
   * @param request the stream and URL to open
   * @return the open connection
   * @throws UpstreamStatusException if the final response's status is not 2xx
   * @throws InterruptedIOException if the calling thread was interrupted
   * @throws IOException if the URL is not an absolute http(s) URL, or connecting or the request
   *     failed or timed out
   */
  @Override
  public UpstreamConnection open(UpstreamRequest request) throws IOException {
    return fetch(request).body();
  }

  /**
   * What {@link #fetch(UpstreamRequest)} returns: the open body and what the response said about it.
   * Package-private: {@link HlsUpstreamSource} and {@link AutoUpstreamSource} need the final URL
   * (relative playlist URIs resolve against it after a redirect) and the content type.
   */
  record Fetched(UpstreamConnection body, URI finalUrl, String contentType) {}

  /**
   * Does what {@link #open(UpstreamRequest)} does and also returns the final URL after redirects and
   * the {@code Content-Type} of the response ({@code ""} if absent).
   */
  Fetched fetch(UpstreamRequest request) throws IOException {
    HttpRequest httpRequest = buildRequest(request);
    URI url = request.url();
    HttpResponse<BodyConnection> response;
    try {
      response = client.send(httpRequest, info -> new BodyConnection(request, readTimeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException ie = new InterruptedIOException("Interrupted while opening " + url
          + " for stream '" + request.streamId() + "' in playlist '" + request.playlistId() + "'");
      ie.initCause(e);
      throw ie;
    }
    return checked(request, response);
  }

  /**
   * Like {@link #fetch(UpstreamRequest)}, without blocking: the future completes with the open body
   * once the response headers arrived with a 2xx status, or exceptionally with
   * {@link UpstreamStatusException} or another {@link IOException} (wrapped in a
   * {@link java.util.concurrent.CompletionException}). Lets a caller stop waiting when its own
   * connection is closed; whoever abandons the future must close a body that arrives later.
   */
  CompletableFuture<Fetched> fetchAsync(UpstreamRequest request) {
    HttpRequest httpRequest;
    try {
      httpRequest = buildRequest(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return client.sendAsync(httpRequest, info -> new BodyConnection(request, readTimeout))
        .thenApply(response -> {
          try {
            return checked(request, response);
          } catch (UpstreamStatusException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
  }

  private Fetched checked(UpstreamRequest request, HttpResponse<BodyConnection> response)
      throws UpstreamStatusException {
    URI url = request.url();
    BodyConnection connection = response.body();
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      connection.close();
      LOG.debug("Upstream {} (final URL {}) answered {} for stream '{}' in playlist '{}'",
          url, response.uri(), status, request.streamId(), request.playlistId());
      throw new UpstreamStatusException(status, url);
    }
    LOG.debug("Opened upstream {} (final URL {}, status {}) for stream '{}' in playlist '{}'",
        url, response.uri(), status, request.streamId(), request.playlistId());
    return new Fetched(connection, response.uri(),
        response.headers().firstValue("Content-Type").orElse(""));
  }

  private HttpRequest buildRequest(UpstreamRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    URI url = request.url();
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IOException("Cannot open " + url + " for stream '" + request.streamId()
          + "' in playlist '" + request.playlistId() + "': not an absolute http(s) URL");
    }
    HttpRequest.Builder rb;
    try {
      rb = HttpRequest.newBuilder(url);
    } catch (IllegalArgumentException e) {
      throw new IOException("Cannot open " + url + " for stream '" + request.streamId()
          + "' in playlist '" + request.playlistId() + "': " + e.getMessage(), e);
    }
    rb.GET().timeout(connectTimeout.plus(readTimeout)).header("User-Agent", userAgent);
    headers.forEach(rb::header);
    return rb.build();
  }

  @Override
  public String toString() {
    return "HttpUpstreamSource[connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
        + ", userAgent=" + userAgent + ", headers=" + headers.keySet() + "]";
  }

  /**
   * The response body of one request, as a {@link HttpResponse.BodySubscriber} that the client
   * feeds and an {@link UpstreamConnection} that the pump thread reads. The queue holds at most
   * two lists of buffers (demand is one list at a time) plus one end marker.
   */
  private static final class BodyConnection
      implements HttpResponse.BodySubscriber<BodyConnection>, UpstreamConnection {

    private static final Object END = new Object();
    private static final Object CLOSED = new Object();

    private final UpstreamRequest request;
    private final long readTimeoutNanos;
    private final Duration readTimeout;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Flow.Subscription subscription;

    // Reader-thread state.
    private List<?> list;
    private int listIndex;
    private ByteBuffer current;
    private boolean ended;

    BodyConnection(UpstreamRequest request, Duration readTimeout) {
      this.request = request;
      this.readTimeout = readTimeout;
      this.readTimeoutNanos = readTimeout.toNanos();
    }

    @Override
    public CompletionStage<BodyConnection> getBody() {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (closed.get()) {
        s.cancel();
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
      queue.add(new Failure(t));
    }

    @Override
    public void onComplete() {
      queue.add(END);
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, buf.length);
      if (len == 0) {
        return 0;
      }
      while (current == null || !current.hasRemaining()) {
        if (closed.get()) {
          throw closedException();
        }
        if (ended) {
          return -1;
        }
        if (list != null && listIndex < list.size()) {
          current = (ByteBuffer) list.get(listIndex++);
          continue;
        }
        Object item;
        try {
          item = queue.poll(readTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          InterruptedIOException ie = new InterruptedIOException("Interrupted while reading "
              + request.url() + " for stream '" + request.streamId() + "' in playlist '"
              + request.playlistId() + "'");
          ie.initCause(e);
          throw ie;
        }
        if (item == null) {
          close();
          throw new SocketTimeoutException("No data within the read timeout of " + readTimeout
              + " from " + request.url() + " for stream '" + request.streamId()
              + "' in playlist '" + request.playlistId() + "'");
        } else if (item == CLOSED) {
          throw closedException();
        } else if (item == END) {
          ended = true;
          return -1;
        } else if (item instanceof Failure) {
          Throwable t = ((Failure) item).cause;
          throw new IOException("Reading " + request.url() + " for stream '" + request.streamId()
              + "' in playlist '" + request.playlistId() + "' failed: " + t, t);
        } else {
          list = (List<?>) item;
          listIndex = 0;
          Flow.Subscription s = subscription;
          if (s != null) {
            s.request(1);
          }
        }
      }
      int n = Math.min(len, current.remaining());
      current.get(buf, off, n);
      return n;
    }

    private IOException closedException() {
      return new IOException("Connection to " + request.url() + " for stream '"
          + request.streamId() + "' in playlist '" + request.playlistId() + "' was closed");
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        Flow.Subscription s = subscription;
        if (s != null) {
          s.cancel();
        }
      } catch (RuntimeException e) {
        LOG.warn("Cancelling the response body of {} for stream '{}' in playlist '{}' failed",
            request.url(), request.streamId(), request.playlistId(), e);
      } finally {
        queue.add(CLOSED);
      }
    }
  }

  private static final class Failure {
    final Throwable cause;

    Failure(Throwable cause) {
      this.cause = cause;
    }
  }

  /**
   * Builds an {@link HttpUpstreamSource}. Every setter validates its argument at once and throws
   * {@link IllegalArgumentException} naming the rejected value. Not thread-safe.
   */
  public static final class Builder {

    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private String userAgent = DEFAULT_USER_AGENT;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the connect timeout (default 5 s).
     *
     * @param connectTimeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code connectTimeout} is {@code null}, zero or negative
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive("connectTimeout", connectTimeout);
      return this;
    }

    /**
     * Sets the read timeout (default 10 s): the longest a read waits for the next byte.
     *
     * @param readTimeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code readTimeout} is {@code null}, zero or negative
     */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = positive("readTimeout", readTimeout);
      return this;
    }

    /**
     * Sets the {@code User-Agent} header (default {@value HttpUpstreamSource#DEFAULT_USER_AGENT}).
     * Some IPTV providers only serve known players' user agents.
     *
     * @param userAgent a non-blank value without line breaks
     * @return this builder
     * @throws IllegalArgumentException if {@code userAgent} is {@code null}, blank or not a valid
     *     header value
     */
    public Builder userAgent(String userAgent) {
      if (userAgent == null || userAgent.isBlank()) {
        throw new IllegalArgumentException("userAgent must not be blank, got: " + quote(userAgent));
      }
      validateHeader("User-Agent", userAgent);
      this.userAgent = userAgent;
      return this;
    }

    /**
     * Adds a header sent with every request, replacing an earlier value of the same name.
     *
     * @param name the header name; not {@code User-Agent} (use {@link #userAgent(String)}) and not
     *     one that {@link HttpClient} sets itself ({@code Host}, {@code Connection}, ...)
     * @param value the header value
     * @return this builder
     * @throws IllegalArgumentException if the name or value is {@code null} or not allowed
     */
    public Builder header(String name, String value) {
      if (name == null || value == null) {
        throw new IllegalArgumentException(
            "header name and value must not be null, got: " + quote(name) + ": " + quote(value));
      }
      if (name.equalsIgnoreCase("User-Agent")) {
        throw new IllegalArgumentException("Set the User-Agent with userAgent(), not header()");
      }
      validateHeader(name, value);
      headers.put(name, value);
      return this;
    }

    /**
     * Builds the source.
     *
     * @return the source
     */
    public HttpUpstreamSource build() {
      return new HttpUpstreamSource(this);
    }

    private static void validateHeader(String name, String value) {
      try {
        HttpRequest.newBuilder(URI.create("http://localhost/")).header(name, value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Header not allowed: " + quote(name) + ": " + quote(value) + " (" + e.getMessage() + ")",
            e);
      }
    }

    private static String quote(String s) {
      return s == null ? "null" : "'" + s + "'";
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration, got: " + d);
      }
      return d;
    }
  }
}
