package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads against one registry. These tests do not sleep and assert no timings: they race real
 * threads as hard as two cores allow and check the invariants afterwards and in every event.
 */
class RegistryConcurrencyTest {

  /** The seed write-up's curl test, in Java: 64 first viewers of one playlist at the same instant. */
  @Test
  void sixtyFourThreadsRacingGetOrCreateCreateThePlaylistOnce() throws Exception {
    int threads = 64;
    AtomicInteger initializerRuns = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (PlaylistRegistry registry = PlaylistRegistry.builder().build();
        LogCapture log = new LogCapture()) {
      List<Future<Playlist>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return registry.getOrCreate("SAME_STREAM_ID", id -> {
            initializerRuns.incrementAndGet();
            return PlaylistSettings.withTuners(2).withAttribute("initialized", "yes");
          });
        }));
      }
      start.countDown();

      Playlist first = results.get(0).get(30, TimeUnit.SECONDS);
      for (Future<Playlist> result : results) {
        Playlist seen = result.get(30, TimeUnit.SECONDS);
        assertThat(seen).isSameAs(first);
        assertThat(seen.settings().attribute("initialized")).isEqualTo("yes");
      }
      assertThat(initializerRuns).hasValue(1);
      assertThat(log.linesContaining("Creating new playlist for ID: SAME_STREAM_ID")).hasSize(1);
      assertThat(log.linesContaining("Creating new playlist for ID")).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * 8 threads x 10,000 acquire/close on a handful of ids while another thread loops cleanup() with a
   * ticker that keeps moving past every grace period: afterwards nothing is left, and no event ever
   * shows a negative or over-limit count.
   */
  @Test
  void churnAgainstAConcurrentCleanupLeavesNothingBehind(@TempDir Path base) throws Exception {
    int workers = 8;
    // Divided under PIT's mutation profile (buffercore.test.roundDivisor), as in EventOrderTest.
    int iterations = Math.max(100, 10_000 / Integer.getInteger("buffercore.test.roundDivisor", 1));
    int tunerLimit = 3;
    Ticker.Manual ticker = Ticker.manual();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    Map<String, AtomicInteger> clientsByStream = new ConcurrentHashMap<>();
    RegistryListener checker = event -> {
      if (event.streamClients() < 0 || event.tunersInUse() < 0
          || event.tunersInUse() > event.tunerLimit()) {
        violations.add("bad counts in " + event);
      }
      String key = event.playlistId() + "/" + event.streamId();
      switch (event.type()) {
        case CLIENT_JOINED -> clientsByStream.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        case CLIENT_LEFT, CLIENT_EVICTED -> {
          if (clientsByStream.computeIfAbsent(key, k -> new AtomicInteger()).decrementAndGet() < 0) {
            violations.add("client count below zero after " + event);
          }
        }
        default -> { }
      }
    };
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .ticker(ticker)
        .manualCleanup() // the test's cleaner thread is the only one
        .listener(checker)
        // Nobody goes stale: every client closes its own lease. The cleaner moves the ticker 500 ms per
        // pass and may pass a million times while a worker is descheduled, so "never" must be long.
        .staleAfter(Duration.ofDays(100_000))
        .streamGrace(Duration.ofSeconds(1))
        .idleGrace(Duration.ofSeconds(1))
        .workingFolderBase(base)
        .build();
    String[] playlistIds = {"p0", "p1", "p2"};
    String[] streamIds = {"s0", "s1", "s2", "s3"};
    AtomicBoolean workersDone = new AtomicBoolean();
    AtomicInteger refusals = new AtomicInteger();
    AtomicInteger cleanups = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(workers + 1);
    try {
      Future<?> cleaner = pool.submit(() -> {
        while (!workersDone.get()) {
          ticker.advance(Duration.ofMillis(500));
          registry.cleanup();
          cleanups.incrementAndGet();
        }
      });
      List<Future<?>> futures = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int w = 0; w < workers; w++) {
        int seed = w;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < iterations; i++) {
            String playlistId = playlistIds[(seed + i) % playlistIds.length];
            String streamId = streamIds[(seed * 7 + i) % streamIds.length];
            try (ClientLease lease = registry.acquire(playlistId, streamId,
                id -> PlaylistSettings.withTuners(tunerLimit))) {
              lease.touch();
              if (!lease.isOpen()) {
                violations.add("lease closed behind its client's back: " + lease);
              }
            } catch (TunerLimitExceededException busy) {
              refusals.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(5, TimeUnit.MINUTES);
      }
      workersDone.set(true);
      cleaner.get(1, TimeUnit.MINUTES);

      assertThat(violations).isEmpty();
      RegistrySnapshot afterWork = registry.snapshot();
      assertThat(afterWork.totalClients()).isZero();
      assertThat(clientsByStream.values()).allSatisfy(count -> assertThat(count.get()).isZero());

      ticker.advance(Duration.ofSeconds(2));
      registry.cleanup();
      assertThat(registry.snapshot().playlists()).isEmpty();
      try (Stream<Path> left = Files.list(base)) {
        assertThat(left).isEmpty();
      }
      assertThat(cleanups.get()).isPositive();
    } finally {
      pool.shutdownNow();
      registry.close();
    }
  }
}
