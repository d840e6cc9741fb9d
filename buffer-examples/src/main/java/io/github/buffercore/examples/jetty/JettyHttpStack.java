package io.github.buffercore.examples.jetty;

import io.github.buffercore.ClientLease;
import io.github.buffercore.StreamReader;
import io.github.buffercore.examples.EdgeLimits;
import io.github.buffercore.examples.EdgeWatchdog;
import io.github.buffercore.examples.ClientRequest;
import io.github.buffercore.examples.HttpStack;
import io.github.buffercore.examples.Problems;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamHead;
import io.github.buffercore.examples.ProxyApp.StreamOutcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example on Jetty 12's core API (no servlets), fully non-blocking: a stream response is an
 * {@link IteratingCallback} that polls the reader and writes asynchronously; when the reader has
 * nothing, it parks on the reader's readiness callback instead of a Jetty thread. A slow client
 * therefore holds no thread: its pending write simply delays the next poll, and the library's ring
 * buffer (not Jetty) decides when the client is too far behind.
 *
 * <p>Edge limits: Jetty's idle timeout is the idle write timeout (it fails a pending write that makes
 * no progress; a stream response with no write pending ignores it, since waiting for upstream data is
 * not idleness); the header timeout is armed by an {@link EdgeWatchdog} deadline when a connection
 * opens or a response ends, and cancelled when the next request head is complete; Jetty's own error
 * pages are replaced by {@link Problems}.
 */
public final class JettyHttpStack implements HttpStack {

  private static final Logger LOG = LoggerFactory.getLogger(JettyHttpStack.class);

  /**
   * Jetty pool threads per core, beyond {@link #POOL_THREADS_FIXED}: one of them is the core's selector
   * ({@link #SELECTORS}), the rest run handlers, which never block.
   */
  static final int POOL_THREADS_PER_CORE = 8;
  /** Pool threads for Jetty's acceptor and reserved threads, whatever the core count. */
  static final int POOL_THREADS_FIXED = 16;

  /** Jetty's choice of acceptor threads (one on small machines), which accept in a blocking call. */
  private static final int ACCEPTORS_DEFAULT = -1;
  /** Selector threads: one per core, so that a storm of joins is selected and dispatched on every core. */
  static final int SELECTORS = Math.max(1, Runtime.getRuntime().availableProcessors());

  /** Bytes copied per write: whole 1316-byte (7 TS packets) datagrams, about 62 KB. */
  static final int CHUNK = 48 * 1316;

  @Override
  public String name() {
    return "Jetty 12 (core, non-blocking)";
  }

  @Override
  public RunningServer start(ProxyApp app, InetSocketAddress address, EdgeLimits limits) throws Exception {
    // Every handler here is non-blocking, so threads beyond a few per core only queue for the CPU. With
    // Jetty's default cap (200) a storm of joins made the pool start about 190 threads while the joins
    // waited (35 -> 227 threads at 5,000 viewers, benchmarks/LOAD.md); capped, the jobs queue instead.
    QueuedThreadPool threads = new QueuedThreadPool(POOL_THREADS_PER_CORE
        * Runtime.getRuntime().availableProcessors() + POOL_THREADS_FIXED);
    threads.setName("jetty-http");
    threads.setDaemon(true);
    Server server = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    // One selector per core, not Jetty's default of one per two cores: with one selector on 2 cores,
    // that thread registered, selected and dispatched every connection of a join storm alone. In 19
    // alternating runs of 5,000 joins, p99 first byte was 79-600 ms with one selector (12 runs <= 250,
    // mean 245) and 120-459 ms with two (15 of 18, mean 216), at the same CPU per viewer-second: not
    // worse, better in the busy host's runs, within the spread of identical code; four were not better.
    // Acceptors stay at Jetty's default (one blocking acceptor thread): accepting in the selectors was
    // slower (p99 755-830 ms). benchmarks/results/LOAD-NOTES.md, 2026-12-03.
    ServerConnector connector = new ServerConnector(server, ACCEPTORS_DEFAULT, SELECTORS,
        new HttpConnectionFactory(config));
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    connector.setAcceptQueueSize(limits.backlog());
    connector.setAcceptedSendBufferSize(limits.sendBuffer());
    connector.setIdleTimeout(limits.idleWriteTimeout().toMillis());
    // On stop, idle keep-alive connections are closed after this timeout (Jetty's default: 1 s);
    // nothing useful can arrive on them once the server stops.
    connector.setShutdownIdleTimeout(100);
    EdgeWatchdog watchdog = new EdgeWatchdog("jetty", limits);
    HeaderTimeouts headers = new HeaderTimeouts(watchdog, limits);
    connector.addEventListener(headers);
    server.addConnector(connector);
    server.setErrorHandler(new ProblemErrorHandler());
    Set<StreamPump> open = ConcurrentHashMap.newKeySet();
    server.setHandler(new ProxyHandler(app, threads, open, watchdog, headers));
    server.setStopTimeout(2_000);
    try {
      server.start();
    } catch (Exception e) {
      watchdog.close();
      server.stop();
      throw e;
    }
    return new RunningServer() {
      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public void close() {
        // Abort the stream responses first: a live response never completes by itself, so a graceful
        // stop would wait for it until the stop timeout.
        open.forEach(pump -> pump.abort("the server is stopping"));
        try {
          server.stop(); // text responses in flight may finish (bounded by the stop timeout)
        } catch (Exception e) {
          LOG.warn("Jetty did not stop cleanly", e);
        }
        open.forEach(pump -> pump.abort("the server stopped")); // one that started while stopping
        watchdog.close();
      }
    };
  }

