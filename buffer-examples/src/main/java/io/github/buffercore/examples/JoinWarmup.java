package io.github.buffercore.examples;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
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
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the JIT before a server takes its first viewer: a private instance of the same stack on an
 * ephemeral loopback port, serving the in-process {@link DemoChannel}, is joined first by a
 * flood of {@value #ROUND} loopback viewers at once (they read their first bytes, keep watching
 * 0.5 s, then leave), then, once the JIT's compile queues have drained, by trickles of
 * {@value #TRICKLE} (each leaves after its first bytes) up to {@value #TRICKLED} joins, and then by
 * crowds of {@value #REHEARSAL} (the rehearsals: they watch for a second, then leave), the queues
 * drained after each, the last of them on a second private server started after the first was closed
 * (see {@link #run}); the viewers send the request heads of several players ({@link #REQUEST_HEADERS}),
 * with and without the port in {@code Host} ({@link #HOST_WITH_PORT}), and each private server answers
 * page requests on persistent connections before its first round and after each ({@link
 * #PAGE_PATHS}). About 12 s on the
 * 2-core benchmark machine for the default 6,000 joins (the trickles' idle selector timeouts give the
 * compiler its time), about 8 s for 2,000.
 *
 * <p>Why: on a cold JVM the first few thousand joins run interpreted or in profiling code while the
 * compiler threads compete for the same cores. Measured on the 2-core load benchmark machine, 2,000
 * viewers joining a cold Netty server at once waited 1.4 s (p50) to 1.7 s (p99) for their first byte,
 * against 0.16 s / 0.32 s for the same storm on a server whose join path had been compiled
 * (benchmarks/results/LOAD-NOTES.md). Warming at start moves that cost to where nobody waits. The
 * flood alone is not enough: see {@link #TRICKLE} and {@link #awaitCompilerIdle}.
 *
 * <p>The price is start-up time: a restarted proxy refuses connections for those seconds longer, and a
 * crowd of players that was waiting to reconnect gets its first bytes later in total than from a cold
 * server (which opens at once and serves them in 1.4-1.7 s at 2,000). Where restarts with viewers
 * waiting matter more than a first crowd's join latency, start with {@code --warmup-joins 0}.
 *
 * <p>The warm-up owns everything it opens: its app, server and sockets are closed before {@link #run}
 * returns, also on failure; a failure is logged and the real server starts anyway.
 */
final class JoinWarmup {

  private static final Logger LOG = LoggerFactory.getLogger(JoinWarmup.class);

  /**
   * The default number of warm-up joins ({@code --warmup-joins}): enough for the join path to reach
   * C2 before the server listens. Measured with 2,000 viewers joining the Netty example at once
   * (benchmarks/results/LOAD-NOTES.md): after 4,000 warm-up joins (then all trickles) the JIT compiled
   * nothing during their joins and p99 first byte was 0.31-0.37 s; after 2,000 the JIT still compiled
   * ~120 methods (50-80 of them in C2) in their first second and p99 was 0.33-0.71 s depending on the
   * machine's load. A crowd of 5,000 still met C2 compiles after 4,000 joins (see {@link #REHEARSAL}),
   * hence 6,000 with two rehearsals.
   */
  static final int DEFAULT_JOINS = 6_000;
  /** Viewers connected at once in the first round (the flood: class loading, first compiles). */
  static final int ROUND = 500;
  /**
   * Viewers connected at once in each later round (the trickle). Small, so that the JIT's compile
   * queues stay short while they join: HotSpot compiles a method with limited profiling (tier 2)
   * while the C2 queue is long, and moves it on to full profiling and C2 only when a later call finds
   * that queue short; after a flood alone, the join path is still at tier 2 when the real viewers
   * come, and the JIT recompiles it under them.
   */
  static final int TRICKLE = 50;
  /**
   * How long a round's viewers keep reading once all were served: the live path (batched wake-ups,
   * the pump's writes to many viewers) is what the JIT compiles during a real storm, not just the join.
   */
  static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** Joins made by the first flood and the trickles; the joins beyond them come as rehearsals. */
  static final int TRICKLED = 2_000;
  /**
   * Viewers connected at once in each round after the trickles (the rehearsals): what only a crowd
   * does, and the trickles never show the JIT, happens there before the server listens: thousands of
   * readers on one ring woken per batch, counters contended by several threads, maps resized past a
   * few thousand entries; and the join path's methods, which have no loops, pass C2's invocation
   * threshold (5,000 calls) only with more joins than the trickles make. Measured on the 2-core
   * benchmark machine (benchmarks/results/LOAD-NOTES.md): after 4,000 joins C2 still compiled the
   * pipeline's write path and threw away and recompiled ConcurrentHashMap's resize, LongAdder and
   * Jetty's send callback in the first second of a 5,000-viewer storm, on the cores the joins needed.
   */
  static final int REHEARSAL = 2_000;
  /** How long the rehearsal's viewers keep reading: two of the library's default wake batches. */
  static final long REHEARSAL_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(1_000);
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
   * line-up, the status, a path that does not exist), each requested {@value #PAGE_REQUESTS} times on
   * every private server before its first round, and once more after every round. They run the
   * pipeline with other message types than a stream's (a whole response, a 404): after a warm-up of streams alone, the first status request
   * to the real server made the pipeline's compiled write and the header lookups not entrant
   * (benchmarks/results/LOAD-NOTES.md), and the first crowd of viewers met them recompiling. They come
   * on persistent connections, several requests each, as a browser's or a tuner client's do: a warm-up
   * of one request per connection left the path of a connection's next request (Jetty's request
   * buffer, its parser's reset, its send-completion) to trap at the real server's first keep-alive
   * status request. The pages after every round keep that path in the profile the JIT compiles the
   * stream rounds' code from: with pages at a server's start only, C2 compiled Jetty's
   * {@code HttpParser.parseLine} from rounds without them, the second private server's pages made it
   * not entrant ({@code HttpParser$FieldCache.prepare}), and its one rehearsal did not bring it back to
   * C2 before the real storm.
   */
  static final List<String> PAGE_PATHS = List.of("/discover.json", "/lineup.json", "/lineup_status.json",
      "/status", "/no-such-page");
  /** How many times each of {@link #PAGE_PATHS} is requested on each private server before its rounds. */
  static final int PAGE_REQUESTS = 25;
  /** The longest a page request may take (connect, and each read). */
  static final int PAGE_TIMEOUT_MILLIS = 5_000;

  /** Bytes (head and body) a warm-up viewer reads before it leaves: its head and first data. */
  static final int BODY_BYTES = 4 * 1024;
  /** The longest a round may take; a round that does not finish in time ends the warm-up. */
  static final long ROUND_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** The longest wait for the JIT's compile queues to drain after a round. */
  static final long DRAIN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** How often the compile queues are looked at while draining. */
  static final long DRAIN_POLL_MILLIS = 50;

  private JoinWarmup() { }

  /**
   * Waits until the JIT has no compile running or queued (HotSpot's {@code Compiler.queue} diagnostic
   * command, the same as {@code jcmd <pid> Compiler.queue}), at most {@link #DRAIN_LIMIT_NANOS}.
   *
   * <p>Why: HotSpot raises a method's compile threshold with the length of its compiler's queue
   * (tiered compilation's load feedback: {@code Tier3LoadFeedback}, {@code Tier4LoadFeedback}). During
   * start-up the queues hold hundreds of methods, so a round of warm-up joins that runs while they
   * drain leaves the join path interpreted: measured on the 2-core benchmark machine, the Netty
   * example's {@code channelRead0} and {@code ProxyApp.handle} were first compiled at the end of the
   * second round, and the registry's {@code acquire} not before the first real viewers came
   * (benchmarks/results/LOAD-NOTES.md). A round that starts on drained queues gets its hot methods
   * compiled at the normal thresholds, and the compiles a round queued do not run during the first
   * real viewers' joins.
   *
   * @return whether the queues drained in time (true as well if the JVM cannot tell)
   */
  static boolean awaitCompilerIdle() {
    long limit = System.nanoTime() + DRAIN_LIMIT_NANOS;
    try {
      ObjectName command = new ObjectName("com.sun.management:type=DiagnosticCommand");
      var server = ManagementFactory.getPlatformMBeanServer();
      while (true) {
        Object queue = server.invoke(command, "compilerQueue", new Object[] {new String[0]},
            new String[] {String[].class.getName()});
        if (compilerIdle(String.valueOf(queue))) {
          return true;
        }
        if (System.nanoTime() >= limit) {
          return false;
        }
        Thread.sleep(DRAIN_POLL_MILLIS);
      }
    } catch (JMException | RuntimeException e) {
      LOG.debug("Cannot read the JIT's compile queue: {}", e.toString());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Whether a {@code Compiler.queue} text shows no compile running or queued: only its section titles
   * ({@code Current compiles:}, {@code C1 compile queue:}, {@code C2 compile queue:}) and
   * {@code Empty}.
   */
  static boolean compilerIdle(String queue) {
    for (String line : queue.split("\\R")) {
      String text = line.strip();
      if (!text.isEmpty() && !text.endsWith(":") && !text.equals("Empty")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs {@code joins} warm-up joins against private instances of {@code stack}: every round but the
   * last rehearsal on a first private server, the last rehearsal on a second one, started after the
   * first was closed.
   *
   * <p>Why two: closing a server runs its stack's shutdown paths (an event loop's
   * {@code confirmShutdown}, a promise's listeners, a ring's last wake-up) through methods C2 compiled
   * while they only served, and starting a server runs its start-up paths; each branch that compiled
   * code never saw taken is an uncommon trap, and the trap throws the compiled method away. Measured
   * on the Netty example with one private server (JIT log, benchmarks/results/LOAD-NOTES.md): 80
   * compiled methods were made not entrant between the end of the warm-up and the real server's first
   * request, the pipeline's write and a promise's listeners among them, and C2 compiled them again
   * under the first crowd of viewers. A trap that fired once at a bytecode is not compiled in again,
   * so once a private server has been closed and another started and rehearsed, the real server's
   * start finds compiled code that already covers it.
   *
   * @param stack the stack the real server will run (a new instance of the same class is fine: the
   *     JIT compiles classes, not instances)
   * @param limits the real server's limits
   * @param joins how many viewers join in total; 0 does nothing
   * @return how many warm-up viewers were served
   */
  static int run(HttpStack stack, EdgeLimits limits, int joins) {
    if (joins <= 0) {
      return 0;
    }
    long start = System.nanoTime();
    List<Round> rounds = plan(joins, stack.threadPerViewer());
    int onFirst = rounds.size() > 1 && rounds.get(rounds.size() - 1).rehearsal() ? rounds.size() - 1 : rounds.size();
    Progress progress = new Progress();
    onPrivateServer(stack, limits, rounds.subList(0, onFirst), progress);
    int servers = 1;
    if (!progress.stopped && onFirst < rounds.size()) {
      onPrivateServer(stack, limits, rounds.subList(onFirst, rounds.size()), progress);
      servers = 2;
    }
    // What the last round queued compiles now, not while the first real viewers join.
    progress.drained &= awaitCompilerIdle();
    LOG.info("JIT warm-up: {} warm-up viewers joined and left {} private demo server(s) in {} ms{}",
        progress.served, servers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
        progress.drained ? "" : " (the JIT's compile queue was not empty after a "
            + DRAIN_LIMIT_NANOS / 1_000_000_000 + " s wait)");
    return progress.served;
  }

  /** What the warm-up has done so far; confined to the thread that runs it. */
  private static final class Progress {
    int served;
    boolean drained = true;
    /** A round was not served whole, or a server failed: no more rounds. */
    boolean stopped;
  }

  /** One round of the warm-up: its size, how long its viewers keep reading, and its kind. */
  private record Round(int viewers, long holdNanos, boolean rehearsal, boolean drainAfter) { }

  /** The rounds of {@code joins} warm-up joins: a flood, trickles up to {@link #TRICKLED}, rehearsals. */
  private static List<Round> plan(int joins, boolean threadPerViewer) {
    List<Round> rounds = new ArrayList<>();
    int trickled = Math.min(joins, TRICKLED);
    // A thread-per-viewer stack rehearses in crowds no larger than its first flood: 2,000 at once
    // started 2,000 platform threads on Java 17 and left the JDK example's idle RSS at 1.2 GB
    // instead of 0.6 (benchmarks/results/LOAD-NOTES.md).
    int crowd = threadPerViewer ? ROUND : REHEARSAL;
    for (int done = 0; done < joins; ) {
      boolean flood = done == 0;
      boolean rehearsal = done >= trickled;
      int size = rehearsal ? Math.min(crowd, joins - done) : Math.min(flood ? ROUND : TRICKLE, trickled - done);
      rounds.add(new Round(size, flood ? HOLD_NANOS : rehearsal ? REHEARSAL_HOLD_NANOS : 0, rehearsal,
          flood || rehearsal));
      done += size;
    }
    return rounds;
  }

  /**
   * Runs {@code rounds} against one private server of {@code stack}, until a round is not served
   * whole. A failure is logged, never thrown: the real server starts anyway.
   */
  private static void onPrivateServer(HttpStack stack, EdgeLimits limits, List<Round> rounds, Progress progress) {
    try (ProxyApp app = new ProxyApp(DemoChannel.channels(), DemoChannel.source(),
        builder -> builder.startBehind(Launcher.DEFAULT_START_BEHIND))) {
      HttpStack.RunningServer server = stack.start(app,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits);
      try {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
        pages(address, 0, PAGE_REQUESTS);
        int after = PAGE_REQUESTS;
        for (Round round : rounds) {
          int ok = round(address, round.viewers(), round.holdNanos());
          pages(address, after++, 1);
          if (round.drainAfter()) {
            progress.drained &= awaitCompilerIdle();
          }
          progress.served += ok;
          if (ok < round.viewers()) {
            LOG.warn("JIT warm-up: only {} of {} warm-up viewers were served in a round; stopping the warm-up",
                ok, round.viewers());
            progress.stopped = true;
            return;
          }
        }
      } finally {
        server.close();
      }
    } catch (Exception e) {
      LOG.warn("JIT warm-up failed after {} warm-up viewers; starting without it", progress.served, e);
      progress.stopped = true;
    }
  }

  /**
   * One round: {@code count} viewers connect at once, each reads {@link #BODY_BYTES}; all keep reading
   * for {@code holdNanos} more, then reset.
   */
  private static int round(InetSocketAddress address, int count, long holdNanos) throws IOException {
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
      for (SocketChannel channel : channels) {
        close(channel);
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

  /** Resets the connection: thousands of warm-up sockets must not sit in TIME_WAIT. */
  private static void close(SocketChannel channel) {
    try {
      if (channel.isConnected()) {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
      }
      channel.close();
    } catch (IOException e) {
      LOG.debug("Closing a warm-up socket failed: {}", e.toString());
    }
  }
}
