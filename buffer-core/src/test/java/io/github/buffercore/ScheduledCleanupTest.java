package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry's own timers: periodic cleanup and the end of a stream's grace period. */
class ScheduledCleanupTest {

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void periodicCleanupRemovesAnIdlePlaylistWithoutAnExplicitCall() throws Exception {
    Ticker.Manual ticker = Ticker.manual();
    CountDownLatch removed = new CountDownLatch(1);
    try (PlaylistRegistry registry = PlaylistRegistry.builder().ticker(ticker)
        .idleGrace(Duration.ofSeconds(5))
        .scheduler(scheduler, Duration.ofMillis(5))
        .listener(e -> {
          if (e.type() == RegistryEvent.Type.PLAYLIST_REMOVED) {
            removed.countDown();
          }
        }).build()) {
      registry.getOrCreate("p1", id -> PlaylistSettings.withTuners(1));
      ticker.advance(Duration.ofSeconds(5));
      assertThat(removed.await(30, TimeUnit.SECONDS)).as("removed by the scheduled cleanup").isTrue();
      assertThat(registry.find("p1")).isEmpty();
    }
  }

  @Test
  void theGraceTimerStopsAnIdleStreamAndClosingTheRegistryCancelsCleanup() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .streamGrace(Duration.ofMillis(20))
        .scheduler(scheduler, Duration.ofHours(1))
        .listener(e -> {
          if (e.type() == RegistryEvent.Type.STREAM_STOPPED) {
            stopped.countDown();
          }
        }).build();
    registry.acquire("p1", "s1", id -> PlaylistSettings.withTuners(1)).close();
    assertThat(stopped.await(30, TimeUnit.SECONDS)).as("stopped when the grace ended").isTrue();
    assertThat(registry.snapshot().totalStreams()).isZero();

    registry.close();
    assertThat(scheduler.isShutdown()).as("the scheduler stays the caller's").isFalse();
  }
}
