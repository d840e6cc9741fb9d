package io.github.buffercore.redis;

import io.github.buffercore.BufferCoreException;
import io.github.buffercore.ClientLease;
import io.github.buffercore.HttpUpstreamSource;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.StreamReader;
import io.github.buffercore.UpstreamTarget;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM of the registry tests: one proxy node, a {@link PlaylistRegistry} with a
 * {@link RedisTunerPool}, whose upstream for channel {@code c} is {@code <upstream>/<node>/<c>}. One
 * viewer thread per channel keeps trying to watch it: acquire, read until the stream ends, try again
 * 100 ms later. Prints {@code PLAYING <channel>}, {@code REFUSED <channel> <exception>},
 * {@code ENDED <channel> <reason>}, and {@code READ <channel> <bytes> <wall millis> <late marks>} for
 * every read that returned bytes, the last field counting the {@link CountingUpstream#LATE_MARK} bytes
 * among them. {@code EXIT} on stdin closes everything; ends by itself after
 * {@code maxRunSeconds}.
 *
 * <p>Arguments: redisUri ttlMillis upstreamBase nodeId limit channels maxRunSeconds.
 */
public final class RegistryNodeMain {

  private RegistryNodeMain() { }

  /**
   * Runs the node.
   *
   * @param args see the class comment
   * @throws Exception on any failure
   */
  public static void main(String[] args) throws Exception {
    String redis = args[0];
    Duration ttl = Duration.ofMillis(Long.parseLong(args[1]));
    String upstream = args[2];
    String nodeId = args[3];
    int limit = Integer.parseInt(args[4]);
    int channels = Integer.parseInt(args[5]);
    long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[6]));
    RedisTunerPool pool = RedisTunerPool.builder(redis).leaseTtl(ttl).nodeId(nodeId).build();
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .tunerPool(pool)
        .streamGrace(Duration.ZERO)
        .upstream(HttpUpstreamSource.builder().build(),
            (playlistId, channelId) -> UpstreamTarget.of(URI.create(upstream + "/" + nodeId + "/"
                + channelId)))
        .build();
    java.util.List<Thread> viewers = new java.util.ArrayList<>();
    for (int i = 0; i < channels; i++) {
      String channel = nodeId + "-ch" + i;
      Thread viewer = new Thread(() -> watch(registry, channel, limit, endAt), "viewer-" + channel);
      viewer.setDaemon(true);
      viewer.start();
      viewers.add(viewer);
    }
    Thread input = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          if (line.equals("EXIT")) {
            // Clients first, then the registry, then the pool: a viewer still inside acquire could
            // otherwise take a lease while the pool closes, and that lease would only expire by TTL.
            exiting = true;
            for (Thread viewer : viewers) {
              viewer.interrupt();
              viewer.join(5_000);
            }
            registry.close();
            pool.close();
            say("BYE");
            System.exit(0);
          }
        }
      } catch (Exception e) {
        e.printStackTrace();
      }
    }, "stdin");
    input.setDaemon(true);
    input.start();
    while (System.nanoTime() - endAt < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    System.exit(3);
  }

  /** Set on EXIT: viewers stop retrying. */
  private static volatile boolean exiting;

  private static void watch(PlaylistRegistry registry, String channel, int limit, long endAt) {
    byte[] buffer = new byte[64 * 1024];
    while (!exiting && System.nanoTime() - endAt < 0) {
      try (ClientLease lease = registry.acquire("provider", channel,
          id -> PlaylistSettings.withTuners(limit))) {
        say("PLAYING " + channel);
        StreamReader reader = lease.reader();
        for (int n; (n = reader.read(buffer, 0, buffer.length, Duration.ofSeconds(1))) >= 0; ) {
          lease.touch();
          if (n > 0) {
            int late = 0;
            for (int i = 0; i < n; i++) {
              late += buffer[i] == CountingUpstream.LATE_MARK ? 1 : 0;
            }
            say("READ " + channel + " " + n + " " + System.currentTimeMillis() + " " + late);
          }
        }
        say("ENDED " + channel + " end of stream");
      } catch (BufferCoreException e) {
        say((e instanceof io.github.buffercore.UpstreamException ? "ENDED " : "REFUSED ") + channel
            + " " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage())
            .replace('\n', ' '));
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        say("ERROR " + channel + " " + e);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // a viewer retrying
    }
  }

  private static void say(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }
}
