package io.github.buffercore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.ClientLease;
import io.github.buffercore.InProcessUpstreamSource;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamRequest;
import io.github.buffercore.UpstreamSource;
import io.github.buffercore.UpstreamTarget;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two registries in one JVM, each with its own {@link RedisTunerPool} on one real redis-server,
 * hammered by several threads on one playlist of limit N: never more than N upstream connections
 * open at once, never more than N valid leases in Redis at any sampled moment, every refusal a
 * {@link TunerLimitExceededException} naming the holders.
 */
class RegistryContentionTest {

  static final int LIMIT = 2;
  static final Duration TTL = Duration.ofMillis(1000);

  /** Counts the connections of a source, from the start of their opening to the end of closing. */
  static final class CountingSource implements UpstreamSource {
    final UpstreamSource inner;
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();

    CountingSource(UpstreamSource inner) {
      this.inner = inner;
    }

    @Override
    public UpstreamConnection open(UpstreamRequest request) throws IOException {
      maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      UpstreamConnection connection;
      try {
        connection = inner.open(request);
      } catch (IOException | RuntimeException e) {
        open.decrementAndGet();
        throw e;
      }
      opened.incrementAndGet();
      AtomicBoolean closed = new AtomicBoolean();
      return new UpstreamConnection() {
        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          return connection.read(buf, off, len);
        }

        @Override
        public void close() {
          connection.close();
          if (closed.compareAndSet(false, true)) {
            open.decrementAndGet();
          }
        }
      };
    }
  }

  private RedisServer redis;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    redis.inspect().set(RedisTunerPool.DEFAULT_KEY_PREFIX + "epoch", "0"); // no quarantine to wait
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    redis.close();
  }

  private PlaylistRegistry registry(String node, UpstreamSource source) {
    RedisTunerPool pool = RedisTunerPool.builder(redis.uri()).leaseTtl(TTL).nodeId(node).build();
    resources.add(pool);
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .tunerPool(pool)
        .streamGrace(Duration.ZERO)
        .upstream(source, (playlistId, channelId) -> UpstreamTarget.of(URI.create("inprocess:" + channelId)))
        .build();
    resources.add(registry);
    return registry;
  }

  private static ClientLease watch(PlaylistRegistry registry, String channel) throws Exception {
    ClientLease lease = registry.acquire("provider", channel, id -> PlaylistSettings.withTuners(LIMIT));
    try {
      byte[] buffer = new byte[188 * 7];
      int n = lease.reader().read(buffer, 0, buffer.length, Duration.ofSeconds(10));
      assertThat(n).as("bytes of " + channel).isPositive();
      return lease;
    } catch (Exception | AssertionError e) {
      lease.close();
      throw e;
    }
  }

  @Test
  void twoRegistriesHammeringOnePlaylistNeverExceedTheLimit() throws Exception {
    byte[] clip = new byte[188 * 100];
    for (int p = 0; p < 100; p++) {
      clip[p * 188] = 0x47;
    }
    CountingSource source = new CountingSource(
        InProcessUpstreamSource.looping(clip).bytesPerSecond(200_000).build());
    List<PlaylistRegistry> registries = List.of(registry("node-a", source), registry("node-b", source));

    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicLong maxValid = new AtomicLong();
    Thread sampler = new Thread(() -> {
      try (RedisServer.Inspector inspector = redis.inspector()) {
        while (sampling.get()) {
          maxValid.accumulateAndGet(inspector.validLeases(RedisTunerPool.DEFAULT_KEY_PREFIX,
              "provider"), Math::max);
        }
      }
    }, "lease-sampler");
    sampler.start();
    ExecutorService threads = Executors.newFixedThreadPool(6);
    Map<String, Throwable> untyped = new ConcurrentHashMap<>();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger watched = new AtomicInteger();
    try {
      // Every slot held by node-a: the others wait out the registry's tuner wait, then are refused.
      List<ClientLease> hog = List.of(watch(registries.get(0), "hog-0"), watch(registries.get(0), "hog-1"));
      List<Future<Throwable>> asking = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        PlaylistRegistry registry = registries.get(i % 2);
        String channel = "late-" + i;
        asking.add(threads.submit(() -> {
          try {
            watch(registry, channel).close();
            return null;
          } catch (Throwable t) {
            return t;
          }
        }));
      }
      for (Future<Throwable> answer : asking) {
        Throwable refusal = answer.get(60, TimeUnit.SECONDS);
        assertThat(refusal).isInstanceOf(TunerLimitExceededException.class);
        assertThat(((TunerLimitExceededException) refusal).activeStreams())
            .containsExactlyInAnyOrder("hog-0", "hog-1");
      }
      hog.forEach(ClientLease::close);

      // Then six threads, three per registry, take turns on the two tuners.
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        PlaylistRegistry registry = registries.get(t % 2);
        String channel = "ch-" + t;
        done.add(threads.submit(() -> {
          for (int i = 0; i < 8; i++) {
            try {
              watch(registry, channel).close();
              watched.incrementAndGet();
            } catch (TunerLimitExceededException busy) {
              refused.incrementAndGet();
            } catch (Throwable other) {
              untyped.put(channel + "#" + i, other);
            }
          }
          return null;
        }));
      }
      for (Future<?> future : done) {
        future.get(120, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
      sampling.set(false);
      sampler.join();
    }
    assertThat(untyped).as("failures other than a typed refusal").isEmpty();
    assertThat(watched.get()).isPositive();
    assertThat(source.maxOpen.get()).as("upstream connections open at once").isEqualTo(LIMIT);
    assertThat(maxValid.get()).as("valid leases in Redis at any sampled moment")
        .isLessThanOrEqualTo(LIMIT);
    assertThat(source.opened.get()).isGreaterThanOrEqualTo(2 + watched.get());
  }
}
