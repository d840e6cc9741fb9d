package io.github.buffercore.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, persistence off, started and killed by the
 * test. Fails (never skips) when {@code redis-server} is not installed: {@code .ci/run} installs it.
 * Shared with buffer-examples' tests through this module's test jar.
 */
public final class RedisServer implements AutoCloseable {

  private final int port;
  private Process process;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;

  private RedisServer(int port) {
    this.port = port;
  }

  /**
   * Starts a redis-server on a free loopback port and waits until it accepts connections.
   *
   * @return the running server
   */
  public static RedisServer start() {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      RedisServer server = new RedisServer(freePort());
      try {
        server.launch();
        return server;
      } catch (IllegalStateException e) {
        last = e; // most likely the port was taken between probe and bind: try another
      }
    }
    throw last;
  }

  private static int freePort() {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch() {
    ProcessBuilder builder = new ProcessBuilder("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "notice")
        .redirectErrorStream(true);
    Process started;
    try {
      started = builder.start();
    } catch (IOException e) {
      throw new AssertionError("redis-server is not installed (or not on PATH); the buffer-redis"
          + " tests need a real one: apt-get install redis-server (.ci/run does this)", e);
    }
    CountDownLatch ready = new CountDownLatch(1);
    StringBuilder log = new StringBuilder();
    Thread drain = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = reader.readLine()) != null; ) {
          synchronized (log) {
            if (log.length() < 20_000) {
              log.append(line).append('\n');
            }
          }
          if (line.contains("Ready to accept connections")) {
            ready.countDown();
          }
        }
      } catch (IOException e) {
        // the server was killed: its output ends here
      } finally {
        ready.countDown();
      }
    }, "redis-server-" + port + "-output");
    drain.setDaemon(true);
    drain.start();
    try {
      if (!ready.await(20, TimeUnit.SECONDS) || !started.isAlive()) {
        started.destroyForcibly();
        synchronized (log) {
          throw new IllegalStateException("redis-server on port " + port + " did not start:\n" + log);
        }
      }
    } catch (InterruptedException e) {
      started.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting redis-server", e);
    }
    process = started;
    // A test JVM that ends without its @AfterEach (Ctrl-C, a timeout) must not leave the server.
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "redis-server-" + port
        + "-reaper"));
  }

  /**
   * Returns the server's URI.
   *
   * @return {@code redis://127.0.0.1:<port>}
   */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server with SIGKILL: its data is gone (persistence is off). */
  public void kill() {
    closeInspector();
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts an empty redis-server again on the same port. */
  public void restart() {
    launch();
  }

  /**
   * Returns a plain connection for the test to look at (and tamper with) the keys.
   *
   * @return synchronous commands on one shared connection
   */
  public RedisCommands<String, String> inspect() {
    if (connection == null) {
      client = RedisClient.create(uri());
      connection = client.connect();
    }
    return connection.sync();
  }

  /**
   * Counts the valid leases of a playlist by the server's clock, in one atomic script.
   *
   * @param prefix the pool's key prefix
   * @param playlistId the playlist
   * @return leases whose expiry is after the server's time
   */
  public long validLeases(String prefix, String playlistId) {
    return countValid(inspect(), prefix, playlistId);
  }

  /**
   * Opens a separate connection, for a sampling thread.
   *
   * @return a connection of its own; close it
   */
  public Inspector inspector() {
    return new Inspector(RedisClient.create(uri()));
  }

  /** A connection of its own that counts valid leases. */
  public static final class Inspector implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private Inspector(RedisClient client) {
      this.client = client;
      this.connection = client.connect();
    }

    /**
     * Counts the valid leases of a playlist, as {@link RedisServer#validLeases} does.
     *
     * @param prefix the pool's key prefix
     * @param playlistId the playlist
     * @return leases whose expiry is after the server's time
     */
    public long validLeases(String prefix, String playlistId) {
      return countValid(connection.sync(), prefix, playlistId);
    }

    /** Closes the connection. */
    @Override
    public void close() {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static long countValid(RedisCommands<String, String> redis, String prefix,
      String playlistId) {
    List<Object> reply = redis.eval("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        return {redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%d', now), '+inf')}
        """, ScriptOutputType.MULTI, prefix + "playlist:" + playlistId + ":leases");
    return (Long) reply.get(0);
  }

  private void closeInspector() {
    if (connection != null) {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      connection = null;
      client = null;
    }
  }

  /** Kills the server (its data is not kept) and closes the inspecting connection. */
  @Override
  public void close() {
    closeInspector();
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