  /**
   * Closes a connection whose next request head is not complete within the header timeout of the
   * connection opening or of its previous response ending.
   */
  private static final class HeaderTimeouts implements Connection.Listener {
    private final EdgeWatchdog watchdog;
    private final EdgeLimits limits;
    private final Map<Connection, EdgeWatchdog.Registration> armed = new ConcurrentHashMap<>();

    HeaderTimeouts(EdgeWatchdog watchdog, EdgeLimits limits) {
      this.watchdog = watchdog;
      this.limits = limits;
    }

    @Override
    public void onOpened(Connection connection) {
      arm(connection);
    }

    @Override
    public void onClosed(Connection connection) {
      disarm(connection);
    }

    /** Before a response completes: the next request head must arrive in time. */
    void arm(Connection connection) {
      EdgeWatchdog.Registration deadline = watchdog.deadline(limits.headerTimeout(), () -> {
        armed.remove(connection);
        LOG.debug("Closing connection {}: no complete request head within {}",
            connection.getEndPoint().getRemoteSocketAddress(), limits.headerTimeout());
        connection.getEndPoint().close(new TimeoutException("request head timeout"));
      });
      EdgeWatchdog.Registration previous = armed.put(connection, deadline);
      if (previous != null) {
        previous.close();
      }
      if (!connection.getEndPoint().isOpen()) {
        disarm(connection); // closed meanwhile: onClosed may have run before the put
      }
    }

    /** A request head arrived (or the connection closed). */
    void disarm(Connection connection) {
      EdgeWatchdog.Registration deadline = armed.remove(connection);
      if (deadline != null) {
        deadline.close();
      }
    }
  }

