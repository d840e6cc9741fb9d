package io.github.buffercore.examples;

import io.github.buffercore.AutoUpstreamSource;
import io.github.buffercore.HttpUpstreamSource;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line of every example server:
 * {@code [--host 127.0.0.1] [--port 34400] [--tuners 2] [--grace 10] [M3U file or URL | channels.properties]}.
 * Without a channel source it serves the embedded {@link DemoChannel}. SIGTERM (or Ctrl-C) stops
 * accepting, closes every upstream and exits.
 */
public final class Launcher {

  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  /** The default port, Threadfin's. */
  public static final int DEFAULT_PORT = 34400;

  private Launcher() { }

  /** Parsed options. */
  record Options(String host, int port, int tuners, Duration grace, String channelSource) {

    static Options parse(String[] args) {
      String host = "127.0.0.1";
      int port = DEFAULT_PORT;
      int tuners = 2;
      Duration grace = Duration.ofSeconds(10);
      String source = null;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--host" -> host = value(args, ++i, "--host");
          case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
          case "--tuners" -> tuners = Integer.parseInt(value(args, ++i, "--tuners"));
          case "--grace" -> grace = Duration.ofSeconds(Long.parseLong(value(args, ++i, "--grace")));
          case "--help", "-h" -> throw new IllegalArgumentException(usage());
          default -> {
            if (args[i].startsWith("--") || source != null) {
              throw new IllegalArgumentException("Unexpected argument '" + args[i] + "'\n" + usage());
            }
            source = args[i];
          }
        }
      }
      return new Options(host, port, tuners, grace, source);
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value\n" + usage());
      }
      return args[index];
    }

    static String usage() {
      return "usage: [--host 127.0.0.1] [--port " + DEFAULT_PORT
          + "] [--tuners 2] [--grace 10] [M3U file or URL | channels.properties]";
    }
  }

  /** Builds the app the options describe. */
  static ProxyApp app(Options options) throws Exception {
    if (options.channelSource() == null) {
      return new ProxyApp(DemoChannel.channels(), DemoChannel.source(),
          builder -> builder.streamGrace(options.grace()));
    }
    ChannelMap channels = ChannelMap.load(options.channelSource(), options.tuners());
    // HLS entries (.m3u8, or an HLS content type) are relayed as MPEG-TS; raw TS URLs as they are.
    return new ProxyApp(channels, AutoUpstreamSource.builder().build(),
        builder -> builder.streamGrace(options.grace()));
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
   * Runs a stack until the process is terminated.
   *
   * @param args the command line
   * @param stack the HTTP stack
   * @throws Exception if the server cannot start
   */
  public static void run(String[] args, HttpStack stack) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException bad) {
      System.err.println(bad.getMessage());
      System.exit(2);
      return;
    }
    ProxyApp app = app(options);
    HttpStack.RunningServer server = stack.start(app, new InetSocketAddress(options.host(), options.port()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Shutting down the {} server: no new clients, closing every upstream", stack.name());
      server.close();
      app.close();
      stopped.countDown();
    }, "shutdown"));
    String base = "http://" + options.host() + ":" + server.port();
    URI advertised = advertisedBase(options.host(), server.port());
    app.hdHomeRun().advertise(advertised);
    System.out.println("buffer-core example (" + stack.name() + ") listening on " + base);
    for (ChannelMap.Channel channel : app.channels().channels()) {
      System.out.println("  open in VLC or ffplay: " + base + "/stream/" + channel.id());
    }
    System.out.println("  status page: " + base + "/   JSON: " + base + "/status   Prometheus: " + base + "/metrics");
    System.out.println("  HDHomeRun tuner for Plex/Jellyfin/Emby: " + advertised + "   (Ctrl-C to stop)");
    stopped.await();
  }
}
