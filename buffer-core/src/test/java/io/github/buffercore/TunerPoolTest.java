package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A caller's {@link TunerPool}, plugged in through the public builder. */
class TunerPoolTest {

  private static final Duration GUARD = Duration.ofSeconds(30);

  private final RecordingListener listener = new RecordingListener();
  private final ScriptedPool pool = new ScriptedPool();
  private PlaylistRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  /** A pool that admits, refuses or cannot decide, as the test says; its slots can be lost. */
  static final class ScriptedPool implements TunerPool {
    enum Mode { ADMIT, REFUSE, UNAVAILABLE }

    volatile Mode mode = Mode.ADMIT;
    final List<TunerRequest> requests = new CopyOnWriteArrayList<>();
    final List<Slot> slots = new CopyOnWriteArrayList<>();
    /** Source connections still open at the moment each slot was released. */
    final List<Integer> openAtRelease = new CopyOnWriteArrayList<>();
    volatile InProcessUpstreamSource source;
    private final AtomicLong tokens = new AtomicLong();

    @Override
    public TunerSlot acquire(TunerRequest request) {
      requests.add(request);
      switch (mode) {
        case REFUSE:
          throw new TunerLimitExceededException(request.playlistId(), request.streamId(),
              request.tunerLimit(), List.of("other-node/ch9"));
        case UNAVAILABLE:
          throw new TunerPoolUnavailableException(request.playlistId(), request.streamId(),
              new IOException("store unreachable"));
        default:
          Slot slot = new Slot(request, tokens.incrementAndGet());
          slots.add(slot);
          return slot;
      }
    }

    long held() {
      return slots.stream().filter(Slot::isHeld).count();
    }

    final class Slot implements TunerSlot {
      final TunerRequest request;
      final long token;
      volatile boolean held = true;
      volatile boolean lost;
      volatile Consumer<String> onLost;

      Slot(TunerRequest request, long token) {
        this.request = request;
        this.token = token;
      }

      @Override
      public String playlistId() {
        return request.playlistId();
      }

      @Override
      public String streamId() {
        return request.streamId();
      }

      @Override
      public long fencingToken() {
        return token;
      }

      @Override
      public boolean isHeld() {
        return held;
      }

      @Override
      public void onLost(Consumer<String> action) {
        onLost = action;
      }

      void lose(String reason) {
        held = false;
        lost = true;
        onLost.accept(reason);
      }

      @Override
      public synchronized void close() {
        if (held) {
          held = false;
          if (source != null) {
            openAtRelease.add(source.activeConnections());
          }
        }
      }
    }
  }

  private static PlaylistInitializer tuners(int limit) {
    return id -> PlaylistSettings.withTuners(limit);
  }

  private PlaylistRegistry.Builder withUpstream(InProcessUpstreamSource source) {
    pool.source = source;
    return PlaylistRegistry.builder()
        .tunerPool(pool)
        .listener(listener)
        .upstream(source, (p, s) -> UpstreamTarget.of(URI.create("inprocess:" + s)))
        .startBehind(0)
        .reconnectPolicy(ReconnectPolicy.none());
  }

  private static InProcessUpstreamSource looping() {
    return InProcessUpstreamSource.looping(SharedStreamTest.packets(0, 70))
        .bytesPerSecond(2_000_000).build();
  }

