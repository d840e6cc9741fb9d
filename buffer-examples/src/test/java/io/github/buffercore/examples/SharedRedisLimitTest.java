package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.redis.RedisServer;
import io.github.buffercore.redis.RedisTunerPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --redis}: example servers pointed at one real redis-server share one account's tuner limit.
 * Three demo apps (the demo playlist allows {@value DemoChannel#TUNERS} tuners) each open the demo
 * channel: the first two get a tuner, the third is refused by the leases the others hold in Redis,
 * although it has no stream of its own.
 */
class SharedRedisLimitTest {

  private final RedisServer redis = RedisServer.start();
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    redis.close();
  }

  private ProxyApp server(String... args) throws Exception {
    Launcher.Options options = Launcher.Options.parse(args);
    RedisTunerPool pool = Launcher.tunerPool(options);
    opened.add(pool);
    ProxyApp app = Launcher.app(options, pool);
    opened.add(app);
    return app;
  }

  @Test
  void exampleServersOnOneRedisShareTheDemoPlaylistsTuners() throws Exception {
    // Not about a new Redis: mark its lease data as old, so no one-TTL quarantine applies.
    redis.inspect().set(RedisTunerPool.DEFAULT_KEY_PREFIX + "epoch", "0");
    List<ProxyApp> servers = List.of(server("--redis", redis.uri(), "--port", "0"),
        server("--redis", redis.uri()), server("--redis", redis.uri(), "--grace", "1"));

    List<ClientLease> viewers = new ArrayList<>();
    for (ProxyApp server : servers.subList(0, DemoChannel.TUNERS)) {
      ClientLease lease = server.registry().acquire(DemoChannel.PLAYLIST, DemoChannel.CHANNEL,
          id -> PlaylistSettings.withTuners(DemoChannel.TUNERS));
      opened.add(lease);
      viewers.add(lease);
      byte[] buffer = new byte[188 * 7];
      assertThat(lease.reader().read(buffer, 0, buffer.length, Duration.ofSeconds(10)))
          .as("the demo streams on each of the first servers").isPositive();
    }
    assertThatThrownBy(() -> servers.get(2).registry().acquire(DemoChannel.PLAYLIST,
        DemoChannel.CHANNEL, id -> PlaylistSettings.withTuners(DemoChannel.TUNERS)))
        .isInstanceOf(TunerLimitExceededException.class)
        .hasMessageContaining(DemoChannel.PLAYLIST);
    assertThat(redis.validLeases(RedisTunerPool.DEFAULT_KEY_PREFIX, DemoChannel.PLAYLIST))
        .isEqualTo(DemoChannel.TUNERS);
  }

  @Test
  void theRedisOptionIsParsedAndABadUriIsRefused() {
    assertThat(Launcher.Options.parse(new String[] {"--redis", "redis://127.0.0.1:6390"}).redis())
        .isEqualTo("redis://127.0.0.1:6390");
    assertThat(Launcher.Options.parse(new String[0]).redis()).isNull();
    assertThat(Launcher.tunerPool(Launcher.Options.parse(new String[0]))).isNull();
    assertThatThrownBy(() -> Launcher.tunerPool(Launcher.Options.parse(
        new String[] {"--redis", "localhost:6379"})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("localhost:6379");
    assertThatThrownBy(() -> Launcher.Options.parse(new String[] {"--redis"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--redis needs a value");
  }
}
