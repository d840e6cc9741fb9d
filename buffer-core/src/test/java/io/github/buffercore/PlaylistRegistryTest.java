package io.github.buffercore;

import static io.github.buffercore.RegistryEvent.Type.CLIENT_EVICTED;
import static io.github.buffercore.RegistryEvent.Type.CLIENT_JOINED;
import static io.github.buffercore.RegistryEvent.Type.CLIENT_LEFT;
import static io.github.buffercore.RegistryEvent.Type.PLAYLIST_CREATED;
import static io.github.buffercore.RegistryEvent.Type.PLAYLIST_REMOVED;
import static io.github.buffercore.RegistryEvent.Type.STREAM_STARTED;
import static io.github.buffercore.RegistryEvent.Type.STREAM_STOPPED;
import static io.github.buffercore.RegistryEvent.Type.TUNER_LIMIT_REACHED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PlaylistRegistryTest {

  private final Ticker.Manual ticker = Ticker.manual();
  private final RecordingListener listener = new RecordingListener();
  private PlaylistRegistry registry = newRegistry(Duration.ZERO);

  private PlaylistRegistry newRegistry(Duration streamGrace) {
    return PlaylistRegistry.builder()
        .ticker(ticker)
        .listener(listener)
        .staleAfter(Duration.ofSeconds(30))
        .streamGrace(streamGrace)
        .idleGrace(Duration.ofSeconds(60))
        .manualCleanup() // the tests run cleanup themselves, at the times they set
        .build();
  }

  @AfterEach
  void closeRegistry() {
    registry.close();
  }

  private static PlaylistInitializer tuners(int limit) {
    return id -> PlaylistSettings.withTuners(limit);
  }

  @Nested
  class GetOrCreate {

    @Test
    void createsOnceAndReturnsTheSameInstanceOnAHit() {
      AtomicInteger runs = new AtomicInteger();
      PlaylistInitializer init = id -> {
        runs.incrementAndGet();
        return PlaylistSettings.withTuners(2).withAttribute("source", "m3u://" + id);
      };

      Playlist first = registry.getOrCreate("p1", init);
      Playlist second = registry.getOrCreate("p1", init);

      assertThat(second).isSameAs(first);
      assertThat(runs).hasValue(1);
      assertThat(first.id()).isEqualTo("p1");
      assertThat(first.tunerLimit()).isEqualTo(2);
      assertThat(first.settings().attribute("source")).isEqualTo("m3u://p1");
      assertThat(first.workingFolder()).isEmpty();
      assertThat(listener.types()).containsExactly(PLAYLIST_CREATED);
      assertThat(registry.find("p1")).containsSame(first);
    }

    @Test
    void aFailingInitializerStoresNothingAndALaterCallRetries() {
      IOException boom = new IOException("M3U source unreachable");
      assertThatThrownBy(() -> registry.getOrCreate("p1", id -> { throw boom; }))
          .isInstanceOf(PlaylistInitializationException.class)
          .hasMessageContaining("'p1'")
          .hasCause(boom)
          .satisfies(e -> assertThat(((BufferCoreException) e).playlistId()).isEqualTo("p1"));

      assertThat(registry.find("p1")).isEmpty();
      assertThat(registry.snapshot().playlists()).isEmpty();
      assertThat(listener.events).isEmpty();

      Playlist created = registry.getOrCreate("p1", tuners(1));
      assertThat(created.tunerLimit()).isEqualTo(1);
    }

    @Test
    void anInitializerReturningNullIsAFailure() {
      assertThatThrownBy(() -> registry.getOrCreate("p1", id -> null))
          .isInstanceOf(PlaylistInitializationException.class)
          .hasRootCauseInstanceOf(NullPointerException.class);
      assertThat(registry.find("p1")).isEmpty();
    }

    @Test
    void aCallerThatWaitedForAnotherThreadsCreationGetsThatPlaylist() throws Exception {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch initializing = new CountDownLatch(1);
      CompletableFuture<Playlist> creator = CompletableFuture.supplyAsync(() -> registry.getOrCreate("p1",
          id -> {
            initializing.countDown();
            release.await(30, TimeUnit.SECONDS);
            return PlaylistSettings.withTuners(2);
          }));
      assertThat(initializing.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Playlist> second = new CompletableFuture<>();
      Thread waiter = new Thread(() -> {
        try {
          second.complete(registry.getOrCreate("p1", id -> PlaylistSettings.withTuners(9)));
        } catch (RuntimeException e) {
          second.completeExceptionally(e);
        }
      }, "second-caller");
      waiter.start();
      // The second caller parks on the pending creation (it cannot finish before the release).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (waiter.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(second).isNotDone();
      release.countDown();

      Playlist created = creator.get(30, TimeUnit.SECONDS);
      assertThat(second.get(30, TimeUnit.SECONDS)).isSameAs(created);
      assertThat(created.tunerLimit()).isEqualTo(2);
      waiter.join(TimeUnit.SECONDS.toMillis(30));
    }

    @Test
    void anInterruptedInitializerLeavesTheCallerInterruptedAndAnOrdinaryFailureDoesNot() {
      try {
        assertThatThrownBy(() -> registry.getOrCreate("p1", id -> {
          throw new InterruptedException("server shutting down");
        })).isInstanceOf(PlaylistInitializationException.class)
            .hasCauseInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).as("the swallowed interrupt is restored").isTrue();

        assertThatThrownBy(() -> registry.getOrCreate("p1", id -> {
          throw new IOException("M3U source unreachable");
        })).isInstanceOf(PlaylistInitializationException.class);
        assertThat(Thread.interrupted()).as("no interrupt out of an ordinary failure").isFalse();
        assertThat(registry.find("p1")).isEmpty();
      } finally {
        Thread.interrupted(); // never hand an interrupted thread to the next test
      }
    }

    @Test
    void anInitializerCallingBackForItsOwnIdIsRefusedInsteadOfDeadlocking() {
      assertThatThrownBy(() -> registry.getOrCreate("p1", id -> {
        registry.getOrCreate("p1", tuners(1));
        return PlaylistSettings.withTuners(1);
      })).isInstanceOf(PlaylistInitializationException.class)
          .hasRootCauseInstanceOf(IllegalStateException.class)
          .hasStackTraceContaining("called back into the registry for the same id");
      assertThat(registry.find("p1")).isEmpty();
    }

    @Test
    void aWaitingCallerReceivesTheCreatorsFailureWrappedWithTheId() throws Exception {
      java.util.concurrent.CountDownLatch initializerEntered = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      IllegalStateException boom = new IllegalStateException("bad M3U");
      Thread creator = new Thread(() -> {
        try {
          registry.getOrCreate("p1", id -> {
            initializerEntered.countDown();
            release.await();
            throw boom;
          });
        } catch (PlaylistInitializationException expected) {
          // asserted through the waiter below
        }
      });
      creator.start();
      initializerEntered.await();

      java.util.concurrent.atomic.AtomicReference<Throwable> waiterFailure =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          registry.getOrCreate("p1", tuners(1));
        } catch (Throwable t) {
          waiterFailure.set(t);
        }
      });
      waiter.start();
      // The waiter must be parked on the pending creation before the initializer fails.
      while (waiter.getState() != Thread.State.WAITING && waiter.isAlive()) {
        Thread.onSpinWait();
      }
      release.countDown();
      creator.join();
      waiter.join();

      assertThat(waiterFailure.get())
          .isInstanceOf(PlaylistInitializationException.class)
          .hasMessageContaining("'p1'")
          .hasCause(boom);
      assertThat(registry.find("p1")).isEmpty();
    }
  }

  @Nested
  class Update {

    @Test
    void replacesTheSettingsAndKeepsStreamsAndGeneration() {
      Playlist created = registry.getOrCreate("p1", tuners(1));
      ClientLease lease = registry.acquire("p1", "s1");

      Playlist updated = registry.update("p1", s -> s.withTunerLimit(3).withAttribute("name", "News"));

      assertThat(updated.tunerLimit()).isEqualTo(3);
      assertThat(updated.settings().attribute("name")).isEqualTo("News");
      assertThat(updated.generation()).isEqualTo(created.generation());
      assertThat(registry.find("p1")).containsSame(updated);
      assertThat(registry.snapshot().playlist("p1").orElseThrow().clients()).isEqualTo(1);
      lease.close();
    }

    @Test
    void aMissingPlaylistIsATypedError() {
      assertThatThrownBy(() -> registry.update("nope", s -> s))
          .isInstanceOf(PlaylistNotFoundException.class)
          .hasMessageContaining("'nope'");
    }

    @Test
    void aFunctionReturningNullChangesNothing() {
      Playlist created = registry.getOrCreate("p1", tuners(1));
      assertThatThrownBy(() -> registry.update("p1", s -> null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("p1");
      assertThat(registry.find("p1")).containsSame(created);
    }

    @Test
    void anInvalidTunerLimitFromTheFunctionChangesNothing() {
      Playlist created = registry.getOrCreate("p1", tuners(2));
      assertThatThrownBy(() -> registry.update("p1", s -> s.withTunerLimit(0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tunerLimit")
          .hasMessageContaining("0");
      assertThat(registry.find("p1")).containsSame(created);
    }

    @Test
    void loweringTheLimitBelowTheTunersInUseStopsNothingButRefusesNewStreams() {
      registry.getOrCreate("p1", tuners(2));
      ClientLease a = registry.acquire("p1", "a");
      ClientLease b = registry.acquire("p1", "b");

      registry.update("p1", s -> s.withTunerLimit(1));

      assertThat(registry.snapshot().playlist("p1").orElseThrow().tunersInUse()).isEqualTo(2);
      assertThatThrownBy(() -> registry.acquire("p1", "c"))
          .isInstanceOf(TunerLimitExceededException.class);
      a.close();
      assertThatThrownBy(() -> registry.acquire("p1", "c"))
          .isInstanceOf(TunerLimitExceededException.class);
      b.close();
      registry.acquire("p1", "c").close();
    }
  }

  @Nested
  class AcquireAndClose {

    @Test
    void theFirstClientStartsTheStreamAndLaterClientsShareItsTuner() {
      registry.getOrCreate("p1", tuners(1));
      listener.clear();

      ClientLease first = registry.acquire("p1", "s1");
      ClientLease second = registry.acquire("p1", "s1");

      assertThat(first.clientId()).isNotEqualTo(second.clientId());
      assertThat(first.playlistId()).isEqualTo("p1");
      assertThat(first.streamId()).isEqualTo("s1");
      assertThat(listener.types()).containsExactly(STREAM_STARTED, CLIENT_JOINED, CLIENT_JOINED);
      PlaylistSnapshot p1 = registry.snapshot().playlist("p1").orElseThrow();
      assertThat(p1.tunersInUse()).isEqualTo(1);
      assertThat(p1.streams()).singleElement()
          .satisfies(s -> assertThat(s.clients()).isEqualTo(2));
    }

    @Test
    void whenEveryTunerIsBusyANewStreamIsRefusedAndNothingChanges() {
      registry.getOrCreate("p1", tuners(2));
      ClientLease a = registry.acquire("p1", "a");
      ClientLease b = registry.acquire("p1", "b");
      RegistrySnapshot before = registry.snapshot();
      listener.clear();

      assertThatThrownBy(() -> registry.acquire("p1", "c"))
          .isInstanceOfSatisfying(TunerLimitExceededException.class, e -> {
            assertThat(e.playlistId()).isEqualTo("p1");
            assertThat(e.streamId()).isEqualTo("c");
            assertThat(e.tunerLimit()).isEqualTo(2);
            assertThat(e.activeStreams()).containsExactly("a", "b");
            assertThat(e.getMessage()).contains("'p1'", "2 tuner", "'c'");
          });

      assertThat(registry.snapshot()).isEqualTo(before);
      assertThat(listener.types()).containsExactly(TUNER_LIMIT_REACHED);
      // Joining a running stream needs no tuner, so it still works at the limit.
      registry.acquire("p1", "a").close();
      a.close();
      b.close();
    }

    @Test
    void closeIsIdempotentAndTheLastCloseStopsTheStreamAndFreesTheTuner() {
      registry.getOrCreate("p1", tuners(1));
      ClientLease first = registry.acquire("p1", "s1");
      ClientLease second = registry.acquire("p1", "s1");
      listener.clear();

      first.close();
      first.close();
      assertThat(first.isOpen()).isFalse();
      assertThat(second.isOpen()).isTrue();
      assertThat(registry.snapshot().playlist("p1").orElseThrow().clients()).isEqualTo(1);

      second.close();
      second.close();
      assertThat(listener.types()).containsExactly(CLIENT_LEFT, CLIENT_LEFT, STREAM_STOPPED);
      assertThat(registry.snapshot().playlist("p1").orElseThrow().tunersInUse()).isZero();
      registry.acquire("p1", "other").close();
    }

    @Test
    void aMissingPlaylistIsATypedError() {
      assertThatThrownBy(() -> registry.acquire("nope", "s1"))
          .isInstanceOf(PlaylistNotFoundException.class)
          .hasMessageContaining("'nope'");
    }

    @Test
    void acquireWithAnInitializerCreatesThePlaylistOnDemand() {
      try (ClientLease lease = registry.acquire("p1", "s1", tuners(4))) {
        assertThat(lease.isOpen()).isTrue();
        assertThat(registry.find("p1").orElseThrow().tunerLimit()).isEqualTo(4);
      }
      assertThat(listener.types()).containsExactly(
          PLAYLIST_CREATED, STREAM_STARTED, CLIENT_JOINED, CLIENT_LEFT, STREAM_STOPPED);
    }

    @Test
    void eventsCarryTheCountsOfTheStateTheyDescribe() {
      registry.getOrCreate("p1", tuners(3));
      ClientLease a = registry.acquire("p1", "s1");
      ClientLease b = registry.acquire("p1", "s1");
      RegistryEvent joined = listener.events.stream().filter(e -> e.clientId() == b.clientId())
          .findFirst().orElseThrow();
      assertThat(joined).isEqualTo(new RegistryEvent(CLIENT_JOINED, "p1", "s1", b.clientId(), 2, 1, 3));
      a.close();
      b.close();
    }
  }

  @Nested
  class StreamGrace {

    @Test
    void aClientRejoiningWithinTheGracePeriodReusesTheRunningStream() {
      registry.close();
      registry = newRegistry(Duration.ofSeconds(10));
      registry.getOrCreate("p1", tuners(1));
      ClientLease first = registry.acquire("p1", "s1");
      long generation = registry.snapshot().playlist("p1").orElseThrow().streams().get(0).generation();
      first.close();

      StreamSnapshot idle = registry.snapshot().playlist("p1").orElseThrow().streams().get(0);
      assertThat(idle.idle()).isTrue();
      assertThat(idle.generation()).isEqualTo(generation);

      ticker.advance(Duration.ofSeconds(5));
      assertThat(registry.cleanup().stoppedStreams()).isEmpty();
      ClientLease again = registry.acquire("p1", "s1");
      StreamSnapshot rejoined = registry.snapshot().playlist("p1").orElseThrow().streams().get(0);
      assertThat(rejoined.generation()).isEqualTo(generation);
      assertThat(rejoined.clients()).isEqualTo(1);
      again.close();

      ticker.advance(Duration.ofSeconds(10));
      assertThat(registry.cleanup().stoppedStreams()).containsExactly("p1/s1");
      assertThat(registry.snapshot().playlist("p1").orElseThrow().tunersInUse()).isZero();
    }

    @Test
    void aRefusalAfterTheLimitWasLoweredStopsNoIdleStream() {
      registry.close();
      registry = newRegistry(Duration.ofSeconds(10));
      registry.getOrCreate("p1", tuners(2));
      ClientLease news = registry.acquire("p1", "news");
      registry.acquire("p1", "sports").close(); // sports waits out its grace period
      registry.update("p1", s -> s.withTunerLimit(1));
      RegistrySnapshot before = registry.snapshot();
      listener.clear();

      // Yielding sports is not enough (news still holds the only tuner): refused, nothing changes,
      // and sports is not stopped (its upstream would be closed while it stays in the registry).
      try (LogCapture log = new LogCapture()) {
        assertThatThrownBy(() -> registry.acquire("p1", "movies"))
            .isInstanceOf(TunerLimitExceededException.class);
        assertThat(log.linesContaining("Stopped stream sports")).isEmpty();
      }

      assertThat(registry.snapshot()).isEqualTo(before);
      assertThat(listener.types()).containsExactly(TUNER_LIMIT_REACHED);
      news.close();
    }

    @Test
    void anIdleStreamYieldsItsTunerToANewStream() {
      registry.close();
      registry = newRegistry(Duration.ofSeconds(10));
      registry.getOrCreate("p1", tuners(1));
      registry.acquire("p1", "news").close();
      listener.clear();

      ClientLease sports = registry.acquire("p1", "sports");

      assertThat(listener.types()).containsExactly(STREAM_STOPPED, STREAM_STARTED, CLIENT_JOINED);
      assertThat(registry.snapshot().playlist("p1").orElseThrow().streams())
          .extracting(StreamSnapshot::streamId).containsExactly("sports");
      sports.close();
    }
  }

  @Nested
  class Cleanup {

    @Test
    void removesStaleClientsTheirStreamsAndIdlePlaylists() {
      registry.getOrCreate("p1", tuners(2));
      ClientLease vanished = registry.acquire("p1", "s1");
      ClientLease active = registry.acquire("p1", "s2");
      ticker.advance(Duration.ofSeconds(20));
      active.touch();
      ticker.advance(Duration.ofSeconds(20));
      listener.clear();

      CleanupReport report = registry.cleanup();

      assertThat(report.evictedClients()).containsExactly("p1/s1/" + vanished.clientId());
      assertThat(report.stoppedStreams()).containsExactly("p1/s1");
      assertThat(report.removedPlaylists()).isEmpty();
      assertThat(vanished.isOpen()).isFalse();
      assertThat(active.isOpen()).isTrue();
      assertThat(listener.types()).containsExactly(CLIENT_EVICTED, STREAM_STOPPED);
      vanished.close(); // a late close of an evicted lease changes nothing
      assertThat(registry.snapshot().playlist("p1").orElseThrow().clients()).isEqualTo(1);

      active.close();
      ticker.advance(Duration.ofSeconds(59));
      assertThat(registry.cleanup().removedPlaylists()).isEmpty();
      ticker.advance(Duration.ofSeconds(1));
      assertThat(registry.cleanup().removedPlaylists()).containsExactly("p1");
      assertThat(registry.find("p1")).isEmpty();
      assertThat(listener.types()).endsWith(PLAYLIST_REMOVED);
    }

    @Test
    void aPlaylistNeverUsedIsRemovedOnceIdleForTheGrace() {
      registry.getOrCreate("p1", tuners(1));
      assertThat(registry.cleanup().isEmpty()).isTrue();
      ticker.advance(Duration.ofSeconds(60));
      assertThat(registry.cleanup()).isEqualTo(new CleanupReport(List.of(), List.of(), List.of("p1")));
    }

    @Test
    void aStreamWhoseClientsVanishedIsIdleSinceTheirLastActivity() {
      registry.close();
      registry = newRegistry(Duration.ofSeconds(10));
      registry.getOrCreate("p1", tuners(1));
      registry.acquire("p1", "s1");
      ticker.advance(Duration.ofSeconds(61));

      CleanupReport report = registry.cleanup();

      // Last touch was 61 s ago: past staleAfter (30 s), streamGrace (10 s) and idleGrace (60 s).
      assertThat(report.evictedClients()).hasSize(1);
      assertThat(report.stoppedStreams()).containsExactly("p1/s1");
      assertThat(report.removedPlaylists()).containsExactly("p1");
    }

    @Test
    void aPlaylistWhoseLastStreamACleanupStopsStaysUntilIdleForTheGraceSinceItsLastViewer() {
      registry.close();
      registry = newRegistry(Duration.ofSeconds(10));
      ticker.advance(Duration.ofDays(1)); // idle times are differences of readings far from zero
      registry.getOrCreate("p1", tuners(1));
      registry.acquire("p1", "s1").close();
      ticker.advance(Duration.ofSeconds(10));

      CleanupReport report = registry.cleanup();

      // The stream's grace (10 s) is over, the playlist's (60 s since its last viewer left) is not.
      assertThat(report.stoppedStreams()).containsExactly("p1/s1");
      assertThat(report.removedPlaylists()).isEmpty();
      assertThat(registry.find("p1")).isPresent();
      ticker.advance(Duration.ofSeconds(49));
      assertThat(registry.cleanup().removedPlaylists()).isEmpty();
      ticker.advance(Duration.ofSeconds(1));
      assertThat(registry.cleanup().removedPlaylists()).containsExactly("p1");
    }

    @Test
    void aCleanupExactlyTheIdleGraceAfterTheLastViewerStopsTheStreamAndRemovesThePlaylistAtOnce() {
      registry.close();
      registry = newRegistry(Duration.ofSeconds(10));
      ticker.advance(Duration.ofDays(1));
      registry.getOrCreate("p1", tuners(1));
      registry.acquire("p1", "s1").close();
      ticker.advance(Duration.ofSeconds(60));
      listener.clear();

      CleanupReport report = registry.cleanup();

      assertThat(report.stoppedStreams()).containsExactly("p1/s1");
      assertThat(report.removedPlaylists()).containsExactly("p1");
      assertThat(registry.find("p1")).isEmpty();
      assertThat(listener.types()).containsExactly(STREAM_STOPPED, PLAYLIST_REMOVED);
    }

    @Test
    void touchKeepsAClientAlive() {
      registry.getOrCreate("p1", tuners(1));
      ClientLease lease = registry.acquire("p1", "s1");
      for (int i = 0; i < 5; i++) {
        ticker.advance(Duration.ofSeconds(25));
        lease.touch();
        assertThat(registry.cleanup().isEmpty()).isTrue();
      }
      assertThat(lease.isOpen()).isTrue();
      lease.close();
    }
  }

  @Nested
  class SnapshotAndClose {

    @Test
    void theSnapshotIsImmutableAndSortedById() {
      registry.getOrCreate("b", tuners(1));
      registry.getOrCreate("a", tuners(1));
      RegistrySnapshot snapshot = registry.snapshot();
      registry.acquire("a", "s1");

      assertThat(snapshot.playlists()).extracting(PlaylistSnapshot::id).containsExactly("a", "b");
      assertThat(snapshot.totalStreams()).isZero();
      assertThat(registry.snapshot().totalStreams()).isEqualTo(1);
      assertThatThrownBy(() -> snapshot.playlists().clear())
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void closeReleasesEverythingAndLaterCallsThrow() {
      registry.getOrCreate("p1", tuners(2));
      ClientLease a = registry.acquire("p1", "s1");
      ClientLease b = registry.acquire("p1", "s2");
      listener.clear();

      registry.close();
      registry.close();

      assertThat(a.isOpen()).isFalse();
      assertThat(b.isOpen()).isFalse();
      assertThat(listener.count(CLIENT_EVICTED)).isEqualTo(2);
      assertThat(listener.count(STREAM_STOPPED)).isEqualTo(2);
      assertThat(listener.count(PLAYLIST_REMOVED)).isEqualTo(1);
      a.close();
      for (Runnable call : List.<Runnable>of(
          () -> registry.getOrCreate("p1", tuners(1)),
          () -> registry.acquire("p1", "s1"),
          () -> registry.acquire("p1", "s1", tuners(1)),
          () -> registry.update("p1", s -> s),
          () -> registry.find("p1"),
          () -> registry.cleanup(),
          () -> registry.snapshot())) {
        assertThatThrownBy(call::run).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("closed");
      }
    }
  }

  /**
   * A close() called while another close() is still sweeping returns only once every playlist is
   * gone, so a getOrCreate after it fails although the hit path reads no closed flag. The second
   * close runs from the listener of the first one's first removal: the other playlist is still in the
   * map at that moment, and without the help of the second close it would be a hit.
   */
  @Test
  void aCloseDuringAnotherCloseReturnsOnlyOnceEveryPlaylistIsGone() {
    registry.close();
    java.util.concurrent.atomic.AtomicReference<PlaylistRegistry> self =
        new java.util.concurrent.atomic.AtomicReference<>();
    List<String> afterInnerClose = new java.util.concurrent.CopyOnWriteArrayList<>();
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().listener(event -> {
      if (event.type() == PLAYLIST_REMOVED && afterInnerClose.isEmpty()) {
        String other = event.playlistId().equals("p1") ? "p2" : "p1";
        self.get().close(); // the first close is still sweeping
        try {
          self.get().getOrCreate(other, tuners(1));
          afterInnerClose.add("hit on " + other);
        } catch (RegistryClosedException expected) {
          afterInnerClose.add("closed");
        }
      }
    }).build();
    self.set(registry);
    registry.getOrCreate("p1", tuners(1));
    registry.getOrCreate("p2", tuners(1));

    registry.close();

    assertThat(afterInnerClose).containsExactly("closed");
    assertThatThrownBy(() -> registry.getOrCreate("p1", tuners(1)))
        .isInstanceOf(RegistryClosedException.class);
  }

  @Test
  void aThrowingListenerIsLoggedAndChangesNothingElse() {
    registry.close();
    AtomicInteger calls = new AtomicInteger();
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().listener(event -> {
      calls.incrementAndGet();
      throw new IllegalStateException("listener bug");
    }).build();

    try (LogCapture log = new LogCapture()) {
      ClientLease lease = registry.acquire("p1", "s1", tuners(1));
      assertThat(lease.isOpen()).isTrue();
      assertThat(registry.snapshot().totalClients()).isEqualTo(1);
      lease.close();
      assertThat(calls.get()).isEqualTo(4); // created, started, joined, left (the stream waits out its grace)
      assertThat(log.linesContaining("Registry listener failed on CLIENT_JOINED of playlist p1 stream s1"))
          .hasSize(1);
    }
  }

  @Test
  void settingsAttributesAreCopiedAndValidated() {
    Map<String, String> attributes = new java.util.HashMap<>(Map.of("k", "v"));
    PlaylistSettings settings = new PlaylistSettings(1, attributes);
    attributes.put("k", "changed");
    assertThat(settings.attribute("k")).isEqualTo("v");
    assertThatThrownBy(() -> settings.withAttribute(null, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
