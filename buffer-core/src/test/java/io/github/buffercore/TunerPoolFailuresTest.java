package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tuner pool that breaks (throws, is interrupted, returns no slot) refuses the start with a
 * {@link TunerPoolUnavailableException} naming the playlist and stream, and leaves the registry as
 * it was; a slot lost by a stream without an upstream ends its clients and frees the stream. Through
 * the public API and the {@link TunerPool} SPI, with a pool the test scripts.
 */
class TunerPoolFailuresTest {

  private final RecordingListener listener = new RecordingListener();
  private final Ticker.Manual ticker = Ticker.manual();
  private PlaylistRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
    Thread.interrupted(); // never leak an interrupt into the next test
  }

  /** A pool that does what the test put in {@link #next}, then admits. */
  static final class BrokenPool implements TunerPool {
    interface Step {
      TunerSlot acquire(TunerRequest request) throws InterruptedException;
    }

    volatile Step next;
    final AtomicReference<Consumer<String>> lostAction = new AtomicReference<>();
    final List<String> closed = new CopyOnWriteArrayList<>();

    @Override
    public TunerSlot acquire(TunerRequest request) throws InterruptedException {
      Step step = next;
      next = null;
      if (step != null) {
        return step.acquire(request);
      }
      return new TunerSlot() {
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
          return 1;
        }

        @Override
        public boolean isHeld() {
          return true;
        }

        @Override
        public void onLost(Consumer<String> action) {
          lostAction.set(action);
        }

        @Override
        public void close() {
          closed.add(request.streamId());
        }
      };
    }
  }

  private PlaylistRegistry registry(BrokenPool pool) {
    return PlaylistRegistry.builder().ticker(ticker).manualCleanup().streamGrace(java.time.Duration.ZERO)
        .listener(listener).tunerPool(pool).build();
  }

  @Test
  void aPoolThatThrowsRefusesTheStartNamingItAndChangesNothing() {
    BrokenPool pool = new BrokenPool();
    registry = registry(pool);
    registry.getOrCreate("p1", id -> PlaylistSettings.withTuners(2));
    RegistrySnapshot before = registry.snapshot();
    IllegalStateException bug = new IllegalStateException("pool bug (expected by the test)");
    pool.next = request -> {
      throw bug;
    };

    assertThatThrownBy(() -> registry.acquire("p1", "s1"))
        .isInstanceOfSatisfying(TunerPoolUnavailableException.class, e -> {
          assertThat(e.playlistId()).isEqualTo("p1");
          assertThat(e.streamId()).isEqualTo("s1");
          assertThat(e.getCause()).isSameAs(bug);
        });

    assertThat(registry.snapshot()).isEqualTo(before);
    try (ClientLease lease = registry.acquire("p1", "s1")) {
      assertThat(registry.snapshot().totalStreams()).isEqualTo(1);
    }
    assertThat(pool.closed).containsExactly("s1");
  }

  @Test
  void aPoolThatReturnsNoSlotIsAFailureOfThePool() {
    BrokenPool pool = new BrokenPool();
    registry = registry(pool);
    registry.getOrCreate("p1", id -> PlaylistSettings.withTuners(1));
    pool.next = request -> null;

    assertThatThrownBy(() -> registry.acquire("p1", "s1")).isInstanceOf(TunerPoolUnavailableException.class)
        .hasRootCauseMessage("the tuner pool returned no slot");
    assertThat(registry.snapshot().totalStreams()).isZero();
    assertThat(listener.types()).doesNotContain(RegistryEvent.Type.TUNER_LIMIT_REACHED);
  }

  @Test
  void anInterruptedPoolWaitRefusesTheStartAndKeepsTheInterrupt() {
    BrokenPool pool = new BrokenPool();
    registry = registry(pool);
    registry.getOrCreate("p1", id -> PlaylistSettings.withTuners(1));
    pool.next = request -> {
      throw new InterruptedException("interrupted while waiting for a slot");
    };

    assertThatThrownBy(() -> registry.acquire("p1", "s1")).isInstanceOf(TunerPoolUnavailableException.class)
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).as("the caller's interrupt is restored").isTrue();
    assertThat(registry.snapshot().totalStreams()).isZero();
  }

  @Test
  void aRefusalByThePoolTellsTheListenerWhoWasRefused() {
    BrokenPool pool = new BrokenPool();
    registry = registry(pool);
    registry.getOrCreate("p1", id -> PlaylistSettings.withTuners(3));
    pool.next = request -> {
      throw new TunerLimitExceededException(request.playlistId(), request.streamId(), request.tunerLimit(),
          List.of("elsewhere"));
    };
    listener.clear();

    assertThatThrownBy(() -> registry.acquire("p1", "s1")).isInstanceOf(TunerLimitExceededException.class);

    RegistryEvent refused = listener.events.stream()
        .filter(e -> e.type() == RegistryEvent.Type.TUNER_LIMIT_REACHED).findFirst().orElseThrow();
    assertThat(refused.playlistId()).isEqualTo("p1");
    assertThat(refused.streamId()).isEqualTo("s1");
    assertThat(refused.clientId()).isPositive();
    assertThat(refused.tunerLimit()).isEqualTo(3);
    assertThat(listener.types()).doesNotContain(RegistryEvent.Type.UPSTREAM_FAILED);
    assertThat(registry.snapshot().totalStreams()).isZero();
  }

  @Test
  void aLostSlotOfAStreamWithoutUpstreamEndsItsClientsAndFreesTheStream() {
    BrokenPool pool = new BrokenPool();
    registry = registry(pool);
    ClientLease first = registry.acquire("p1", "s1", id -> PlaylistSettings.withTuners(1));
    ClientLease second = registry.acquire("p1", "s1");
    List<LeaseEnd> ends = new CopyOnWriteArrayList<>();
    first.onEnded(ends::add);
    second.onEnded(ends::add);
    listener.clear();

    pool.lostAction.get().accept("the cluster took it back");

    assertThat(ends).extracting(LeaseEnd::reason)
        .containsExactly(LeaseEnd.Reason.UPSTREAM_FAILED, LeaseEnd.Reason.UPSTREAM_FAILED);
    assertThat(first.isOpen()).isFalse();
    assertThat(second.isOpen()).isFalse();
    assertThat(registry.snapshot().totalStreams()).isZero();
    assertThat(listener.count(RegistryEvent.Type.CLIENT_EVICTED)).isEqualTo(2);
    assertThat(listener.count(RegistryEvent.Type.STREAM_STOPPED)).isEqualTo(1);
    assertThat(pool.closed).containsExactly("s1");
    // The freed tuner is usable again at once.
    try (ClientLease again = registry.acquire("p1", "s2")) {
      assertThat(again.isOpen()).isTrue();
    }
  }
}
