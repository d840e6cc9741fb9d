package io.github.buffercore.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP/1.1 upstream on a raw server socket that a test can fail on demand: serve a paced live
 * MPEG-TS-shaped stream, answer an error status, hang before the first byte (with or without response
 * headers), or die mid-stream (every open connection of a path reset at once). A path with no
 * behaviour answers 404; {@link #refusedUri()} names a port where nothing listens.
 */
final class FailableUpstream implements AutoCloseable {

  /** What a path does with the next request. */
  sealed interface Behaviour permits Live, Status, HangAfterHeaders, HangBeforeHeaders { }

  /**
   * Answers 200 and sends {@code packetsPerTick} 188-byte packets every {@code tickMillis}.
   *
   * @param packetsPerTick packets per tick
   * @param tickMillis pacing of the simulated live source
   */
  record Live(int packetsPerTick, int tickMillis) implements Behaviour { }

  /** Answers this status with an empty body. */
  record Status(int status) implements Behaviour { }

  /** Sends 200 and headers, then nothing. */
  record HangAfterHeaders() implements Behaviour { }

  /** Accepts the connection and reads the request, then sends nothing at all. */
  record HangBeforeHeaders() implements Behaviour { }

  static final int PACKET = 188;

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "failable-upstream");
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final Map<String, Set<Socket>> open = new ConcurrentHashMap<>();
  private final AtomicInteger openResponses = new AtomicInteger();
  private volatile boolean closed;

  FailableUpstream() throws IOException {
    server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  /** Sets what {@code path} does from its next request on. */
  void set(String path, Behaviour behaviour) {
    behaviours.put(path, behaviour);
  }

  /** The URL of {@code path}. */
  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
  }

  /** A URL where nothing listens: connecting is refused. */
  static URI refusedUri() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    return URI.create("http://127.0.0.1:" + port + "/refused");
  }

  /** Requests received for {@code path}. */
  int requests(String path) {
    AtomicInteger count = requests.get(path);
    return count == null ? 0 : count.get();
  }

  /** Responses still being sent, over all paths. */
  int openResponses() {
    return openResponses.get();
  }

  /**
   * The upstream dies mid-stream: from now on {@code path} answers {@code thenStatus}, and every open
   * connection of it is reset (RST, no clean end).
   */
  void kill(String path, int thenStatus) {
    behaviours.put(path, new Status(thenStatus));
    for (Socket socket : open.getOrDefault(path, Set.of())) {
      reset(socket);
    }
  }

  /** The connection drops: every open connection of {@code path} is reset; its behaviour stays. */
  void drop(String path) {
    for (Socket socket : open.getOrDefault(path, Set.of())) {
      reset(socket);
    }
  }

  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        threads.execute(() -> serve(socket));
      } catch (IOException e) {
        if (!closed) {
          throw new IllegalStateException("FailableUpstream accept failed", e);
        }
      }
    }
  }

  private void serve(Socket socket) {
    String path = null;
    try (socket) {
      path = readRequestPath(socket.getInputStream());
      if (path == null) {
        return;
      }
      requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      open.computeIfAbsent(path, p -> ConcurrentHashMap.newKeySet()).add(socket);
      Behaviour behaviour = behaviours.get(path);
      OutputStream out = socket.getOutputStream();
      if (behaviour == null) {
        out.write(head(404, true));
      } else if (behaviour instanceof Status status) {
        out.write(head(status.status(), true));
      } else if (behaviour instanceof HangBeforeHeaders) {
        waitUntilClosed(socket);
      } else if (behaviour instanceof HangAfterHeaders) {
        out.write(head(200, false));
        out.flush();
        waitUntilClosed(socket);
      } else if (behaviour instanceof Live live) {
        openResponses.incrementAndGet();
        try {
          out.write(head(200, false));
          byte[] tick = new byte[live.packetsPerTick() * PACKET];
          for (long packet = 0; !closed; ) {
            for (int p = 0; p < live.packetsPerTick(); p++, packet++) {
              fill(tick, p * PACKET, packet);
            }
            out.write(tick);
            out.flush();
            Thread.sleep(live.tickMillis()); // pacing of the simulated live source, not a race fix
          }
        } finally {
          openResponses.decrementAndGet();
        }
      }
      out.flush();
    } catch (IOException | InterruptedException gone) {
      // The proxy closed the connection, or kill() reset it: both are what the test asked for.
    } finally {
      if (path != null) {
        open.getOrDefault(path, Set.of()).remove(socket);
      }
    }
  }

  /** A TS-shaped packet: sync byte 0x47, then a pattern of its number. */
  static void fill(byte[] into, int offset, long packet) {
    into[offset] = 0x47;
    for (int j = 1; j < PACKET; j++) {
      into[offset + j] = (byte) (packet * 31 + j);
    }
  }

  private static void waitUntilClosed(Socket socket) throws IOException {
    // Blocks until the proxy gives up and closes its end (read returns -1 or fails).
    while (socket.getInputStream().read() >= 0) {
      // discard
    }
  }

  private static byte[] head(int status, boolean empty) {
    String head = "HTTP/1.1 " + status + " Status\r\n"
        + (empty ? "Content-Length: 0\r\n" : "Content-Type: video/mp2t\r\n")
        + "Connection: close\r\n\r\n";
    return head.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Reads a request head; returns its path, or {@code null} if the connection ended first. */
  private static String readRequestPath(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      head.append((char) b);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        String requestLine = head.substring(0, head.indexOf("\r\n"));
        String[] parts = requestLine.split(" ");
        return parts.length >= 2 ? parts[1] : null;
      }
      if (head.length() > 16_384) {
        return null;
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    open.values().forEach(sockets -> sockets.forEach(FailableUpstream::reset));
    threads.shutdownNow();
  }

  static boolean isReset(IOException e) {
    return e instanceof SocketException;
  }
}
