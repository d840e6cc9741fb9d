package io.github.buffercore.examples;

import io.github.buffercore.AutoUpstreamSource;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.TunerPool;
import io.github.buffercore.redis.RedisTunerPool;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line of every example server:
 * {@code [--host 127.0.0.1] [--port 34400] [--tuners 2] [--grace 10] [--name NAME] [--start-behind BYTES]
 * [--header-timeout 10] [--write-timeout 30] [--backlog 4096] [--threads 4096] [--send-buffer 262144]
 * [--redis redis://host:port] [--warmup-joins 6000] [M3U file or URL | channels.properties]}.
 * Without a channel source it serves the embedded {@link DemoChannel}. With {@code --redis}, tuner
 * limits are leases in that Redis ({@link RedisTunerPool}), shared by every server pointed at it.
 * Before it listens, it warms the JIT with {@code --warmup-joins} loopback viewers on a private demo
 * server ({@link JoinWarmup}; 0 turns that off).
 *
 * <p>Exit status: 2 for a bad command line, an unreadable channel source or a port already in use
 * (one line on standard error, no stack trace); 0 after SIGTERM or Ctrl-C, once the server stopped
 * accepting and every upstream is closed.
 */
public final class Launcher {

  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  /**
   * The examples' default {@code --start-behind}: 64 KiB (about 1.3 s of a 400 kbit/s channel), the
   * join burst of a viewer when the stream has no keyframe to join at yet. The library's default
   * (1 MiB) times thousands of viewers joining at once is gigabytes queued ahead of their first bytes.
   */
  public static final int DEFAULT_START_BEHIND = 64 * 1024;

  /** The default port, Threadfin's. */
  public static final int DEFAULT_PORT = 34400;

  private Launcher() { }

  /** Parsed options. */
  record Options(String host, int port, int tuners, Duration grace, String name, Integer startBehind,
      EdgeLimits limits, String channelSource, String redis, int warmupJoins) {

    static Options parse(String[] args) {
      String host = "127.0.0.1";
      int port = DEFAULT_PORT;
      int tuners = 2;
      Duration grace = Duration.ofSeconds(10);
      String name = null;
      Integer startBehind = null;
      EdgeLimits limits = EdgeLimits.defaults();
      String source = null;
      String redis = null;
      int warmupJoins = JoinWarmup.DEFAULT_JOINS;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--host" -> host = value(args, ++i, "--host");
          case "--port" -> port = integer(args, ++i, "--port", 0, 65535);
          case "--tuners" -> tuners = integer(args, ++i, "--tuners", 1, 1024);
          case "--grace" -> grace = Duration.ofSeconds(integer(args, ++i, "--grace", 0, 86_400));
          case "--name" -> name = value(args, ++i, "--name");
          case "--redis" -> redis = value(args, ++i, "--redis");
          case "--start-behind" -> startBehind = integer(args, ++i, "--start-behind", 0, Integer.MAX_VALUE);
          case "--header-timeout" -> limits = limits.withHeaderTimeout(
              Duration.ofSeconds(integer(args, ++i, "--header-timeout", 1, 3600)));
          case "--write-timeout" -> limits = limits.withIdleWriteTimeout(
              Duration.ofSeconds(integer(args, ++i, "--write-timeout", 1, 3600)));
          case "--backlog" -> limits = limits.withBacklog(
              integer(args, ++i, "--backlog", EdgeLimits.MIN_BACKLOG, 1 << 20));
          case "--threads" -> limits = limits.withBlockingThreads(integer(args, ++i, "--threads", 1, 1 << 20));
          case "--send-buffer" -> limits = limits.withSendBuffer(
              integer(args, ++i, "--send-buffer", 4096, 64 << 20));
          case "--warmup-joins" -> warmupJoins = integer(args, ++i, "--warmup-joins", 0, 100_000);
          case "--help", "-h" -> throw new IllegalArgumentException(usage());
          default -> {
            if (args[i].startsWith("--") || source != null) {
              throw new IllegalArgumentException("Unexpected argument '" + args[i] + "'\n" + usage());
            }
            source = args[i];
          }
        }
      }
      return new Options(host, port, tuners, grace, name, startBehind, limits, source, redis, warmupJoins);
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value\n" + usage());
      }
      return args[index];
    }

    private static int integer(String[] args, int index, String option, int min, int max) {
      String text = value(args, index, option);
      try {
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
          throw new IllegalArgumentException(option + " must be between " + min + " and " + max
              + " but was " + value);
        }
        return value;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " needs a whole number, not '" + text + "'");
      }
    }

    static String usage() {
      return "usage: [--host 127.0.0.1] [--port " + DEFAULT_PORT + "] [--tuners 2] [--grace 10]"
          + " [--name PLAYLIST] [--start-behind BYTES] [--header-timeout 10] [--write-timeout 30]"
          + " [--backlog 4096] [--threads 4096] [--send-buffer 262144] [--redis redis://host:port]"
          + " [--warmup-joins 6000]"
          + " [M3U file or URL | channels.properties]";
    }
  }

  /**
   * The shared tuner pool {@code --redis} asks for, or {@code null} without it. It connects on first
   * use, so the server starts (and refuses new streams) while Redis is down.
   */
  static RedisTunerPool tunerPool(Options options) {
    return options.redis() == null ? null : RedisTunerPool.builder(options.redis()).build();
  }

  /** Builds the app the options describe. */
  static ProxyApp app(Options options) throws IOException, InterruptedException {
    return app(options, null);
  }

  /** Builds the app the options describe, its tuner admission by {@code tunerPool} if not null. */
  static ProxyApp app(Options options, TunerPool tunerPool) throws IOException, InterruptedException {
    Consumer<PlaylistRegistry.Builder> configure = builder -> {
      builder.streamGrace(options.grace());
      if (tunerPool != null) {
        builder.tunerPool(tunerPool);
      }
      builder.startBehind(options.startBehind() != null ? options.startBehind() : DEFAULT_START_BEHIND);
    };
    if (options.channelSource() == null) {
      return new ProxyApp(DemoChannel.channels(), DemoChannel.source(), configure);
    }
    ChannelMap channels = ChannelMap.load(options.channelSource(), options.tuners(), options.name());
    // HLS entries (.m3u8, or an HLS content type) are relayed as MPEG-TS; raw TS URLs as they are.
    return new ProxyApp(channels, AutoUpstreamSource.builder().build(), configure);
  }

  /**
   * The base URL media servers are told to use: the listening host, or for a wildcard address the
   * first site-local IPv4 address of an interface that is up (a wildcard is not an address a client
   * can connect to).
   */
  static URI advertisedBase(String host, int port) throws SocketException, UnknownHostException {
    InetAddress address = InetAddress.getByName(host);
    if (address.isAnyLocalAddress()) {
      address = null;
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress candidate : Collections.list(nic.getInetAddresses())) {
          if (candidate instanceof Inet4Address && candidate.isSiteLocalAddress() && address == null) {
            address = candidate;
          }
        }
      }
      if (address == null) {
        address = InetAddress.getLocalHost();
      }
    }
    String literal = address instanceof Inet6Address
        ? "[" + address.getHostAddress().replaceFirst("%.*$", "") + "]" : address.getHostAddress();
    return URI.create("http://" + literal + ":" + port);
  }

  /**
   * Runs a stack until the process receives SIGTERM or SIGINT; then stops accepting, closes every
   * upstream and exits with status 0. Exits with status 2 after one line on standard error if the
   * command line or the channel source is bad or the port is in use.
   *
   * @param args the command line
   * @param stack the HTTP stack
   * @throws Exception if the server cannot start for another reason
   */
  public static void run(String[] args, HttpStack stack) throws Exception {
    Options options;
    RedisTunerPool tunerPool;
    ProxyApp app;
    try {
      options = Options.parse(args);
      tunerPool = tunerPool(options);
      app = app(options, tunerPool);
    } catch (IllegalArgumentException | IOException bad) {
      System.err.println(bad.getMessage());
      System.exit(2);
      return;
    }
    if (options.warmupJoins() > 0 && !canBind(options.host(), options.port())) {
      // Checked before the warm-up, so a taken port still ends the process at once with one line.
      System.err.println(portInUse(options));
      System.exit(2);
      return;
    }
    // Before listening: the first viewers then meet compiled join and serving code.
    if (options.warmupJoins() > 0) {
      LOG.info("Warming the JIT with {} loopback viewers before listening on port {} (--warmup-joins 0 skips it)",
          options.warmupJoins(), options.port());
    }
    JoinWarmup.run(stack, options.limits(), options.warmupJoins());
    HttpStack.RunningServer server;
    try {
      server = stack.start(app, new InetSocketAddress(options.host(), options.port()), options.limits());
    } catch (Exception e) {
      if (isBindFailure(e)) {
        // Nothing was served, so no upstream is open; the app's close would only add log lines.
        System.err.println(portInUse(options));
        System.exit(2);
        return;
      }
      app.close();
      if (tunerPool != null) {
        tunerPool.close();
      }
      throw e;
    }
    AtomicBoolean closed = new AtomicBoolean();
    Runnable shutdown = () -> {
      if (closed.compareAndSet(false, true)) {
        LOG.info("Shutting down the {} server: no new clients, closing every upstream", stack.name());
        server.close();
        app.close();
        if (tunerPool != null) {
          tunerPool.close(); // after the registry, which released its slots
        }
        LOG.info("Stopped: every upstream closed");
      }
    };
    CountDownLatch stop = new CountDownLatch(1);
    if (!Signals.onTermination(stop::countDown)) {
      LOG.warn("Cannot handle SIGTERM here; it will end the process with status 143");
    }
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "shutdown")); // any other exit
    String base = "http://" + options.host() + ":" + server.port();
    URI advertised = advertisedBase(options.host(), server.port());
    app.hdHomeRun().advertise(advertised);
    System.out.println("buffer-core example (" + stack.name() + ") listening on " + base);
    for (ChannelMap.Channel channel : app.channels().channels()) {
      System.out.println("  open in VLC or ffplay: " + base + "/stream/" + channel.id());
    }
    if (tunerPool != null) {
      System.out.println("  tuner limits shared through Redis " + tunerPool.redis() + " as node "
          + tunerPool.nodeId());
    }
    System.out.println("  status page: " + base + "/   JSON: " + base + "/status   Prometheus: " + base + "/metrics");
    System.out.println("  HDHomeRun tuner for Plex/Jellyfin/Emby: " + advertised + "   (Ctrl-C to stop)");
    stop.await();
    shutdown.run();
    System.exit(0);
  }

  private static String portInUse(Options options) {
    return "Port " + options.port() + " on " + options.host()
        + " is already in use (or cannot be bound): choose another with --port";
  }

  /** Whether a server socket can bind the address now (it is closed again at once). */
  private static boolean canBind(String host, int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException | IllegalArgumentException | SecurityException e) {
      return false;
    }
  }

  private static boolean isBindFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }
}
