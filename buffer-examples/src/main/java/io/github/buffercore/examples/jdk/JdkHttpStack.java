package io.github.buffercore.examples.jdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.buffercore.examples.HttpStack;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamOutcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The example on the JDK's built-in {@code com.sun.net.httpserver}: no dependency, one thread per
 * request, blocking reads with a timeout ({@link ProxyApp#copyBlocking}).
 */
public final class JdkHttpStack implements HttpStack {

  @Override
  public String name() {
    return "JDK HttpServer";
  }

  @Override
  public RunningServer start(ProxyApp app, InetSocketAddress address) throws IOException {
    HttpServer server = HttpServer.create(address, 64);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "jdk-http-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (exchange) {
        respond(app, exchange);
      }
    });
    server.start();
    return new RunningServer() {
      @Override
      public int port() {
        return server.getAddress().getPort();
      }

      @Override
      public void close() {
        server.stop(0);
        executor.shutdownNow(); // interrupts blocked reads; their leases close in copyBlocking
        try {
          executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  private static void respond(ProxyApp app, HttpExchange exchange) throws IOException {
    ProxyApp.Outcome outcome = app.handle(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath());
    if (outcome instanceof TextOutcome text) {
      byte[] body = text.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", text.contentType());
      text.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(text.status(), head ? -1 : body.length);
      if (!head) {
        exchange.getResponseBody().write(body);
      }
      return;
    }
    StreamOutcome stream = (StreamOutcome) outcome;
    try {
      exchange.getResponseHeaders().set("Content-Type", StreamOutcome.CONTENT_TYPE);
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(200, 0); // chunked: a live stream has no length
      OutputStream body = exchange.getResponseBody();
      app.copyBlocking(stream, body);
    } finally {
      stream.lease().close();
    }
  }
}
