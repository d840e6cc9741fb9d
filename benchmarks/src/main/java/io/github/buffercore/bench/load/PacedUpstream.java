package io.github.buffercore.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local live MPEG-TS source: an HTTP/1.0 server on 127.0.0.1 that answers any GET with the clip
 * played in a loop at its own bitrate, in 20 ms slices of whole packets, from the moment the request
 * arrives (no burst: like a provider's live channel). Counts the connections it accepted, so a run can
 * report how many upstream connections the server under test opened.
 */
public final class PacedUpstream implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PacedUpstream.class);
  private static final long SLICE_NANOS = 20_000_000L;

  private final TsClip clip;
  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private volatile boolean closed;

  /**
   * Starts serving.
   *
   * @param clip what to serve
   * @throws IOException if no port can be bound
   */
  public PacedUpstream(TsClip clip) throws IOException {
    this(clip, 0);
  }

  /**
   * Starts serving on a given port.
   *
   * @param clip what to serve
   * @param port the port on 127.0.0.1, 0 for any free one
   * @throws IOException if the port cannot be bound
   */
  public PacedUpstream(TsClip clip, int port) throws IOException {
    this.clip = clip;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    this.acceptor = new Thread(this::acceptLoop, "upstream-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Serves a clip until the process is stopped, for trying a server by hand:
   * {@code java -cp benchmarks/target/benchmarks.jar io.github.buffercore.bench.load.PacedUpstream CLIP.ts [PORT]}.
   *
   * @param args the clip and an optional port
   * @throws Exception if the clip cannot be read or the port bound
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: PacedUpstream CLIP.ts [PORT]");
      System.exit(2);
      return;
    }
    TsClip clip = TsClip.load(java.nio.file.Path.of(args[0]));
    PacedUpstream upstream = new PacedUpstream(clip, args.length == 2 ? Integer.parseInt(args[1]) : 0);
    System.out.printf(java.util.Locale.ROOT, "Playing %s at %.0f kbit/s on %s%n", clip.name(),
        clip.bytesPerSecond() * 8 / 1000, upstream.url());
    new java.util.concurrent.CountDownLatch(1).await();
  }

  /** The URL of the live channel. */
  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/live.ts";
  }

  /** Connections accepted since start. */
  public int accepted() {
    return accepted.get();
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }

  /** The most connections open at once since the last {@link #resetMaxOpen()}. */
  public int maxOpen() {
    return maxOpen.get();
  }

  /** Starts a new {@link #maxOpen()} window at the current count. */
  public void resetMaxOpen() {
    maxOpen.set(open.get());
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        accepted.incrementAndGet();
        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        Thread serving = new Thread(() -> serve(socket), "upstream-" + socket.getPort());
        serving.setDaemon(true);
        serving.start();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("Upstream {} stopped accepting", url(), e);
        }
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      socket.setTcpNoDelay(true);
      if (!readRequestHead(in)) {
        return;
      }
      out.write(("HTTP/1.0 200 OK\r\nContent-Type: video/mp2t\r\nCache-Control: no-cache\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] bytes = clip.bytes();
      long start = System.nanoTime();
      long sent = 0;
      int position = 0;
      while (!closed) {
        long due = (long) ((System.nanoTime() - start + SLICE_NANOS) / 1e9 * clip.bytesPerSecond());
        long owed = (due - sent) / TsClip.PACKET * TsClip.PACKET;
        while (owed > 0) {
          int n = (int) Math.min(owed, bytes.length - position);
          out.write(bytes, position, n);
          position = (position + n) % bytes.length;
          sent += n;
          owed -= n;
        }
        out.flush();
        LockSupport.parkNanos(SLICE_NANOS);
      }
    } catch (SocketException gone) {
      LOG.debug("Upstream viewer {} left: {}", socket.getRemoteSocketAddress(), gone.toString());
    } catch (IOException e) {
      LOG.debug("Upstream viewer {} failed", socket.getRemoteSocketAddress(), e);
    } finally {
      open.decrementAndGet();
    }
  }

  /** Reads up to the blank line that ends a request head; false on EOF or an oversized head. */
  private static boolean readRequestHead(InputStream in) throws IOException {
    int last = 0;
    for (int total = 0; total < 16_384; total++) {
      int b = in.read();
      if (b < 0) {
        return false;
      }
      last = (last << 8) | b;
      if (last == 0x0d0a0d0a || (last & 0xffff) == 0x0a0a) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
  }
}
