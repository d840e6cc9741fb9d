package io.github.buffercore.examples;

import io.github.buffercore.HttpUpstreamSource;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.TunerPool;
import io.github.buffercore.redis.RedisTunerPool;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line of every example server:
 * {@code [--host 127.0.0.1] [--port 34400] [--tuners 2] [--grace 10] [--redis redis://host:port]
 * [M3U file or URL | channels.properties]}.
 * Without a channel source it serves the embedded {@link DemoChannel}. With {@code --redis}, tuner
 * limits are leases in that Redis ({@link RedisTunerPool}), shared by every server pointed at it. SIGTERM (or Ctrl-C) stops
 * accepting, closes every upstream and exits.
 */
public final class Launcher {

  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  /** The default port, Threadfin's. */
  public static final int DEFAULT_PORT = 34400;

  private Launcher() { }

  /** Parsed options. */
  record Options(String host, int port, int tuners, Duration grace, String channelSource,
      String redis) {

    static Options parse(String[] args) {
      String host = "127.0.0.1";
      int port = DEFAULT_PORT;
      int tuners = 2;
      Duration grace = Duration.ofSeconds(10);
      String source = null;
      String redis = null;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--host" -> host = value(args, ++i, "--host");
          case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
          case "--tuners" -> tuners = Integer.parseInt(value(args, ++i, "--tuners"));
          case "--grace" -> grace = Duration.ofSeconds(Long.parseLong(value(args, ++i, "--grace")));
          case "--redis" -> redis = value(args, ++i, "--redis");
          case "--help", "-h" -> throw new IllegalArgumentException(usage());
          default -> {
            if (args[i].startsWith("--") || source != null) {
              throw new IllegalArgumentException("Unexpected argument '" + args[i] + "'\n" + usage());
            }
            source = args[i];
          }
        }
      }
      return new Options(host, port, tuners, grace, source, redis);
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value\n" + usage());
      }
      return args[index];
    }

    static String usage() {
      return "usage: [--host 127.0.0.1] [--port " + DEFAULT_PORT
          + "] [--tuners 2] [--grace 10] [--redis redis://host:port]"
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
  static ProxyApp app(Options options) throws Exception {
    return app(options, null);
  }

  /** Builds the app the options describe, its tuner admission by {@code tunerPool} if not null. */
  static ProxyApp app(Options options, TunerPool tunerPool) throws Exception {
    Consumer<PlaylistRegistry.Builder> configure = builder -> {
      builder.streamGrace(options.grace());
      if (tunerPool != null) {
        builder.tunerPool(tunerPool);
      }
    };
    if (options.channelSource() == null) {
      return new ProxyApp(DemoChannel.channels(), DemoChannel.source(), configure);
    }
    ChannelMap channels = ChannelMap.load(options.channelSource(), options.tuners());
    return new ProxyApp(channels, HttpUpstreamSource.builder().build(), configure);
  }

  /**
   * Runs a stack until the process is terminated.
   *
   * @param args the command line
   * @param stack the HTTP stack
   * @throws Exception if the server cannot start
   */
  public static void run(String[] args, HttpStack stack) throws Exception {
    Options options;
    RedisTunerPool tunerPool;
    try {
      options = Options.parse(args);
      tunerPool = tunerPool(options);
    } catch (IllegalArgumentException bad) {
      System.err.println(bad.getMessage());
      System.exit(2);
      return;
    }
    ProxyApp app = app(options, tunerPool);
    HttpStack.RunningServer server = stack.start(app, new InetSocketAddress(options.host(), options.port()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Shutting down the {} server: no new clients, closing every upstream", stack.name());
      server.close();
      app.close();
      if (tunerPool != null) {
        tunerPool.close(); // after the registry, which released its slots
      }
      stopped.countDown();
    }, "shutdown"));
    String base = "http://" + options.host() + ":" + server.port();
    System.out.println("buffer-core example (" + stack.name() + ") listening on " + base);
    for (ChannelMap.Channel channel : app.channels().channels()) {
      System.out.println("  open in VLC or ffplay: " + base + "/stream/" + channel.id());
    }
    if (tunerPool != null) {
      System.out.println("  tuner limits shared through Redis " + tunerPool.redis() + " as node "
          + tunerPool.nodeId());
    }
    System.out.println("  status: " + base + "/status   (Ctrl-C to stop)");
    stopped.await();
  }
}
