package io.github.buffercore.examples.jdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.buffercore.ClientLease;
import io.github.buffercore.examples.EdgeLimits;
import io.github.buffercore.examples.EdgeWatchdog;
import io.github.buffercore.examples.ClientRequest;
import io.github.buffercore.examples.HttpStack;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamHead;
import io.github.buffercore.examples.ProxyApp.StreamOutcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example on the JDK's built-in {@code com.sun.net.httpserver}: no dependency, one thread per
 * request (virtual threads on Java 21+, a bounded pool of platform threads on Java 17; see {@link
 * BlockingExecutors}), blocking reads with a timeout.
 *
 * <p>The JDK server exposes no socket, so the edge limits work through the request's thread: its
 * socket channel is blocking and interruptible, and interrupting a thread blocked on it closes the
 * connection. The {@link EdgeWatchdog} interrupts a request whose head is not complete within the
 * header timeout (measured from its first byte: the JDK server hands a connection to a thread only
 * then; a connection that sends nothing is closed by the JDK's own idle timer), and a stream response
 * whose write makes no progress for the idle write timeout. Interrupts are fenced by {@link Phase}, so
 * a pooled thread is never interrupted after its request ended. To abort a committed response, the
 * handler throws: the JDK server then closes the connection without writing the final chunk.
 */
public final class JdkHttpStack implements HttpStack {

  private static final Logger LOG = LoggerFactory.getLogger(JdkHttpStack.class);

  /** Bytes read per copy: whole TS packets, about 84 KB. */
  static final int CHUNK = 64 * 1316;

  /** How long one blocking read waits before checking again whether the response was aborted. */
  static final Duration READ_SLICE = Duration.ofMillis(500);

  private static final ThreadLocal<Phase> CURRENT = new ThreadLocal<>();

  /** Each stream response holds a request thread (virtual on Java 21+, platform on Java 17). */
  @Override
  public boolean threadPerViewer() {
    return true;
  }

  @Override
  public String name() {
    return "JDK HttpServer";
  }

  @Override
  public RunningServer start(ProxyApp app, InetSocketAddress address, EdgeLimits limits) throws IOException {
    HttpServer server = HttpServer.create(address, limits.backlog());
    EdgeWatchdog watchdog = new EdgeWatchdog("jdk-" + server.getAddress().getPort(), limits);
    ExecutorService threads = BlockingExecutors.bounded("jdk-http-", limits.blockingThreads());
    Set<Phase> active = ConcurrentHashMap.newKeySet();
    // Every request runs inside a Phase: the watchdog may interrupt its thread only while it lasts.
    server.setExecutor(exchangeTask -> threads.execute(() -> {
      Phase phase = new Phase(Thread.currentThread());
      active.add(phase);
      CURRENT.set(phase);
      phase.headerDeadline = watchdog.deadline(limits.headerTimeout(),
          () -> phase.interrupt("its request head was not complete within " + limits.headerTimeout()));
      try {
        exchangeTask.run();
      } finally {
        phase.headerDeadline.close();
        phase.end();
        active.remove(phase);
        CURRENT.remove();
      }
    }));
    server.createContext("/", exchange -> {
      Phase phase = CURRENT.get();
      if (phase == null) {
        throw new IOException("Request not run by the stack's executor; closing it"); // cannot happen
      }
      phase.headerDeadline.close();
      if (phase.isAborted()) {
        throw new IOException("Request aborted: " + phase.why);
      }
      respond(app, exchange, phase, watchdog);
    });
    server.start();
    LOG.info("JDK HttpServer on port {}: up to {} requests at once on {}; socket send buffers are left"
        + " to the OS (this server has no socket options), so a stalled viewer is noticed only once"
        + " its buffer is full", server.getAddress().getPort(), limits.blockingThreads(), BlockingExecutors.kind());
    return new RunningServer() {
      @Override
      public int port() {
        return server.getAddress().getPort();
      }

      @Override
      public void close() {
        server.stop(0);
        active.forEach(phase -> phase.interrupt("the server is stopping"));
        watchdog.close();
        threads.shutdown();
        try {
          if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("JDK HttpServer request threads still running 10 s after stop");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  private static void respond(ProxyApp app, HttpExchange exchange, Phase phase, EdgeWatchdog watchdog)
      throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    InetSocketAddress remote = exchange.getRemoteAddress();
    ClientRequest client = new ClientRequest(
        remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress(),
        exchange.getRequestHeaders().getFirst("User-Agent"),
        exchange.getRequestHeaders().getFirst(ClientRequest.KEY_HEADER), exchange.getRequestURI().getRawQuery());
    ProxyApp.Outcome outcome = app.handle(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
        client);
    if (outcome instanceof TextOutcome text) {
      sendText(exchange, text, head);
    } else if (outcome instanceof StreamHead) {
      try (exchange) {
        streamHeaders(exchange);
        // A GET would be chunked; HEAD gets the same headers and no body (and so no Content-Length).
        exchange.getResponseHeaders().set("Transfer-Encoding", "chunked");
        exchange.sendResponseHeaders(200, -1);
      }
    } else {
      new StreamResponse(app, exchange, (StreamOutcome) outcome, phase, watchdog).run();
    }
  }

  private static void streamHeaders(HttpExchange exchange) {
    exchange.getResponseHeaders().set("Content-Type", StreamOutcome.CONTENT_TYPE);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
  }

  private static void sendText(HttpExchange exchange, TextOutcome text, boolean head) throws IOException {
    try (exchange) {
      byte[] body = text.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", text.contentType());
      text.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      if (head) {
        exchange.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
        exchange.sendResponseHeaders(text.status(), -1);
      } else {
        exchange.sendResponseHeaders(text.status(), body.length);
        exchange.getResponseBody().write(body);
      }
    }
  }

  /** One stream response on its request thread. */
  private static final class StreamResponse implements EdgeWatchdog.Watched {
    private final ProxyApp app;
    private final HttpExchange exchange;
    private final StreamOutcome stream;
    private final Phase phase;
    private final EdgeWatchdog watchdog;
    private volatile boolean writing;
    private volatile long written;

    StreamResponse(ProxyApp app, HttpExchange exchange, StreamOutcome stream, Phase phase,
        EdgeWatchdog watchdog) {
      this.app = app;
      this.exchange = exchange;
      this.stream = stream;
      this.phase = phase;
      this.watchdog = watchdog;
    }

    void run() throws IOException {
      byte[] buffer = new byte[CHUNK];
      int n;
      // Nothing is committed until the first byte: a failure before it still gets its own status.
      try {
        n = read(buffer);
      } catch (InterruptedException aborted) {
        app.left(stream, phase.why);
        throw new IOException("Response aborted before its first byte: " + phase.why);
      } catch (RuntimeException failure) {
        sendText(exchange, app.beforeData(stream, failure), false);
        return;
      }
      if (n < 0) {
        sendText(exchange, app.beforeData(stream, null), false);
        return;
      }
      streamHeaders(exchange);
      exchange.sendResponseHeaders(200, 0); // chunked: a live stream has no length
      OutputStream body = exchange.getResponseBody();
      EdgeWatchdog.Registration watched = watchdog.watch(this);
      try {
        while (true) {
          write(body, buffer, n);
          try {
            n = read(buffer);
          } catch (InterruptedException aborted) {
            app.left(stream, phase.why);
            throw new IOException("Response aborted: " + phase.why);
          } catch (RuntimeException failure) {
            app.ended(stream, failure);
            // Thrown out of the handler, so the JDK closes the connection without the final chunk.
            throw new IOException("Response aborted: " + failure.getMessage());
          }
          if (n < 0) {
            app.left(stream, "the stream ended");
            throw new IOException("Response aborted: the live stream ended");
          }
        }
      } catch (IOException clientGoneOrAborted) {
        app.left(stream, phase.isAborted() ? phase.why : clientGoneOrAborted.toString());
        throw clientGoneOrAborted;
      } finally {
        watched.close();
      }
    }

    /** The next bytes (&gt; 0) or -1; never 0. */
    private int read(byte[] buffer) throws InterruptedException {
      while (true) {
        if (phase.isAborted()) {
          throw new InterruptedException(phase.why);
        }
        int n = stream.reader().read(buffer, 0, buffer.length, READ_SLICE);
        if (n != 0) {
          return n;
        }
      }
    }

    private void write(OutputStream body, byte[] buffer, int n) throws IOException {
      writing = true;
      try {
        body.write(buffer, 0, n);
        body.flush();
      } finally {
        writing = false;
      }
      written += n;
    }

    @Override
    public boolean writePending() {
      return writing;
    }

    @Override
    public long writeProgress() {
      return written;
    }

    @Override
    public ClientLease lease() {
      return stream.lease();
    }

    @Override
    public void abort(String why) {
      phase.interrupt(why);
    }
  }

  /**
   * One request on one thread. {@link #interrupt} and {@link #end} are ordered by the monitor, so an
   * interrupt meant for this request never reaches the thread's next task; {@code end} clears an
   * interrupt that arrived.
   */
  static final class Phase {
    private final Thread thread;
    private boolean ended; // guarded by this
    private volatile String why;
    EdgeWatchdog.Registration headerDeadline;

    Phase(Thread thread) {
      this.thread = thread;
    }

    boolean isAborted() {
      return why != null;
    }

    /** Interrupts the request's thread: a blocked socket read or write closes the connection. */
    void interrupt(String reason) {
      synchronized (this) {
        if (ended || why != null) {
          return;
        }
        why = reason;
        thread.interrupt();
      }
      LOG.debug("Interrupted request thread {}: {}", thread.getName(), reason);
    }

    void end() {
      synchronized (this) {
        ended = true;
      }
      Thread.interrupted(); // the thread may be pooled: it must not carry this request's interrupt
    }
  }
}
