package io.github.buffercore.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A local live upstream that counts its open connections, as an IPTV provider does. Serves
 * {@code GET /<node>/<channel>} with an endless MPEG-TS-shaped stream (7 packets of 188 bytes every
 * 20 ms) until the client goes away. A connection counts from its accept until a write to it fails.
 * {@link #maxOpenExcluding()} is the highest number of connections open at once, leaving out those of
 * a node the test has declared {@linkplain #frozen(String) frozen} (a stopped process, whose sockets
 * stay open in the kernel without anyone reading them).
 *
 * <p>Every packet's first payload byte (offset 4) is a mark: {@link #EARLY_MARK}, or {@link #LATE_MARK}
 * on what is sent to a frozen node. No other byte of the stream has either value, so a viewer of that
 * node that reads a late mark got a byte its node received while it was stopped.
 */
final class CountingUpstream implements AutoCloseable {

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "counting-upstream");
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, AtomicInteger> openByNode = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  /** The mark of a packet sent to a node that was not frozen. */
  static final byte EARLY_MARK = 'E';
  /** The mark of a packet sent to a node while it was frozen. */
  static final byte LATE_MARK = 'L';

  private volatile String frozen = "";
  private volatile boolean closed;

  CountingUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  String base() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /**
   * From now on, the connections of {@code node} are left out of the maximum, and the packets sent to
   * it carry {@link #LATE_MARK} ("" for no node).
   */
  void frozen(String node) {
    frozen = node;
  }

  int open() {
    return open.get();
  }

  int openOf(String node) {
    AtomicInteger count = openByNode.get(node);
    return count == null ? 0 : count.get();
  }

  /** The connections open now of every node but {@code node}, read in one consistent view. */
  synchronized int openExcept(String node) {
    return open.get() - openOf(node);
  }

  int maxOpenExcluding() {
    return maxOpen.get();
  }

  int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        threads.execute(() -> serve(socket));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket) {
    String node = "?";
    boolean counted = false;
    try (socket) {
      String path = readRequestPath(socket.getInputStream());
      String[] parts = path.split("/");
      node = parts.length > 1 ? parts[1] : "?";
      AtomicInteger mine = openByNode.computeIfAbsent(node, n -> new AtomicInteger());
      synchronized (this) { // one consistent view for the maximum
        mine.incrementAndGet();
        int now = open.incrementAndGet();
        counted = true;
        accepted.incrementAndGet();
        int excluding = now - openOf(frozen);
        maxOpen.accumulateAndGet(excluding, Math::max);
      }
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[7 * 188];
      for (int p = 0; p < 7; p++) {
        chunk[p * 188] = 0x47;
      }
      while (!closed) {
        byte mark = node.equals(frozen) ? LATE_MARK : EARLY_MARK;
        for (int p = 0; p < 7; p++) {
          chunk[p * 188 + 4] = mark;
        }
        out.write(chunk);
        out.flush();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a live stream's pace
      }
    } catch (IOException e) {
      // the client closed the connection (or died): it no longer counts
    } finally {
      if (counted) {
        synchronized (this) {
          openByNode.get(node).decrementAndGet();
          open.decrementAndGet();
        }
      }
    }
  }

  private static String readRequestPath(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      head.append((char) c);
      if (head.length() > 8192) {
        throw new IOException("request head too long");
      }
      if (c == '\n' && head.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    String requestLine = head.toString().split("\r\n", 2)[0];
    String[] words = requestLine.split(" ");
    if (words.length < 2) {
      throw new IOException("bad request line: " + requestLine);
    }
    return words[1];
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    threads.shutdownNow();
  }
}