  private static void awaitReleased(ScriptedPool.Slot slot) {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (slot.isHeld() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(slot.isHeld()).as("slot %s released", slot.token).isFalse();
  }

  private static void awaitNoConnections(InProcessUpstreamSource source) {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (source.activeConnections() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(source.activeConnections()).isZero();
  }

  @Test
  void aRefusalOfTheCallersPoolReachesTheCallerAndLeavesTheRegistryAsItWas() {
    InProcessUpstreamSource source = looping();
    registry = withUpstream(source).build();
    registry.getOrCreate("p1", tuners(3));
    RegistrySnapshot before = registry.snapshot();
    pool.mode = ScriptedPool.Mode.REFUSE;
    listener.clear();

    assertThatThrownBy(() -> registry.acquire("p1", "ch1"))
        .isInstanceOfSatisfying(TunerLimitExceededException.class, e -> {
          assertThat(e.playlistId()).isEqualTo("p1");
          assertThat(e.streamId()).isEqualTo("ch1");
          assertThat(e.tunerLimit()).isEqualTo(3);
          assertThat(e.activeStreams()).containsExactly("other-node/ch9");
        });

    assertThat(registry.snapshot()).isEqualTo(before);
    assertThat(pool.requests).singleElement().satisfies(r -> {
      assertThat(r.playlistId()).isEqualTo("p1");
      assertThat(r.streamId()).isEqualTo("ch1");
      assertThat(r.tunerLimit()).isEqualTo(3);
    });
    assertThat(source.openAttempts()).isZero();
    assertThat(listener.types()).contains(RegistryEvent.Type.TUNER_LIMIT_REACHED);
  }

  @Test
  void aPoolThatCannotDecideFailsClosed() {
    InProcessUpstreamSource source = looping();
    registry = withUpstream(source).build();
    registry.getOrCreate("p1", tuners(1));
    RegistrySnapshot before = registry.snapshot();
    pool.mode = ScriptedPool.Mode.UNAVAILABLE;

    assertThatThrownBy(() -> registry.acquire("p1", "ch1"))
        .isInstanceOf(TunerPoolUnavailableException.class)
        .hasMessageContaining("'p1'").hasMessageContaining("'ch1'")
        .hasRootCauseMessage("store unreachable");

    assertThat(registry.snapshot()).isEqualTo(before);
    assertThat(source.openAttempts()).isZero();
    pool.mode = ScriptedPool.Mode.ADMIT;
    try (ClientLease lease = registry.acquire("p1", "ch1")) {
      assertThat(lease.isOpen()).isTrue(); // nothing was left behind that blocks a later start
    }
  }

  @Test
  void aLostSlotStopsItsUpstreamAndEndsItsReadersWithAFailure() throws Exception {
    InProcessUpstreamSource source = looping();
    registry = withUpstream(source).streamGrace(Duration.ofMinutes(5)).build();
    ClientLease lease = registry.acquire("p1", "ch1", tuners(2));
    StreamReader reader = lease.reader();
    byte[] buf = new byte[188 * 7];
    assertThat(reader.read(buf, 0, buf.length, GUARD)).isPositive();
    ScriptedPool.Slot slot = pool.slots.get(0);

    slot.lose("lease expired in the store");

    // The reader drains what was already published, then sees the loss; never a clean end.
    long deadline = System.nanoTime() + GUARD.toNanos();
    Throwable failure = null;
    while (failure == null && System.nanoTime() < deadline) {
      try {
        int n = reader.read(buf, 0, buf.length, Duration.ofMillis(200));
        assertThat(n).as("a lost slot ends the stream with a failure, not end of stream")
            .isNotNegative();
      } catch (UpstreamException e) {
        failure = e;
      }
    }
    assertThat(failure).isInstanceOf(UpstreamException.class)
        .hasMessageContaining("tuner slot was lost").hasMessageContaining("lease expired in the store");
    awaitNoConnections(source);
    assertThat(registry.snapshot().playlist("p1").orElseThrow().streams()).isEmpty();
    assertThat(lease.isOpen()).isFalse();
    lease.close(); // idempotent after the eviction
    assertThat(listener.count(RegistryEvent.Type.STREAM_STOPPED)).isEqualTo(1);

    // The stream can start again with a fresh slot.
    try (ClientLease again = registry.acquire("p1", "ch1")) {
      assertThat(again.reader().read(buf, 0, buf.length, GUARD)).isPositive();
      assertThat(pool.slots).hasSize(2);
      assertThat(pool.slots.get(1).fencingToken()).isGreaterThan(slot.fencingToken());
    }
  }

  @Test
  void aSlotIsReleasedOnlyAfterItsConnectionClosedAndAYieldedStreamHandsItsSlotOver() throws Exception {
    InProcessUpstreamSource source = looping();
    registry = withUpstream(source).streamGrace(Duration.ofMinutes(5)).build();
    byte[] buf = new byte[188 * 7];
    try (ClientLease first = registry.acquire("p1", "ch1", tuners(1))) {
      assertThat(first.reader().read(buf, 0, buf.length, GUARD)).isPositive();
    }
    // ch1 is idle in its grace period and holds the only tuner; ch2 makes it yield.
    try (ClientLease second = registry.acquire("p1", "ch2")) {
      assertThat(second.reader().read(buf, 0, buf.length, GUARD)).isPositive();
      assertThat(pool.slots).hasSize(2);
      // This pool has no limit, so ch2 did not wait for ch1's slot: ch1's pump releases it on its
      // own thread once its connection has closed, which may still be under way.
      awaitReleased(pool.slots.get(0));
      assertThat(pool.held()).isEqualTo(1);
    }
    registry.close();
    awaitNoConnections(source);
    assertThat(pool.held()).isZero();
    // Each release happened after its own connection had closed: at most the other one was open.
    assertThat(pool.openAtRelease).hasSize(2).allSatisfy(open -> assertThat(open).isLessThanOrEqualTo(1));
    assertThat(pool.openAtRelease.get(1)).isZero();
  }

  @Test
  void withoutUpstreamASlotIsHeldExactlyWhileItsStreamRuns() {
    registry = PlaylistRegistry.builder().tunerPool(pool).streamGrace(Duration.ZERO).build();
    ClientLease lease = registry.acquire("p1", "s1", tuners(2));
    assertThat(pool.held()).isEqualTo(1);
    ClientLease second = registry.acquire("p1", "s1");
    assertThat(pool.requests).hasSize(1); // a join takes no slot
    second.close();
    lease.close();
    assertThat(pool.held()).isZero();

    List<String> refusedLimits = new ArrayList<>();
    pool.mode = ScriptedPool.Mode.REFUSE;
    assertThatThrownBy(() -> registry.acquire("p1", "s2"))
        .isInstanceOfSatisfying(TunerLimitExceededException.class,
            e -> refusedLimits.add(e.getMessage()));
    assertThat(refusedLimits).singleElement().asString().contains("'p1'", "'s2'", "other-node/ch9");
    assertThat(registry.snapshot().playlist("p1").orElseThrow().streams()).isEmpty();
  }
}