  /** Jetty's own errors (bad request line, headers too large) as problems, never an HTML page. */
  private static final class ProblemErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Object attribute = request.getAttribute(ERROR_STATUS);
      int status = attribute instanceof Integer code ? code : response.getStatus();
      if (status < 400) {
        status = 500;
      }
      TextOutcome problem = problem(status);
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, problem.contentType());
      byte[] body = problem.body().getBytes(StandardCharsets.UTF_8);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }

    private static TextOutcome problem(int status) {
      return Problems.problem(status, status >= 500 ? "The server failed to handle the request"
          : "The request could not be understood");
    }
  }

  /** Routes every request through the {@link ProxyApp}. */
  private static final class ProxyHandler extends Handler.Abstract {
    // Not Handler.Abstract.NonBlocking: acquiring a lease may create a playlist, which is not
    // guaranteed to be cheap enough for a selector thread. The streaming itself never blocks.

    private final ProxyApp app;
    private final PoolWakeups[] wakeups;
    private final Set<StreamPump> open;
    private final EdgeWatchdog watchdog;
    private final HeaderTimeouts headers;

    ProxyHandler(ProxyApp app, Executor executor, Set<StreamPump> open, EdgeWatchdog watchdog,
        HeaderTimeouts headers) {
      this.app = app;
      // One shard per core, so that the grouped writes still use every core.
      this.wakeups = new PoolWakeups[Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()))];
      for (int i = 0; i < wakeups.length; i++) {
        wakeups[i] = new PoolWakeups(executor);
      }
      this.open = open;
      this.watchdog = watchdog;
      this.headers = headers;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Connection connection = request.getConnectionMetaData().getConnection();
      headers.disarm(connection);
      // Armed before the response completes, so the next request (which disarms it) comes after.
      Callback rearming = Callback.from(() -> {
        headers.arm(connection);
        callback.succeeded();
      }, callback::failed);
      boolean head = request.getMethod().equals("HEAD");
      // The JDK and Netty parsers deliver each byte of the target as one char; Jetty decodes raw
      // non-ASCII bytes as UTF-8, so re-encode to honour ProxyApp.handle's contract.
      String rawPath = new String(request.getHttpURI().getPath().getBytes(StandardCharsets.UTF_8),
          StandardCharsets.ISO_8859_1);
      ClientRequest client = new ClientRequest(Request.getRemoteAddr(request),
          request.getHeaders().get(HttpHeader.USER_AGENT), request.getHeaders().get(ClientRequest.KEY_HEADER),
          request.getHttpURI().getQuery());
      ProxyApp.Outcome outcome = app.handle(request.getMethod(), rawPath, client);
      if (outcome instanceof TextOutcome text) {
        writeText(response, text, head, rearming);
        return true;
      }
      if (outcome instanceof StreamHead) {
        streamHeaders(response);
        // Committing before the last write keeps the GET headers (chunked, no Content-Length: 0);
        // Jetty sends no body, not even the last chunk, for HEAD.
        response.write(false, BufferUtil.EMPTY_BUFFER, Callback.from(
            () -> response.write(true, BufferUtil.EMPTY_BUFFER, rearming), rearming::failed));
        return true;
      }
      StreamOutcome stream = (StreamOutcome) outcome;
      PoolWakeups shard = wakeups[(int) (stream.lease().clientId() & (wakeups.length - 1))];
      StreamPump pump = new StreamPump(app, stream, request, response, rearming, shard, open, watchdog);
      open.add(pump);
      // Waiting for upstream data is not idleness; a pending write that makes no progress is failed by
      // Jetty without asking this listener.
      request.addIdleTimeoutListener(timeout -> false);
      // Jetty reports a connection failure it notices outside a write (client reset, server stop)
      // here; closing the lease wakes a parked pump, which then ends.
      request.addFailureListener(pump::clientGone);
      pump.iterate();
      return true;
    }
  }

  /**
   * The readiness callbacks of a shard of the viewers, run by one pool task per round: a publication
   * (or the batch flush) wakes many viewers of a stream at once on the writer's thread, and a pool task
   * per viewer would cost a task and usually a parked thread's wake-up (a futex call) per viewer; here
   * it is one per shard. Each {@link StreamPump#iterate()} only polls and starts a non-blocking write.
   */
  private static final class PoolWakeups implements Runnable {

    private final Executor pool;
    private final Queue<StreamPump> due = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    PoolWakeups(Executor pool) {
      this.pool = pool;
    }

    /** Any thread (the stream's writer, the flush timer, a closing thread): queues a viewer's pump. */
    void add(StreamPump pump) {
      due.offer(pump);
      if (scheduled.compareAndSet(false, true)) {
        try {
          pool.execute(this);
        } catch (RejectedExecutionException stopped) {
          // The server is stopping: Jetty fails the open responses, whose callbacks release the leases.
          scheduled.set(false);
          LOG.debug("Jetty's pool stopped; not resuming stream {} of client {}", pump.stream.channelId(),
              pump.stream.lease().clientId());
        }
      }
    }

    @Override
    public void run() {
      // Cleared before draining: a pump queued after this point schedules the next round itself.
      scheduled.set(false);
      StreamPump pump;
      while ((pump = due.poll()) != null) {
        pump.iterate();
      }
    }
  }

  static void streamHeaders(Response response) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, StreamOutcome.CONTENT_TYPE);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
  }

  static void writeText(Response response, TextOutcome text, boolean head, Callback callback) {
    byte[] body = text.body().getBytes(StandardCharsets.UTF_8);
    response.setStatus(text.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, text.contentType());
    text.headers().forEach((name, value) -> response.getHeaders().put(name, value));
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    // Content-Length as for GET; Jetty would not send a HEAD body anyway, so none is written.
    response.write(true, head ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(body), callback);
  }

  /**
   * The write loop of one stream response. {@link IteratingCallback} serialises {@link #process()}, so
   * the reader has exactly one consumer at a time, and turns a write that completes synchronously into
   * iteration instead of recursion. Nothing is committed before the reader's first byte; a failure
   * before it is answered with its problem, a failure after it fails this callback, which makes Jetty
   * abort the response (the connection closes without the terminating chunk).
   */
  private static final class StreamPump extends IteratingCallback implements EdgeWatchdog.Watched {

    private final ProxyApp app;
    private final StreamOutcome stream;
    private final StreamReader reader;
    private final Request request;
    private final Response response;
    private final Callback jettyCallback;
    private final Set<StreamPump> open;
    private final EdgeWatchdog watchdog;
    /**
     * Jetty's buffer pool: a viewer holds a chunk only while its write is in flight, not for its whole
     * life (a per-viewer array of {@link #CHUNK} bytes would be 63 KB per viewer).
     */
    private final ByteBufferPool pool;
    /** The chunk of the write in flight; released when it completed (process runs again only then). */
    private RetainableByteBuffer inFlight;
    private final Runnable iterateLater;
    // process() only (serialised by IteratingCallback).
    private boolean committed;
    private boolean lastWritten;
    private EdgeWatchdog.Registration watched;
    private volatile boolean writing;
    private volatile long writes;

    StreamPump(ProxyApp app, StreamOutcome stream, Request request, Response response,
        Callback jettyCallback, PoolWakeups wakeups, Set<StreamPump> open, EdgeWatchdog watchdog) {
      this.app = app;
      this.stream = stream;
      this.reader = stream.reader();
      this.request = request;
      this.response = response;
      this.jettyCallback = jettyCallback;
      this.open = open;
      this.watchdog = watchdog;
      this.pool = request.getComponents().getByteBufferPool();
      // The readiness callback runs on the stream's writer thread: only hand over to Jetty's pool,
      // grouped with the other viewers woken in the same round.
      this.iterateLater = () -> wakeups.add(this);
    }

    @Override
    protected Action process() throws Exception {
      writing = false;
      releaseChunk();
      if (lastWritten) {
        return Action.SUCCEEDED;
      }
      // A direct buffer: the reader copies the ring's bytes into it once, and the socket writes from it
      // (a heap buffer would cost the JDK's channel a second copy into a temporary direct one).
      RetainableByteBuffer chunk = pool.acquire(CHUNK, true);
      ByteBuffer bytes = chunk.getByteBuffer();
      int n;
      try {
        bytes.clear().limit(CHUNK); // fill mode from 0 (the pool hands it out empty, in flush mode)
        n = reader.poll(bytes);
        if (n <= 0) {
          chunk.release();
        }
      } catch (RuntimeException failure) {
        chunk.release();
        if (!committed) {
          return answer(app.beforeData(stream, failure));
        }
        app.ended(stream, failure);
        throw failure;
      }
      if (n > 0) {
        if (!committed) {
          committed = true;
          streamHeaders(response);
          watched = watchdog.watch(this);
        }
        writing = true;
        inFlight = chunk;
        bytes.flip(); // flush mode: the n bytes just polled
        response.write(false, bytes, this);
        writes++;
        return Action.SCHEDULED;
      }
      if (n < 0) {
        if (!committed) {
          return answer(app.beforeData(stream, null));
        }
        app.left(stream, "the stream ended");
        throw new EOFException("The live stream of channel '" + stream.channelId() + "' ended");
      }
      // Nothing yet: park without a thread. If data arrived meanwhile the callback runs right away and
      // the iterate() it dispatches makes IteratingCallback process again.
      reader.onReadable(iterateLater);
      return Action.IDLE;
    }

    private Action answer(TextOutcome problem) {
      lastWritten = true;
      committed = true;
      writeText(response, problem, false, this);
      return Action.SCHEDULED;
    }

    private void releaseChunk() {
      if (inFlight != null) {
        inFlight.release();
        inFlight = null;
      }
    }

    @Override
    protected void onCompleteSuccess() {
      releaseChunk();
      open.remove(this);
      closeWatch();
      stream.lease().close(); // already closed by beforeData; a response never succeeds otherwise
      jettyCallback.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
      releaseChunk(); // the failed write is over: Jetty no longer reads the chunk
      open.remove(this);
      closeWatch();
      app.left(stream, cause.toString());
      jettyCallback.failed(cause);
    }

    private void closeWatch() {
      EdgeWatchdog.Registration registration = watched;
      if (registration != null) {
        registration.close();
      }
    }

    /** Called by Jetty from any thread when the connection failed outside a write. */
    void clientGone(Throwable failure) {
      app.left(stream, "connection failed: " + failure); // runs a pending readiness callback: the pump ends
    }

    @Override
    public boolean writePending() {
      return writing;
    }

    @Override
    public long writeProgress() {
      return writes;
    }

    @Override
    public ClientLease lease() {
      return stream.lease();
    }

    @Override
    public void abort(String why) {
      app.left(stream, why);
      request.getConnectionMetaData().getConnection().getEndPoint().close(new TimeoutException(why));
    }
  }
}
