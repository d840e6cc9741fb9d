package io.github.buffercore;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP upstream on 127.0.0.1 for tests; counts requests per path. */
public final class TestUpstreamServer implements AutoCloseable {

  /** Handles one request; {@code n} is the 1-based number of requests to this path so far. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpExchange exchange, int n) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  /** Released on close so that stalled handlers end. */
  private final CountDownLatch release = new CountDownLatch(1);
  private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<String> log = new ArrayList<>();

  public TestUpstreamServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.start();
  }

  public void route(String path, Handler handler) {
    counts.put(path, new AtomicInteger());
    HttpHandler h = exchange -> {
      int n = counts.get(path).incrementAndGet();
      synchronized (log) {
        log.add(exchange.getRequestURI().getPath());
        log.notifyAll(); // wakes awaitRequests: the count above moved before this block
      }
      try {
        handler.handle(exchange, n);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // The client went away (e.g. the pump closed the connection): expected in these tests.
      } finally {
        exchange.close();
      }
    };
    server.createContext(path, h);
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  public int requests(String path) {
    AtomicInteger c = counts.get(path);
    return c == null ? 0 : c.get();
  }

  /**
   * The number of requests to {@code path} once it reaches {@code expected} or {@code guard} passes,
   * whichever comes first: the count moves on the server's threads, after the client has sent.
   */
  public int awaitRequests(String path, int expected, Duration guard) throws InterruptedException {
    long deadline = System.nanoTime() + guard.toNanos();
    synchronized (log) {
      long left;
      while (requests(path) < expected && (left = deadline - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(log, left);
      }
    }
    return requests(path);
  }

  public List<String> requestLog() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /** Blocks the handler thread until the server is closed. */
  public void stall() throws InterruptedException {
    release.await(60, TimeUnit.SECONDS);
  }

  public static void sendBytes(HttpExchange ex, byte[] body, boolean chunked) throws IOException {
    ex.sendResponseHeaders(200, chunked ? 0 : body.length);
    OutputStream out = ex.getResponseBody();
    out.write(body);
    out.flush();
  }

  @Override
  public void close() throws InterruptedException {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }
}
