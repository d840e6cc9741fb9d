package io.github.buffercore.examples;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loopback traffic of the JIT warm-up ({@link JoinWarmup}): a round of stream viewers that join a
 * private server at once, and page requests on kept-alive connections. Both send what real players
 * and tuner clients send ({@link #REQUEST_HEADERS}, {@link #HOST_WITH_PORT}, {@link #PAGE_PATHS}):
 * the JIT compiles the serving path from this traffic, and each branch the real clients take that
 * this traffic never took is an uncommon trap that throws compiled code away under the first crowd
 * (benchmarks/results/LOAD-NOTES.md). Every socket it opens is closed before its method returns.
 */
final class WarmupTraffic {

  /** The warm-up's logger: its lines keep the name of the warm-up they belong to. */
  private static final Logger LOG = LoggerFactory.getLogger(JoinWarmup.class);

  /**
   * The header lines the warm-up viewers send after {@code Host}, in turn: what players and tuner
   * clients send (a {@code User-Agent}, {@code Accept}, keep-alive or close, ICY metadata, the HTTP/2
   * upgrade offer of Java's and curl's clients, which an HTTP/1.1 server ignores, with the {@code
   * Content-Length: 0} Java's client adds to a GET), and none.
   * A warm-up whose viewers sent only {@code Host} left the header lookups (Netty's
   * {@code DefaultHeaders.get}, {@code AsciiString.hashCode}) compiled for requests without them: the
   * first real requests made them not entrant (benchmarks/results/LOAD-NOTES.md).
   */
  static final List<String> REQUEST_HEADERS = List.of(
      "User-Agent: VLC/3.0.18 LibVLC/3.0.18\r\nAccept: */*\r\nAccept-Language: en_US\r\nIcy-MetaData: 1\r\n",
      "User-Agent: Lavf/59.27.100\r\nAccept: */*\r\nConnection: close\r\nIcy-MetaData: 1\r\n",
      "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"
          + " Safari/537.36\r\nAccept: */*\r\nConnection: keep-alive\r\n",
      // Java's HttpClient (17) as it sends a GET: an h2c upgrade offer with an empty body's length.
      "Connection: Upgrade, HTTP2-Settings\r\nContent-Length: 0\r\n"
          + "HTTP2-Settings: AAEAAEAAAAIAAAAAAAMAAAAAAAQBAAAAAAUAAEAAAAYABgAA\r\nUpgrade: h2c\r\n"
          + "User-Agent: Java-http-client/17.0.15\r\n",
      "");
  /**
   * Whether a warm-up request's {@code Host} names the port, in turn with each head of {@link
   * #REQUEST_HEADERS}: players and tuner clients send {@code host:port} for a proxy on any port but 80,
   * and bare {@code host} on 80 (or behind a reverse proxy). A warm-up whose requests all sent a bare
   * {@code Host: warmup} left Jetty's parser compiled for hosts without a port: the benchmark's first
   * request to the real server ({@code Host: 127.0.0.1:port}) made {@code HttpParser.parseNext},
   * {@code parseLine}, {@code parseFields} and {@code parsedHeader} not entrant (an {@code unstable_if}
   * trap in {@code HttpURI.getAuthority}), and Jetty parsed the first crowd of viewers in the
   * interpreter and tier 3 while C2 compiled them again (benchmarks/results/LOAD-NOTES.md).
   */
  static final List<Boolean> HOST_WITH_PORT = List.of(true, false);
  /**
   * The non-stream answers a tuner client or an operator asks a proxy for (HDHomeRun discovery and
   * line-up, the status, a path that does not exist), requested on every private server before its
   * first round ({@link JoinWarmup#PAGE_REQUESTS} times) and once more after every round. They run the
   * pipeline with other message types than a stream's (a whole response, a 404): after a warm-up of
   * streams alone, the first status request to the real server made the pipeline's compiled write
   * and the header lookups not entrant (benchmarks/results/LOAD-NOTES.md), and the first crowd of
   * viewers met them recompiling. They come on persistent connections, several requests each, as a
   * browser's or a tuner client's do: a warm-up of one request per connection left the path of a
   * connection's next request (Jetty's request buffer, its parser's reset, its send-completion) to
   * trap at the real server's first keep-alive status request. The pages after every round keep that
   * path in the profile the JIT compiles the stream rounds' code from: with pages at a server's start
   * only, C2 compiled Jetty's {@code HttpParser.parseLine} from rounds without them, the second
   * private server's pages made it not entrant ({@code HttpParser$FieldCache.prepare}), and its one
   * rehearsal did not bring it back to C2 before the real storm.
   */
  static final List<String> PAGE_PATHS = List.of("/discover.json", "/lineup.json", "/lineup_status.json",
      "/status", "/no-such-page");
  /** The longest a page request may take (connect, and each read). */
  static final int PAGE_TIMEOUT_MILLIS = 5_000;

  /** Bytes (head and body) a warm-up viewer reads before it leaves: its head and first data. */
  static final int BODY_BYTES = 4 * 1024;
  /**
   * One warm-up viewer in this many leaves with an orderly close (a FIN), the others with a reset.
   * Players do both, and only the orderly close makes the server's read return end-of-stream: with
   * resets alone, C2 compiled Netty's read path ({@code EpollStreamUnsafe.epollInReady}) without that
   * branch, and the first end-of-stream the real server read (0.8 s into a 5,000-viewer storm, in a JIT
   * log: benchmarks/results/LOAD-NOTES.md) threw the compiled code away. An orderly close leaves the
   * warm-up's side of the loopback connection in TIME_WAIT for a minute, hence not every viewer.
   */
  static final int ORDERLY_CLOSE_EVERY = 4;
  /** The longest a round may take; a round that does not finish in time ends the warm-up. */
  static final long ROUND_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private WarmupTraffic() { }

  /**
   * One round: {@code count} viewers connect at once, each reads {@link #BODY_BYTES}; all keep reading
   * for {@code holdNanos} more, then leave: one in {@link #ORDERLY_CLOSE_EVERY} with an orderly close,
   * the others with a reset.
   *
   * @return how many viewers read their {@link #BODY_BYTES} within {@link #ROUND_LIMIT_NANOS}
   * @throws IOException if a socket or the selector fails
   */
  static int round(InetSocketAddress address, int count, long holdNanos) throws IOException {
    List<String> heads = streamRequests(address);
    byte[][] requests = new byte[heads.size()][];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = heads.get(i).getBytes(StandardCharsets.US_ASCII);
    }
    ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    List<SocketChannel> channels = new ArrayList<>(count);
    int served = 0;
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < count; i++) {
        SocketChannel channel = SocketChannel.open();
        channels.add(channel);
        channel.configureBlocking(false);
        // {bytes received, which request head}
        channel.register(selector, channel.connect(address) ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT,
            new int[] {0, i % requests.length});
      }
      long deadline = System.nanoTime() + ROUND_LIMIT_NANOS;
      long holdUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, holdUntil)) {
        if (served == count && holdUntil == Long.MAX_VALUE) {
          holdUntil = System.nanoTime() + holdNanos;
        }
        selector.select(100);
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          SocketChannel channel = (SocketChannel) key.channel();
          int[] received = (int[]) key.attachment();
          if (key.isConnectable()) {
            channel.finishConnect();
            key.interestOps(SelectionKey.OP_WRITE);
          } else if (key.isWritable()) {
            // A fresh socket's send buffer takes the short request whole.
            channel.write(ByteBuffer.wrap(requests[received[1]]));
            key.interestOps(SelectionKey.OP_READ);
          } else if (key.isReadable()) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
              key.cancel();
              return served; // the private server closed a warm-up viewer: the round is not served
            }
            if (received[0] < BODY_BYTES && received[0] + n >= BODY_BYTES) {
              served++;
            }
            received[0] += n;
          }
        }
      }
    } finally {
      for (int i = 0; i < channels.size(); i++) {
        close(channels.get(i), i % ORDERLY_CLOSE_EVERY == 0);
      }
    }
    return served;
  }

  /**
   * The stream request heads the warm-up viewers send, in turn: each of {@link #REQUEST_HEADERS} with
   * each {@code Host} form of {@link #HOST_WITH_PORT}.
   */
  static List<String> streamRequests(InetSocketAddress address) {
    List<String> heads = new ArrayList<>();
    for (boolean withPort : HOST_WITH_PORT) {
      for (String headers : REQUEST_HEADERS) {
        heads.add("GET /stream/" + DemoChannel.CHANNEL + " HTTP/1.1\r\n" + hostLine(address, withPort) + headers
            + "\r\n");
      }
    }
    return heads;
  }

  /** A {@code Host} header line for {@code address}, with or without its port. */
  static String hostLine(InetSocketAddress address, boolean withPort) {
    return "Host: " + address.getHostString() + (withPort ? ":" + address.getPort() : "") + "\r\n";
  }

  /**
   * Requests each of {@link #PAGE_PATHS} {@code times} times: each round of them on one persistent
   * connection, the last request asking to close it, every answer read to its end (by its {@code
   * Content-Length}).
   *
   * @param address the private server
   * @param first which connection of the warm-up the first is (picks its {@code Host} form and head)
   * @param times how many connections, each carrying every page once
   * @throws IOException if a page fails or an answer is not framed by a {@code Content-Length}
   */
  static void pages(InetSocketAddress address, int first, int times) throws IOException {
    for (int i = first; i < first + times; i++) {
      String host = hostLine(address, HOST_WITH_PORT.get(i % HOST_WITH_PORT.size()));
      String headers = REQUEST_HEADERS.get(i % REQUEST_HEADERS.size());
      // The head's own Connection header (an h2c upgrade offer, keep-alive) on every request but the
      // last, which asks to close.
      String kept = headers.replace("Connection: close\r\n", "");
      String closing = headers.replaceAll("Connection: [^\r]*\r\n", "") + "Connection: close\r\n";
      try (Socket socket = new Socket()) {
        socket.connect(address, PAGE_TIMEOUT_MILLIS);
        socket.setSoTimeout(PAGE_TIMEOUT_MILLIS);
        InputStream in = new BufferedInputStream(socket.getInputStream());
        for (int p = 0; p < PAGE_PATHS.size(); p++) {
          boolean last = p == PAGE_PATHS.size() - 1;
          socket.getOutputStream().write(("GET " + PAGE_PATHS.get(p) + " HTTP/1.1\r\n" + host
              + (last ? closing : kept) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          readResponse(in, PAGE_PATHS.get(p));
        }
      }
    }
  }

  /**
   * Reads one HTTP/1.1 response from {@code in}: its head up to the blank line, then exactly the
   * {@code Content-Length} bytes of its body, so that the connection's next response starts where
   * this one ends.
   *
   * @param in the connection's buffered input
   * @param path the request's path, for the message of a failure
   * @return the status code
   * @throws IOException if the connection ends early, or the head has no status line or no
   *     {@code Content-Length}
   */
  static int readResponse(InputStream in, String path) throws IOException {
    StringBuilder head = new StringBuilder();
    while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the answer to warm-up page " + path + " ended inside its head");
      }
      head.append((char) b);
    }
    String[] lines = head.toString().split("\r\n");
    String[] status = lines[0].split(" ");
    if (status.length < 2 || !status[0].startsWith("HTTP/1.") || !status[1].matches("[1-5][0-9][0-9]")) {
      throw new IOException("the answer to warm-up page " + path + " has no status line: " + lines[0]);
    }
    long length = -1;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
        try {
          length = Long.parseLong(line.substring(colon + 1).trim());
        } catch (NumberFormatException bad) {
          throw new IOException("the answer to warm-up page " + path + " has a bad " + line, bad);
        }
      }
    }
    if (length < 0) {
      throw new IOException("the answer to warm-up page " + path + " has no Content-Length");
    }
    try {
      in.skipNBytes(length);
    } catch (EOFException early) {
      throw new IOException("the answer to warm-up page " + path + " ended inside its body", early);
    }
    return Integer.parseInt(status[1]);
  }

  /**
   * Closes a warm-up connection: with a reset unless {@code orderly}, since thousands of warm-up
   * sockets must not sit in TIME_WAIT.
   */
  private static void close(SocketChannel channel, boolean orderly) {
    try {
      if (!orderly && channel.isConnected()) {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
      }
      channel.close();
    } catch (IOException e) {
      LOG.debug("Closing a warm-up socket failed: {}", e.toString());
    }
  }
}
