package io.github.buffercore.examples.jetty;

import io.github.buffercore.examples.EdgeLimits;
import io.github.buffercore.examples.EdgeWatchdog;
import io.github.buffercore.examples.HttpStack;
import io.github.buffercore.examples.Problems;
import io.github.buffercore.examples.ProxyApp;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
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
}
