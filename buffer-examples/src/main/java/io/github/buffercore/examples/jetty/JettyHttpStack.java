package io.github.buffercore.examples.jetty;

import io.github.buffercore.ClientLease;
import io.github.buffercore.StreamReader;
import io.github.buffercore.examples.HttpStack;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamOutcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
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
 */
public final class JettyHttpStack implements HttpStack {

  private static final Logger LOG = LoggerFactory.getLogger(JettyHttpStack.class);

  /** Bytes copied per write: whole 1316-byte (7 TS packets) datagrams, about 62 KB. */
  static final int CHUNK = 48 * 1316;

  @Override
  public String name() {
    return "Jetty 12 (core, non-blocking)";
  }

  @Override
  public RunningServer start(ProxyApp app, InetSocketAddress address) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("jetty-http");
    threads.setDaemon(true);
    Server server = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    // On stop, idle keep-alive connections are closed after this timeout (Jetty's default: 1 s);
    // nothing useful can arrive on them once the server stops.
    connector.setShutdownIdleTimeout(100);
    server.addConnector(connector);
    Set<ClientLease> open = ConcurrentHashMap.newKeySet();
    server.setHandler(new ProxyHandler(app, threads, open));
    server.setStopTimeout(2_000);
    try {
      server.start();
    } catch (Exception e) {
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
        // End the stream responses first: a live response never completes by itself, so a graceful
        // stop would wait for it until the stop timeout. Closing a lease wakes its parked pump, which
        // then fails its response (the client sees it cut short).
        open.forEach(ClientLease::close);
        try {
          server.stop(); // text responses in flight may finish (bounded by the stop timeout)
        } catch (Exception e) {
          LOG.warn("Jetty did not stop cleanly", e);
        }
        // A stream that started while stopping.
        open.forEach(ClientLease::close);
      }
    };
  }

  /** Routes every request through the {@link ProxyApp}. */
  private static final class ProxyHandler extends Handler.Abstract {
    // Not Handler.Abstract.NonBlocking: acquiring a lease may create a playlist, which is not
    // guaranteed to be cheap enough for a selector thread. The streaming itself never blocks.

    private final ProxyApp app;
    private final Executor executor;
    private final Set<ClientLease> open;

    ProxyHandler(ProxyApp app, Executor executor, Set<ClientLease> open) {
      this.app = app;
      this.executor = executor;
      this.open = open;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      boolean head = request.getMethod().equals("HEAD");
      ProxyApp.Outcome outcome = app.handle(request.getMethod(), request.getHttpURI().getPath());
      if (outcome instanceof TextOutcome text) {
        byte[] body = text.body().getBytes(StandardCharsets.UTF_8);
        response.setStatus(text.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, text.contentType());
        text.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        // Content-Length as for GET; Jetty would not send a HEAD body anyway, so none is written.
        response.write(true, head ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(body), callback);
        return true;
      }
      StreamOutcome stream = (StreamOutcome) outcome;
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, StreamOutcome.CONTENT_TYPE);
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      if (head) {
        // A live stream never ends, so HEAD answers with the headers only and gives the lease back.
        stream.lease().close();
        // Committing before the last write keeps the GET headers (chunked, no Content-Length: 0);
        // Jetty sends no body, not even the last chunk, for HEAD.
        response.write(false, BufferUtil.EMPTY_BUFFER, Callback.from(
            () -> response.write(true, BufferUtil.EMPTY_BUFFER, callback), callback::failed));
        return true;
      }
      StreamPump pump = new StreamPump(app, stream, response, callback, executor, open);
      open.add(stream.lease());
      // Jetty reports a connection failure it notices outside a write (idle timeout, server stop) here;
      // closing the lease wakes a parked pump, which then ends.
      request.addFailureListener(failure -> pump.clientGone(failure));
      pump.iterate();
      return true;
    }
  }

  /**
   * The write loop of one stream response. {@link IteratingCallback} serialises {@link #process()}, so
   * the reader has exactly one consumer at a time, and turns a write that completes synchronously into
   * iteration instead of recursion.
   */
  private static final class StreamPump extends IteratingCallback {

    private final ProxyApp app;
    private final StreamOutcome stream;
    private final StreamReader reader;
    private final ClientLease lease;
    private final Response response;
    private final Callback jettyCallback;
    private final Executor executor;
    private final Set<ClientLease> open;
    /** Reused only after the write that wrapped it completed (process runs again only then). */
    private final byte[] copy = new byte[CHUNK];
    private final Runnable iterateLater;
    private boolean lastWritten;
    /** Set when the reader failed; its failure was already logged and the lease closed by the app. */
    private volatile boolean readerFailed;

    StreamPump(ProxyApp app, StreamOutcome stream, Response response, Callback jettyCallback,
        Executor executor, Set<ClientLease> open) {
      this.app = app;
      this.stream = stream;
      this.reader = stream.reader();
      this.lease = stream.lease();
      this.response = response;
      this.jettyCallback = jettyCallback;
      this.executor = executor;
      this.open = open;
      // The readiness callback runs on the stream's writer thread: only hand over to Jetty's pool.
      this.iterateLater = () -> executor.execute(this::iterate);
    }

    @Override
    protected Action process() {
      if (lastWritten) {
        return Action.SUCCEEDED;
      }
      int n;
      try {
        n = reader.poll(copy, 0, copy.length);
      } catch (RuntimeException failure) {
        readerFailed = true;
        app.ended(stream, failure);
        throw failure; // fails this callback: Jetty aborts the response, so the client sees it end
      }
      if (n > 0) {
        response.write(false, ByteBuffer.wrap(copy, 0, n), this);
        return Action.SCHEDULED;
      }
      if (n < 0) {
        lastWritten = true;
        response.write(true, BufferUtil.EMPTY_BUFFER, this);
        return Action.SCHEDULED;
      }
      // Nothing yet: park without a thread. If data arrived meanwhile the callback runs right away and
      // the iterate() it dispatches makes IteratingCallback process again.
      reader.onReadable(iterateLater);
      return Action.IDLE;
    }

    @Override
    protected void onCompleteSuccess() {
      open.remove(lease);
      LOG.info("Stream {} of playlist {} ended for client {}", stream.channelId(), lease.playlistId(),
          lease.clientId());
      lease.close();
      jettyCallback.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
      open.remove(lease);
      if (!readerFailed) {
        LOG.info("Client {} of stream {} in playlist {} disconnected: {}", lease.clientId(),
            stream.channelId(), lease.playlistId(), cause.toString());
        lease.close();
      }
      jettyCallback.failed(cause);
    }

    /** Called by Jetty from any thread when the connection failed outside a write. */
    void clientGone(Throwable failure) {
      if (lease.isOpen()) {
        LOG.info("Connection of client {} of stream {} in playlist {} failed: {}", lease.clientId(),
            stream.channelId(), lease.playlistId(), failure.toString());
        lease.close(); // runs a pending readiness callback, so the pump wakes up and ends
      }
    }
  }
}
