package io.github.buffercore.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load benchmark's floor: the least any server must do for N viewers of one live channel, so that a
 * stack's time to first byte can be read against what this machine allows.
 *
 * <p>Per viewer it accepts the connection, reads the request until its blank line, and answers with one
 * gathering write of a fixed head and the last {@code --burst-bytes} of the channel (the join burst the
 * examples send, without keyframe alignment); then every 500 ms (the examples' wake batch) it writes
 * what the channel added since, straight from one shared direct byte ring: no HTTP codec, no routing,
 * no registry, no per-viewer buffer, no allocation per write, no chunked framing. One selector thread per
 * core, each accepting from the shared listening socket for itself (no hand-over between threads). The
 * upstream is read by one thread into the ring. It warms its own code before it answers {@code /status}
 * ({@code --warmup-joins}, default 4,000 loopback viewers), so its storm meets compiled
 * code.
 *
 * <p>A benchmark instrument, not a product: it drops a viewer the ring laps, answers every other path
 * with the channel, and keeps no statistics.
 *
 * <p>{@code java -cp benchmarks.jar io.github.buffercore.bench.load.FloorServer --port P [--burst-bytes B]
 * [--warmup-joins N] CHANNELS.m3u} (the first URL of the M3U is the channel).
 */
public final class FloorServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FloorServer.class);
  private static final long ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final byte[] STREAM_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\n"
      + "Cache-Control: no-cache\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STATUS_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
      + "Content-Length: 3\r\nConnection: close\r\n\r\nok\n").getBytes(StandardCharsets.US_ASCII);

  /** The channel's bytes. */
  private final FloorRing ring;
  private volatile boolean closed;
  private final int burstBytes;
  /** The warm-up's private listening socket; every loop accepts from it until it closes. */
  private final ServerSocketChannel warmListener;
  /**
   * The real listening socket, null until the warm-up is over; each loop registers it on its own thread
   * (a registration from another thread would block while the selector selects).
   */
  private volatile ServerSocketChannel listener;
  // Filled once by the starting thread; copy-on-write so that close() from a shutdown hook sees them.
  private final List<Thread> loops = new CopyOnWriteArrayList<>();
  private final List<Selector> selectors = new CopyOnWriteArrayList<>();

  private FloorServer(URI upstream, int burstBytes) throws IOException {
    this.ring = new FloorRing(upstream);
    this.burstBytes = burstBytes;
    this.warmListener = ServerSocketChannel.open();
    warmListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
    warmListener.configureBlocking(false);
  }

  /**
   * Starts a floor server: its loops and upstream reader, then its warm-up, then the listening socket.
   *
   * @param port the port on 127.0.0.1, 0 for any free one
   * @param upstream the channel's URL
   * @param burstBytes the join burst, 0 .. half the ring
   * @param warmupJoins loopback viewers that join and leave before it listens; 0 for none
   * @return the listening server; {@link #close()} stops it
   * @throws IOException if the port cannot be bound
   */
  public static FloorServer start(int port, URI upstream, int burstBytes, int warmupJoins) throws IOException {
    if (burstBytes < 0 || burstBytes > FloorRing.BYTES / 2 || warmupJoins < 0 || port < 0 || port > 65_535) {
      throw new IllegalArgumentException("burst 0.." + FloorRing.BYTES / 2 + ", warm-up joins >= 0 and port 0..65535"
          + " expected: " + burstBytes + ", " + warmupJoins + ", " + port);
    }
    FloorServer floor = new FloorServer(upstream, burstBytes);
    try {
      floor.startThreads();
      // Warm on the private port first, then open the real one: the benchmark waits for /status.
      floor.warmUp((InetSocketAddress) floor.warmListener.getLocalAddress(), warmupJoins);
      floor.warmListener.close();
      ServerSocketChannel real = ServerSocketChannel.open();
      real.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
      real.configureBlocking(false);
      floor.listener = real;
      floor.selectors.forEach(Selector::wakeup);
    } catch (IOException | RuntimeException e) {
      floor.close();
      throw e;
    }
    LOG.info("Floor server on port {}: channel {}, join burst {} bytes, warmed by {} joins", floor.port(),
        upstream, burstBytes, warmupJoins);
    return floor;
  }

  /**
   * Runs the floor server until the process is stopped.
   *
   * @param args {@code --port P [--burst-bytes B] [--warmup-joins N] CHANNELS.m3u}
   * @throws Exception if the port cannot be bound or the M3U read
   */
  public static void main(String[] args) throws Exception {
    int port = -1;
    int burst = 20_000;
    int warmupJoins = 4_000;
    Path channels = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--burst-bytes" -> burst = Integer.parseInt(args[++i]);
        case "--warmup-joins" -> warmupJoins = Integer.parseInt(args[++i]);
        case "--tuners" -> i++; // accepted for the examples' command line; one channel, one upstream
        default -> channels = Path.of(args[i]);
      }
    }
    if (port < 0 || channels == null) {
      System.err.println("usage: FloorServer --port P [--burst-bytes 0.." + FloorRing.BYTES / 2
          + "] [--warmup-joins N] CHANNELS.m3u");
      System.exit(2);
      return;
    }
    Path m3u = channels;
    URI upstream = Files.readAllLines(m3u).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().map(URI::create)
        .orElseThrow(() -> new IllegalArgumentException(m3u + " names no channel URL"));
    FloorServer floor = start(port, upstream, burst, warmupJoins);
    Runtime.getRuntime().addShutdownHook(new Thread(floor::close, "floor-stop"));
  }

  /** The port it listens on. */
  public int port() {
    try {
      return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Stops the loops and the upstream reader and closes every socket; waits up to 5 s for each thread. */
  @Override
  public void close() {
    closed = true;
    selectors.forEach(Selector::wakeup);
    ring.close();
    for (Thread thread : loops) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (ServerSocketChannel channel : new ServerSocketChannel[] {warmListener, listener}) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          LOG.debug("Closing a floor listener failed", e);
        }
      }
    }
  }

  /** Starts the upstream reader and one loop per core; called once, before anything else sees them. */
  private void startThreads() throws IOException {
    ring.start();
    int cores = Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < cores; i++) {
      Selector selector = Selector.open();
      selectors.add(selector);
      // Registered here, before the loop runs: a registration blocks while its selector selects.
      warmListener.register(selector, SelectionKey.OP_ACCEPT);
      loops.add(new Thread(() -> serve(selector), "floor-loop-" + i));
    }
    loops.forEach(Thread::start);
  }

  /** One viewer's state, owned by its selector thread. */
  private static final class Viewer {
    /** CR LF CR LF matched so far across reads, 0..4. */
    int blankLine;
    /** The ring position of the next byte to send; -1 until the head left. */
    long next = -1;
    boolean status;
  }

  private void serve(Selector selector) {
    ByteBuffer in = ByteBuffer.allocateDirect(4096);
    ByteBuffer head = ByteBuffer.allocateDirect(STREAM_HEAD.length).put(STREAM_HEAD).flip();
    ByteBuffer statusHead = ByteBuffer.allocateDirect(STATUS_HEAD.length).put(STATUS_HEAD).flip();
    ByteBuffer[] parts = {head, ring.view(), ring.view()};
    boolean listening = false;
    try (selector) {
      long nextRound = System.nanoTime() + ROUND_NANOS;
      while (!closed) {
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextRound - System.nanoTime())));
        ServerSocketChannel real = listener;
        if (!listening && real != null) {
          real.register(selector, SelectionKey.OP_ACCEPT);
          listening = true;
        }
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            accept(key, selector);
          } else if (key.isReadable()) {
            read(key, in, parts, statusHead);
          }
        }
        if (System.nanoTime() - nextRound >= 0) {
          nextRound = System.nanoTime() + ROUND_NANOS;
          long end = ring.written();
          for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof Viewer viewer && viewer.next >= 0) {
              head.position(head.limit());
              send(key, viewer, parts, end);
            }
          }
        }
      }
      for (SelectionKey key : selector.keys()) {
        if (key.channel() instanceof SocketChannel) {
          close(key);
        }
      }
    } catch (IOException e) {
      LOG.error("Floor loop {} failed", Thread.currentThread().getName(), e);
    }
  }

  private static void accept(SelectionKey key, Selector selector) throws IOException {
    ServerSocketChannel server = (ServerSocketChannel) key.channel();
    for (int i = 0; i < 64; i++) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (java.nio.channels.ClosedChannelException warmUpOver) {
        key.cancel(); // the warm-up's listener, closed by the starting thread
        return;
      }
      if (channel == null) {
        return;
      }
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.register(selector, SelectionKey.OP_READ, new Viewer());
    }
  }

  private void read(SelectionKey key, ByteBuffer in, ByteBuffer[] parts, ByteBuffer statusHead) {
    Viewer viewer = (Viewer) key.attachment();
    SocketChannel channel = (SocketChannel) key.channel();
    try {
      in.clear();
      int n = channel.read(in);
      if (n < 0) {
        close(key);
        return;
      }
      if (viewer.next >= 0) {
        return; // a viewer sends nothing after its request
      }
      if (viewer.blankLine == 0 && n >= 11 && in.get(4) == '/' && in.get(5) == 's' && in.get(6) == 't'
          && in.get(7) == 'a') {
        viewer.status = true;
      }
      for (int i = 0; i < n && viewer.blankLine < 4; i++) {
        byte b = in.get(i);
        boolean expected = b == ((viewer.blankLine & 1) == 0 ? '\r' : '\n');
        viewer.blankLine = expected ? viewer.blankLine + 1 : (b == '\r' ? 1 : 0);
      }
      if (viewer.blankLine < 4) {
        return;
      }
      if (viewer.status) {
        statusHead.clear();
        channel.write(statusHead);
        close(key);
        return;
      }
      long end = ring.written();
      viewer.next = Math.max(0, end - burstBytes);
      parts[0].clear();
      send(key, viewer, parts, end);
    } catch (IOException e) {
      // Usually the benchmark's reset at the end of a run: one line per viewer only when asked for.
      LOG.debug("Floor viewer {} failed: {}", channel, e.toString());
      close(key);
    }
  }

  /** Writes the viewer's bytes up to {@code end} (after the head, if {@code parts[0]} has any left). */
  private static void send(SelectionKey key, Viewer viewer, ByteBuffer[] parts, long end) {
    if (!FloorRing.slice(parts[1], parts[2], viewer.next, end)) {
      close(key); // lapped
      return;
    }
    try {
      long headLeft = parts[0].remaining();
      long n = ((SocketChannel) key.channel()).write(parts);
      // A head cut short is not resumed: the floor's viewers read the whole head or the run shows it.
      viewer.next += Math.max(0, n - headLeft);
    } catch (IOException e) {
      LOG.debug("Floor viewer {} failed on write: {}", key.channel(), e.toString());
      close(key);
    }
  }

  private static void close(SelectionKey key) {
    key.cancel();
    try {
      key.channel().close();
    } catch (IOException e) {
      LOG.debug("Closing a floor viewer failed", e);
    }
  }

  /** Rounds of 500 loopback viewers that read their head and join burst and leave. */
  private void warmUp(InetSocketAddress address, int joins) throws IOException {
    byte[] request = "GET /stream/warm HTTP/1.1\r\nHost: floor\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
    for (int done = 0; done < joins; ) {
      int round = Math.min(500, joins - done);
      List<SocketChannel> viewers = new ArrayList<>(round);
      try {
        for (int i = 0; i < round; i++) {
          SocketChannel channel = SocketChannel.open(address);
          channel.write(ByteBuffer.wrap(request));
          viewers.add(channel);
        }
        for (SocketChannel channel : viewers) {
          sink.clear();
          channel.read(sink);
        }
      } finally {
        for (SocketChannel channel : viewers) {
          channel.setOption(StandardSocketOptions.SO_LINGER, 0);
          channel.close();
        }
      }
      done += round;
    }
  }
}
