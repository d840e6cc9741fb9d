package io.github.buffercore.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N HTTP viewers of one URL from one JVM: non-blocking sockets spread over a few selector threads,
 * all connecting at once, each sending one {@code GET} and then reading (and discarding) the body for
 * as long as the run lasts. Per viewer it records when it started connecting, when the response head
 * was complete, when the first body byte came, the status, the body bytes (also at a mid-run
 * {@linkplain #mark() mark}), the longest gap between two reads after the first byte, and the first
 * error. Nothing is allocated per read: each thread reads into one direct buffer.
 *
 * <p>Thread rule: a {@link Viewer}'s fields are written only by the selector thread that owns it; other
 * threads read them only after {@link #stop()} has joined every selector thread.
 */
public final class ViewerClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ViewerClient.class);
  private static final int MAX_HEAD = 16_384;
  /** Connects issued between two looks at the ones that completed. */
  private static final int CONNECT_BATCH = 32;

  /** One viewer's record; times are {@link System#nanoTime()} values, 0 when it never happened. */
  public static final class Viewer {
    final int id;
    SocketChannel channel;
    long start;
    long requestSent;
    long headers;
    long firstByte;
    long lastRead;
    long maxGap;
    long body;
    long bodyAtMark = -1;
    int status;
    boolean chunked;
    String error;
    private byte[] head = new byte[512];
    private int headLength;

    Viewer(int id) {
      this.id = id;
    }

    /** Whether the response head came, with status 200, the body started, and nothing failed. */
    public boolean served() {
      return error == null && status == 200 && firstByte != 0;
    }

    /** The first error, or null. */
    public String error() {
      return error;
    }

    /** Nanoseconds from starting to connect to a complete response head; -1 if it never came. */
    public long timeToHeaders() {
      return headers == 0 ? -1 : headers - start;
    }

    /**
     * Nanoseconds from starting to connect to the request written to the socket; -1 if never. The
     * client's own share of the time to headers: connect, and the selector thread getting round to it.
     */
    public long timeToRequest() {
      return requestSent == 0 ? -1 : requestSent - start;
    }

    /** Nanoseconds from the request written to the response head read; -1 if either never happened. */
    public long requestToHeaders() {
      return requestSent == 0 || headers == 0 ? -1 : headers - requestSent;
    }

    /** Nanoseconds from starting to connect to the first body byte; -1 if it never came. */
    public long timeToFirstByte() {
      return firstByte == 0 ? -1 : firstByte - start;
    }

    /** Body bytes received (chunked framing included, if the server chose it). */
    public long body() {
      return body;
    }

    /** Body bytes at the mid-run mark; -1 if the mark was not taken. */
    public long bodyAtMark() {
      return bodyAtMark;
    }

    /** When this viewer started to connect ({@link System#nanoTime()}), 0 if it never did. */
    public long connectStarted() {
      return start;
    }

    /** When the first body byte came ({@link System#nanoTime()}), 0 if never. */
    public long firstByte() {
      return firstByte;
    }

    /** The longest gap between two reads after the first byte, in nanoseconds. */
    public long maxGap() {
      return maxGap;
    }

    /** The HTTP status, 0 if no head came. */
    public int status() {
      return status;
    }

    /** Whether the body was chunked. */
    public boolean chunked() {
      return chunked;
    }

    /** Records the first error; true if this settled the viewer (it had no first byte and no error). */
    boolean fail(String why) {
      if (error == null) {
        error = why;
        return firstByte == 0;
      }
      return false;
    }
  }

  private final InetSocketAddress server;
  private final byte[] request;
  private final List<Viewer> viewers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final CountDownLatch connectsIssued;
  private final CountDownLatch settled;
  private volatile boolean stopping;
  private volatile long markRequested;
  private volatile long stoppedAt;

  /**
   * Creates (does not start) the viewers.
   *
   * @param server where to connect
   * @param path the request path, e.g. {@code /stream/load}
   * @param count how many viewers
   * @param threadCount how many selector threads
   */
  public ViewerClient(InetSocketAddress server, String path, int count, int threadCount) {
    if (count < 1 || threadCount < 1) {
      throw new IllegalArgumentException("viewers (" + count + ") and threads (" + threadCount + ") must be >= 1");
    }
    this.server = server;
    this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + server.getHostString() + ":" + server.getPort()
        + "\r\nUser-Agent: buffer-core-load/1\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < count; i++) {
      viewers.add(new Viewer(i));
    }
    this.connectsIssued = new CountDownLatch(threadCount);
    this.settled = new CountDownLatch(count);
    for (int t = 0; t < threadCount; t++) {
      List<Viewer> share = new ArrayList<>();
      for (int i = t; i < count; i += threadCount) {
        share.add(viewers.get(i));
      }
      Thread thread = new Thread(() -> run(share), "viewers-" + t);
      thread.setDaemon(true);
      threads.add(thread);
    }
  }

  /** Every viewer starts connecting now; returns once every connect has been issued. */
  public void start() throws InterruptedException {
    threads.forEach(Thread::start);
    connectsIssued.await();
  }

  /**
   * Waits until every viewer has received its first body byte or failed.
   *
   * @param timeout the longest wait
   * @return whether every viewer settled in time
   * @throws InterruptedException if interrupted
   */
  public boolean awaitSettled(java.time.Duration timeout) throws InterruptedException {
    return settled.await(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** Each thread records every viewer's body bytes at its next loop (within ~50 ms). */
  public void mark() {
    markRequested = System.nanoTime();
  }

  /**
   * Stops reading, resets every connection, joins the threads.
   *
   * @return when reading stopped ({@link System#nanoTime()})
   */
  public long stop() throws InterruptedException {
    stoppedAt = System.nanoTime();
    stopping = true;
    for (Thread thread : threads) {
      thread.join(30_000);
      if (thread.isAlive()) {
        throw new IllegalStateException("Viewer thread " + thread.getName() + " did not stop within 30 s");
      }
    }
    return stoppedAt;
  }

  /** The viewers; read only after {@link #stop()}. */
  public List<Viewer> viewers() {
    return viewers;
  }

  /** Stops the viewers if {@link #stop()} has not; safe to call after it. */
  @Override
  public void close() throws InterruptedException {
    if (!stopping) {
      stop();
    }
  }

  private void run(List<Viewer> share) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
    ByteBuffer requestBuffer = ByteBuffer.wrap(request);
    long marked = 0;
    try (Selector selector = Selector.open()) {
      int issued = 0;
      for (Viewer viewer : share) {
        if (++issued % CONNECT_BATCH == 0) {
          // Serve the connections already made before issuing more: a viewer's request goes out when
          // its connection is up, not after this thread has issued every other viewer's connect.
          selector.selectNow();
          handleReady(selector, buffer, requestBuffer);
        }
        viewer.start = System.nanoTime();
        try {
          SocketChannel channel = SocketChannel.open();
          viewer.channel = channel;
          channel.configureBlocking(false);
          if (channel.connect(server)) {
            sendRequest(viewer, requestBuffer);
            channel.register(selector, SelectionKey.OP_READ, viewer);
          } else {
            channel.register(selector, SelectionKey.OP_CONNECT, viewer);
          }
        } catch (IOException | RuntimeException e) {
          failed(viewer, "connect: " + e);
          closeQuietly(viewer);
        }
      }
      connectsIssued.countDown();
      while (!stopping) {
        selector.select(50);
        long mark = markRequested;
        if (mark != marked) {
          marked = mark;
          for (Viewer viewer : share) {
            viewer.bodyAtMark = viewer.body;
          }
        }
        handleReady(selector, buffer, requestBuffer);
      }
    } catch (IOException e) {
      LOG.error("Viewer selector thread {} failed", Thread.currentThread().getName(), e);
      for (Viewer viewer : share) {
        failed(viewer, "client selector failed: " + e);
      }
    } finally {
      for (Viewer viewer : share) {
        closeQuietly(viewer);
      }
      if (connectsIssued.getCount() > 0) {
        connectsIssued.countDown();
      }
    }
  }

  /** Handles the selected keys: finishes connects (and sends the request), reads. */
  private void handleReady(Selector selector, ByteBuffer buffer, ByteBuffer requestBuffer) {
    for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
      SelectionKey key = it.next();
      it.remove();
      Viewer viewer = (Viewer) key.attachment();
      try {
        if (key.isConnectable()) {
          viewer.channel.finishConnect();
          sendRequest(viewer, requestBuffer);
          key.interestOps(SelectionKey.OP_READ);
        } else if (key.isReadable()) {
          read(viewer, buffer, key);
        }
      } catch (IOException | RuntimeException e) {
        failed(viewer, describe(e, viewer));
        key.cancel();
        closeQuietly(viewer);
      }
    }
  }

  private void failed(Viewer viewer, String why) {
    if (viewer.fail(why)) {
      settled.countDown();
    }
  }

  private static String describe(Exception e, Viewer viewer) {
    String phase = viewer.status == 0 ? (viewer.channel != null && viewer.channel.isConnected()
        ? "before response head" : "connect") : "body";
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return phase + ": " + message;
  }

  private static void sendRequest(Viewer viewer, ByteBuffer requestBuffer) throws IOException {
    requestBuffer.clear();
    viewer.channel.write(requestBuffer);
    if (requestBuffer.hasRemaining()) {
      // A fresh socket's send buffer takes a 100-byte request whole; anything else is a broken socket.
      throw new IOException("request not written whole (" + requestBuffer.remaining() + " bytes left)");
    }
    viewer.requestSent = System.nanoTime();
  }

  private void read(Viewer viewer, ByteBuffer buffer, SelectionKey key) throws IOException {
    buffer.clear();
    int n = viewer.channel.read(buffer);
    long now = System.nanoTime();
    if (n < 0) {
      failed(viewer, viewer.status == 0 ? "connection closed before the response head"
          : String.format(Locale.ROOT, "connection closed by the server after %d body bytes", viewer.body));
      key.cancel();
      closeQuietly(viewer);
      return;
    }
    if (n == 0) {
      return;
    }
    if (viewer.headers == 0) {
      buffer.flip();
      int bodyStart = consumeHead(viewer, buffer, now);
      if (bodyStart < 0) {
        return;
      }
      n -= bodyStart;
      if (n == 0) {
        return;
      }
    }
    if (viewer.firstByte == 0) {
      viewer.firstByte = now;
      if (viewer.error == null) {
        settled.countDown();
      }
    } else if (now - viewer.lastRead > viewer.maxGap) {
      viewer.maxGap = now - viewer.lastRead;
    }
    viewer.lastRead = now;
    viewer.body += n;
  }

  /** Appends to the head; once it is complete, parses it and returns where the body starts, else -1. */
  private static int consumeHead(Viewer viewer, ByteBuffer buffer, long now) throws IOException {
    int start = viewer.headLength;
    int n = buffer.remaining();
    if (viewer.headLength + n > viewer.head.length) {
      viewer.head = Arrays.copyOf(viewer.head, Math.min(MAX_HEAD, Math.max(viewer.head.length * 2, viewer.headLength + n)));
    }
    int take = Math.min(n, viewer.head.length - viewer.headLength);
    buffer.get(viewer.head, viewer.headLength, take);
    viewer.headLength += take;
    for (int i = Math.max(3, start - 3); i < viewer.headLength; i++) {
      if (viewer.head[i] == '\n' && viewer.head[i - 1] == '\r' && viewer.head[i - 2] == '\n'
          && viewer.head[i - 3] == '\r') {
        String text = new String(viewer.head, 0, i + 1, StandardCharsets.ISO_8859_1);
        String[] statusLine = text.substring(0, text.indexOf('\r')).split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
          throw new IOException("not an HTTP response: " + text.substring(0, Math.min(80, text.length())));
        }
        viewer.status = Integer.parseInt(statusLine[1]);
        viewer.headers = now;
        viewer.chunked = text.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
        if (viewer.status != 200) {
          throw new IOException("HTTP " + viewer.status);
        }
        int bodyInHead = viewer.headLength - (i + 1);
        // Bytes of this read that belong to the body: those after the head's end.
        int bodyStart = n - bodyInHead - (n - take);
        viewer.head = null;
        return bodyStart;
      }
    }
    if (viewer.headLength >= MAX_HEAD) {
      throw new IOException("response head longer than " + MAX_HEAD + " bytes");
    }
    return -1;
  }

  private static void closeQuietly(Viewer viewer) {
    SocketChannel channel = viewer.channel;
    if (channel == null || !channel.isOpen()) {
      return;
    }
    try {
      if (channel.isConnected()) {
        // Reset instead of FIN: 5,000 client sockets per run would otherwise sit in TIME_WAIT and
        // exhaust the ephemeral ports of the next runs.
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
      }
      channel.close();
    } catch (IOException e) {
      LOG.debug("Closing viewer {} failed", viewer.id, e);
    }
  }
}
