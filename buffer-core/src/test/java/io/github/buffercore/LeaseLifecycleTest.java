package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A lease's life as its holder sees it, through the public API only: every end callback runs once
 * with the reason, also one registered after the end or after another callback threw; a closed lease
 * says so; a keyless lease has no key; staleness and stream grace at their exact boundaries; a join
 * position reaches the reader; and every call after {@code close()} refuses with its own type.
 */
class LeaseLifecycleTest {

  private final Ticker.Manual ticker = Ticker.manual();
  private final RecordingListener listener = new RecordingListener();
  private PlaylistRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  private static PlaylistInitializer tuners(int limit) {
    return id -> PlaylistSettings.withTuners(limit);
  }

  @Test
  void everyEndCallbackRunsOnceWithTheReasonEvenAfterOneThrew() {
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().build();
    ClientLease lease = registry.acquire("p1", "s1", tuners(1));
    List<String> calls = new CopyOnWriteArrayList<>();
    lease.onEnded(end -> calls.add("first " + end.reason()));
    lease.onEnded(end -> {
      calls.add("throwing");
      throw new IllegalStateException("end callback bug (expected by the test)");
    });
    lease.onEnded(end -> calls.add("third " + end.clientId()));
    assertThat(calls).isEmpty();
    assertThat(lease.toString()).contains("p1/s1/" + lease.clientId()).doesNotContain("released");

    lease.close();
    lease.close();

    assertThat(calls).containsExactly("first CLOSED", "throwing", "third " + lease.clientId());
    List<LeaseEnd> late = new ArrayList<>();
    lease.onEnded(late::add);
    assertThat(late).containsExactly(new LeaseEnd("p1", "s1", lease.clientId(), LeaseEnd.Reason.CLOSED));
    assertThat(lease.isOpen()).isFalse();
    assertThat(lease.toString()).contains("released");
    assertThatThrownBy(() -> lease.onEnded(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aKeylessLeaseHasNoKeyAndAKeyedOneKeepsItsKey() {
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().build();
    registry.getOrCreate("p1", tuners(2));
    try (ClientLease plain = registry.acquire("p1", "s1");
        ClientLease keyed = registry.acquire("p1", "s2", ClientKey.of("tv-1"))) {
      assertThat(plain.clientKey()).isEmpty();
      assertThat(keyed.clientKey()).contains(ClientKey.of("tv-1"));
      assertThat(plain.playlistId()).isEqualTo("p1");
      assertThat(plain.streamId()).isEqualTo("s1");
      assertThat(keyed.clientId()).isNotEqualTo(plain.clientId());
    }
  }

  @Test
  void aClientIsStaleOnlyAfterMoreThanStaleAfterAndAStreamStopsAtExactlyItsGrace() {
    registry = PlaylistRegistry.builder().ticker(ticker).staleAfter(Duration.ofSeconds(10))
        .streamGrace(Duration.ofSeconds(10)).idleGrace(Duration.ofMinutes(10)).manualCleanup().build();
    ClientLease stays = registry.acquire("p1", "s1", tuners(2));
    ClientLease leaves = registry.acquire("p1", "s2");
    ticker.advance(Duration.ofSeconds(5));
    leaves.close(); // s2 is idle from now on
    stays.touch();
    leaves.touch(); // a closed lease's touch changes nothing

    ticker.advance(Duration.ofSeconds(10)); // exactly staleAfter since the touch, exactly the grace of s2
    CleanupReport atTheBoundary = registry.cleanup();
    assertThat(atTheBoundary.evictedClients()).isEmpty();
    assertThat(atTheBoundary.stoppedStreams()).containsExactly("p1/s2");
    assertThat(registry.snapshot().totalClients()).isEqualTo(1);

    ticker.advance(Duration.ofNanos(1));
    assertThat(registry.cleanup().evictedClients()).containsExactly("p1/s1/" + stays.clientId());
  }

  @Test
  void aJoinPositionReachesTheReader() throws Exception {
    byte[] clip = new byte[188 * 50];
    for (int i = 0; i < clip.length; i += 188) {
      clip[i] = 0x47;
    }
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(clip).bytesPerSecond(4_000_000).build();
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().bufferCapacity(64 * 1024)
        .startBehind(0)
        .upstream(source, (p, s) -> UpstreamTarget.of(URI.create("in-process:" + s))).build();
    registry.getOrCreate("p1", tuners(1));
    try (ClientLease first = registry.acquire("p1", "s1")) {
      StreamReader reader = first.reader();
      assertThat(first.reader()).as("one reader per lease").isSameAs(reader);
      StallSweepTest.await("the ring has wrapped", () -> registry.snapshot().playlists().get(0).streams().get(0)
          .stats().bytesIn() > 2 * 64 * 1024);
      try (ClientLease oldest = registry.acquire("p1", "s1", JoinPosition.oldest())) {
        long oldestStart = oldest.reader().position();
        try (ClientLease atLive = registry.acquire("p1", "s1", JoinPosition.live())) {
          long liveStart = atLive.reader().position();
          assertThat(oldestStart).as("an oldest join starts most of a buffer behind a live one")
              .isLessThan(liveStart - 32 * 1024);
        }
      }
    }
  }

  @Test
  void theResolverIsAskedOnlyToStartAStreamAndAClosedLeaseClosesItsReader() {
    byte[] clip = new byte[188 * 10];
    for (int i = 0; i < clip.length; i += 188) {
      clip[i] = 0x47;
    }
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(clip).bytesPerSecond(100_000).build();
    List<String> resolved = new CopyOnWriteArrayList<>();
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().streamGrace(Duration.ZERO)
        .upstream(source, (p, s) -> {
          resolved.add(p + "/" + s);
          return UpstreamTarget.of(URI.create("in-process:" + s));
        }).build();
    registry.getOrCreate("p1", tuners(2));
    ClientLease first = registry.acquire("p1", "s1");
    ClientLease second = registry.acquire("p1", "s1"); // joins the running stream: no new target
    assertThat(resolved).containsExactly("p1/s1");
    StreamReader reader = second.reader();

    second.close();

    assertThat(reader.isClosed()).as("closing the lease closes its reader").isTrue();
    assertThat(first.isOpen()).isTrue();
    first.close();
    registry.acquire("p1", "s1").close(); // stopped with grace 0: started again, so resolved again
    assertThat(resolved).containsExactly("p1/s1", "p1/s1");
  }

  @Test
  void afterCloseEveryCallRefusesWithItsOwnType() {
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().listener(listener).build();
    registry.getOrCreate("p1", tuners(1));
    ClientLease lease = registry.acquire("p1", "s1");
    registry.close();
    registry.close(); // idempotent: nothing is sent twice
    assertThat(listener.count(RegistryEvent.Type.PLAYLIST_REMOVED)).isEqualTo(1);
    assertThat(lease.isOpen()).isFalse();

    assertThatThrownBy(() -> registry.getOrCreate("p1", tuners(1))).isInstanceOf(RegistryClosedException.class);
    assertThatThrownBy(() -> registry.find("p1")).isInstanceOf(RegistryClosedException.class);
    assertThatThrownBy(() -> registry.update("p1", s -> s)).isInstanceOf(RegistryClosedException.class);
    assertThatThrownBy(() -> registry.acquire("p1", "s1")).isInstanceOf(RegistryClosedException.class);
    assertThatThrownBy(() -> registry.cleanup()).isInstanceOf(RegistryClosedException.class);
    assertThatThrownBy(() -> registry.snapshot()).isInstanceOf(RegistryClosedException.class);
  }

  @Test
  void afterCloseNoInitializerRunsAndAnInitializerThatClosesTheRegistrySendsNoEvent() {
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().listener(listener).build();
    PlaylistRegistry closing = registry;
    assertThatThrownBy(() -> closing.getOrCreate("p1", id -> {
      closing.close(); // the registry closes while the playlist is being created
      return PlaylistSettings.withTuners(1);
    })).isInstanceOf(RegistryClosedException.class);
    assertThat(listener.types()).as("never announced, never published").isEmpty();

    List<String> initialized = new CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> closing.getOrCreate("p2", id -> {
      initialized.add(id);
      return PlaylistSettings.withTuners(1);
    })).isInstanceOf(RegistryClosedException.class);
    assertThat(initialized).isEmpty();
  }

  @Test
  void aJoinIsActivityEvenWhenResolvingTheUpstreamTookLongerThanStaleAfter() {
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(new byte[188 * 4])
        .bytesPerSecond(10_000).build();
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().staleAfter(Duration.ofSeconds(10))
        .upstream(source, (p, s) -> {
          ticker.advance(Duration.ofSeconds(30)); // a slow resolver (a provider's API) on the join path
          return UpstreamTarget.of(URI.create("in-process:" + s));
        }).build();
    registry.getOrCreate("p1", tuners(1));
    ClientLease lease = registry.acquire("p1", "s1");

    assertThat(registry.cleanup().evictedClients()).isEmpty();
    assertThat(lease.isOpen()).isTrue();
  }

  @Test
  void theStreamIdleLongestYieldsItsTunerFirst() {
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().listener(listener)
        .streamGrace(Duration.ofMinutes(5)).build();
    registry.getOrCreate("p1", tuners(2));
    ClientLease first = registry.acquire("p1", "s1");
    ClientLease second = registry.acquire("p1", "s2");
    ticker.advance(Duration.ofSeconds(1));
    second.close(); // s2 idle since 1 s
    ticker.advance(Duration.ofSeconds(1));
    first.close(); // s1 idle since 2 s: s2 has been idle longer
    listener.clear();

    try (ClientLease third = registry.acquire("p1", "s3")) {
      assertThat(listener.events).filteredOn(e -> e.type() == RegistryEvent.Type.STREAM_STOPPED)
          .extracting(RegistryEvent::streamId).containsExactly("s2");
      assertThat(registry.snapshot().playlists().get(0).streams()).extracting(StreamSnapshot::streamId)
          .containsExactlyInAnyOrder("s1", "s3");
    }
  }

  @Test
  void aSwitchEndsTheOldLeaseOnceClosesItsReaderAndTellsItsHolder() {
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(new byte[188 * 4])
        .bytesPerSecond(100_000).build();
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup()
        .upstream(source, (p, s) -> UpstreamTarget.of(URI.create("in-process:" + s))).build();
    registry.getOrCreate("p1", tuners(1));
    ClientKey key = ClientKey.of("tv-1");
    ClientLease before = registry.acquire("p1", "s1", key);
    StreamReader oldReader = before.reader();
    List<LeaseEnd> ends = new CopyOnWriteArrayList<>();
    before.onEnded(ends::add);

    try (ClientLease after = registry.acquire("p1", "s2", key)) {
      assertThat(ends).containsExactly(new LeaseEnd("p1", "s1", before.clientId(), LeaseEnd.Reason.SWITCHED));
      assertThat(oldReader.isClosed()).as("the switched lease's reader is closed").isTrue();
      assertThat(before.isOpen()).isFalse();
      assertThat(after.isOpen()).isTrue();
      before.close(); // a late close of the switched lease changes nothing and tells nobody again
      assertThat(ends).hasSize(1);
      assertThat(registry.snapshot().totalClients()).isEqualTo(1);
    }
  }

  @Test
  void getOrCreateOnALivePlaylistStillChecksItsInitializer() {
    registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup().build();
    Playlist created = registry.getOrCreate("p1", tuners(1));
    assertThat(registry.getOrCreate("p1", tuners(7))).isSameAs(created);
    assertThatThrownBy(() -> registry.getOrCreate("p1", null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("initializer");
  }
}
