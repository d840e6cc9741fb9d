package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input gets a clear, typed error naming the value, and changes nothing. */
class ValidationTest {

  private final RecordingListener listener = new RecordingListener();
  private final PlaylistRegistry registry = PlaylistRegistry.builder().listener(listener).build();

  @AfterEach
  void close() {
    registry.close();
  }

  static Stream<Arguments> invalidIds() {
    return Stream.of(
        Arguments.of(null, "must not be null"),
        Arguments.of("", "must not be empty"),
        Arguments.of("x".repeat(257), "at most 256"),
        Arguments.of("a/b", "'a/b'"),
        Arguments.of("a\\b", "'a\\b'"),
        Arguments.of("..", "'..'"),
        Arguments.of("a..b", "'a..b'"),
        Arguments.of(".", "'.'"),
        Arguments.of("../etc", "path separators"),
        Arguments.of("a\nb", "control character"),
        Arguments.of("a\u0000b", "control character"));
  }

  @ParameterizedTest
  @MethodSource("invalidIds")
  void invalidPlaylistIdsAreRefusedByEveryOperation(String id, String messagePart) {
    registry.getOrCreate("ok", p -> PlaylistSettings.withTuners(1));
    RegistrySnapshot before = registry.snapshot();
    listener.clear();

    for (Consumer<String> operation : java.util.List.<Consumer<String>>of(
        bad -> registry.getOrCreate(bad, p -> PlaylistSettings.withTuners(1)),
        bad -> registry.find(bad),
        bad -> registry.update(bad, s -> s),
        bad -> registry.acquire(bad, "s1"),
        bad -> registry.acquire(bad, "s1", p -> PlaylistSettings.withTuners(1)),
        bad -> registry.acquire("ok", bad),
        bad -> registry.acquire("ok", bad, p -> PlaylistSettings.withTuners(1)))) {
      assertThatThrownBy(() -> operation.accept(id))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Id")
          .hasMessageContaining(messagePart);
    }

    assertThat(registry.snapshot()).isEqualTo(before);
    assertThat(listener.events).isEmpty();
  }

  @Test
  void idsOfExactly256CharactersAndOrdinaryPunctuationAreAccepted() {
    String longest = "x".repeat(256);
    assertThatCode(() -> registry.getOrCreate(longest, p -> PlaylistSettings.withTuners(1)))
        .doesNotThrowAnyException();
    assertThatCode(() -> registry.acquire("m3u-1.local_tv", "ch 7+HD:de", p -> PlaylistSettings.withTuners(1)).close())
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void tunerLimitsBelowOneAreRefused(int limit) {
    assertThatThrownBy(() -> PlaylistSettings.withTuners(limit))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tunerLimit")
        .hasMessageContaining(String.valueOf(limit));
    assertThatThrownBy(() -> registry.getOrCreate("p1", p -> PlaylistSettings.withTuners(limit)))
        .isInstanceOf(PlaylistInitializationException.class)
        .hasRootCauseInstanceOf(IllegalArgumentException.class);
    assertThat(registry.snapshot().playlists()).isEmpty();
  }

  @Test
  void negativeDurationsAreRefusedNamingTheSetting() {
    Duration negative = Duration.ofSeconds(-1);
    PlaylistRegistry.Builder builder = PlaylistRegistry.builder();
    assertThatThrownBy(() -> builder.staleAfter(negative))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("staleAfter").hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> builder.staleAfter(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("staleAfter");
    assertThatThrownBy(() -> builder.streamGrace(negative))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("streamGrace");
    assertThatThrownBy(() -> builder.idleGrace(negative))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleGrace");
    var scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      assertThatThrownBy(() -> builder.scheduler(scheduler, negative))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval");
    } finally {
      scheduler.shutdownNow();
    }
    assertThatThrownBy(() -> builder.ticker(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("ticker");
  }

  @Test
  void durationsTooLongForNanosecondArithmeticAreRefusedInTheSetter() throws Exception {
    Duration tooLong = Duration.ofDays(PlaylistRegistry.Builder.MAX_DURATION_DAYS + 1);
    Duration longest = Duration.ofDays(PlaylistRegistry.Builder.MAX_DURATION_DAYS);
    PlaylistRegistry.Builder builder = PlaylistRegistry.builder();
    assertThatThrownBy(() -> builder.staleAfter(tooLong))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("staleAfter")
        .hasMessageContaining("between 0 and PT2400000H");
    assertThatThrownBy(() -> builder.streamGrace(Duration.ofDays(365 * 300)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("streamGrace");
    assertThatThrownBy(() -> builder.idleGrace(tooLong))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleGrace");
    assertThatThrownBy(() -> builder.startTimeout(Duration.ofDays(365 * 1000)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startTimeout");
    // The longest accepted values build a registry whose streams work.
    byte[] clip = new byte[188 * 10];
    for (int i = 0; i < clip.length; i += 188) {
      clip[i] = 0x47;
    }
    try (PlaylistRegistry built = builder.staleAfter(longest).streamGrace(longest).idleGrace(longest)
        .startTimeout(longest).upstream(InProcessUpstreamSource.looping(clip).build(),
            (p, s) -> UpstreamTarget.of(java.net.URI.create("inprocess:" + s))).build();
        ClientLease lease = built.acquire("p1", "s1", id -> PlaylistSettings.withTuners(1))) {
      byte[] packet = new byte[188];
      assertThat(lease.reader().read(packet, 0, packet.length, Duration.ofSeconds(30))).isPositive();
      assertThat(built.snapshot().playlists()).hasSize(1);
    }
  }

  @Test
  void aClosedLeaseRefusesItsReaderAndAClosedRegistryThrowsItsOwnType() {
    try (PlaylistRegistry streaming = PlaylistRegistry.builder()
        .upstream(InProcessUpstreamSource.looping(new byte[188 * 10]).build(),
            (p, s) -> UpstreamTarget.of(java.net.URI.create("inprocess:" + s)))
        .build()) {
      ClientLease lease = streaming.acquire("p1", "s1", id -> PlaylistSettings.withTuners(1));
      lease.reader();
      lease.close();
      assertThatThrownBy(lease::reader).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no longer open").hasMessageContaining("s1").hasMessageContaining("p1");
    }
    registry.close();
    assertThatThrownBy(() -> registry.getOrCreate("p2", p -> PlaylistSettings.withTuners(1)))
        .isInstanceOf(RegistryClosedException.class).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void nullArgumentsAreRefusedByName() {
    assertThatThrownBy(() -> registry.getOrCreate("p1", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("initializer");
    registry.getOrCreate("p1", p -> PlaylistSettings.withTuners(1));
    assertThatThrownBy(() -> registry.update("p1", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
    assertThatThrownBy(() -> new PlaylistSettings(1, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attributes");
  }
}
