package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The library frees stalled viewers by itself: the writer-side sweep of cleanup evicts a reader that
 * stopped consuming or was lapped, releases its lease once and tells its holder; cleanup runs on the
 * registry's own thread unless the builder says otherwise. Also the typed upstream failure reasons.
 */
class StallSweepTest {

  private static final Duration STALE = Duration.ofSeconds(30);
  private static final int FOUR_MIB = 4 * 1024 * 1024; // 20 s of the throttled upstream: never lapped here
  private final Ticker.Manual ticker = Ticker.manual();
  private PlaylistRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  private static byte[] packets(int count) {
    byte[] clip = new byte[188 * count];
    for (int i = 0; i < clip.length; i += 188) {
      clip[i] = 0x47;
    }
    return clip;
  }

  private PlaylistRegistry.Builder builder(long bytesPerSecond, int capacity) {
    InProcessUpstreamSource.Builder source = InProcessUpstreamSource.looping(packets(100));
    if (bytesPerSecond > 0) {
      source.bytesPerSecond(bytesPerSecond);
    }
    return PlaylistRegistry.builder().ticker(ticker).staleAfter(STALE).streamGrace(Duration.ZERO)
        .bufferCapacity(capacity)
        .upstream(source.build(), (p, s) -> UpstreamTarget.of(URI.create("in-process:" + s)));
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(5); // polling a condition, bounded by the guard; nothing asserts a duration
    }
  }

  private long written() {
    return registry.snapshot().playlists().get(0).streams().get(0).stats().bytesIn();
  }

  @Test
  void aReaderThatConsumesNothingWhileDataWaitsIsEvictedOnceAndItsHolderTold() throws Exception {
    registry = builder(200_000, FOUR_MIB).manualCleanup().build();
    ClientLease lease = registry.acquire("p1", "s1", id -> PlaylistSettings.withTuners(1));
    List<LeaseEnd> ends = new CopyOnWriteArrayList<>();
    lease.onEnded(ends::add);
    StreamReader reader = lease.reader();
    await("data waits for the reader", () -> written() > reader.position());

    assertThat(registry.cleanup().evictedClients()).isEmpty(); // the first sweep records the position
    ticker.advance(STALE.plusSeconds(1));
    CleanupReport report = registry.cleanup();

    assertThat(report.evictedClients()).containsExactly("p1/s1/" + lease.clientId());
    assertThat(ends).containsExactly(new LeaseEnd("p1", "s1", lease.clientId(), LeaseEnd.Reason.EVICTED_STALE));
    assertThat(lease.isOpen()).isFalse();
    assertThat(reader.isClosed()).isTrue();
    assertThat(registry.snapshot().totalClients()).isZero();
    assertThat(registry.snapshot().totalStreams()).as("its tuner freed").isZero();

    lease.close(); // the holder's own close afterwards changes nothing and tells nobody again
    assertThat(ends).hasSize(1);
    List<LeaseEnd> late = new CopyOnWriteArrayList<>();
    lease.onEnded(late::add);
    assertThat(late).containsExactly(ends.get(0));
  }

  @Test
  void aReaderThatConsumedSinceTheLastSweepStaysEvenUntouched() throws Exception {
    registry = builder(200_000, FOUR_MIB).manualCleanup().build();
    ClientLease lease = registry.acquire("p1", "s1", id -> PlaylistSettings.withTuners(1));
    StreamReader reader = lease.reader();
    await("data waits for the reader", () -> written() > reader.position());
    registry.cleanup();

    byte[] buffer = new byte[188 * 10];
    assertThat(reader.poll(buffer, 0, buffer.length)).isPositive(); // touches now, then time passes
    ticker.advance(STALE.plusSeconds(1));

    assertThat(registry.cleanup().evictedClients()).isEmpty();
    assertThat(lease.isOpen()).isTrue();
    lease.close();
  }

  @Test
  void aLappedReaderThatDoesNotMoveIsEvictedAsLappedWithoutWaitingForStaleAfter() throws Exception {
    registry = builder(0, 4096).manualCleanup().build(); // unthrottled into a 4 KiB buffer: laps at once
    ClientLease lease = registry.acquire("p1", "s1", id -> PlaylistSettings.withTuners(1));
    List<LeaseEnd> ends = new CopyOnWriteArrayList<>();
    lease.onEnded(ends::add);
    StreamReader reader = lease.reader();
    await("the writer lapped the reader", () -> written() > reader.position() + 2 * 4096);

    assertThat(registry.cleanup().evictedClients()).isEmpty(); // the first sweep sees it for the first time
    CleanupReport report = registry.cleanup();

    assertThat(report.evictedClients()).containsExactly("p1/s1/" + lease.clientId());
    assertThat(ends).extracting(LeaseEnd::reason).containsExactly(LeaseEnd.Reason.LAPPED);
    assertThat(registry.snapshot().totalStreams()).isZero();
  }

  @Test
  void withoutASchedulerTheRegistrysOwnThreadEvictsAStalledReaderAndStopsOnClose() throws Exception {
    registry = PlaylistRegistry.builder().staleAfter(Duration.ofMillis(200))
        .cleanupInterval(Duration.ofMillis(50)).streamGrace(Duration.ZERO)
        .upstream(InProcessUpstreamSource.looping(packets(100)).bytesPerSecond(200_000).build(),
            (p, s) -> UpstreamTarget.of(URI.create("in-process:" + s)))
        .build();
    ClientLease lease = registry.acquire("p1", "s1", id -> PlaylistSettings.withTuners(1));
    List<LeaseEnd> ends = new CopyOnWriteArrayList<>();
    lease.onEnded(ends::add);
    lease.reader(); // and never read: nobody calls cleanup() either

    await("the stalled reader evicted by the sweep thread", () -> !ends.isEmpty());
    assertThat(ends).extracting(LeaseEnd::reason).containsExactly(LeaseEnd.Reason.EVICTED_STALE);
    assertThat(sweepThreads()).isNotEmpty();

    registry.close();
    for (Thread thread : sweepThreads()) {
      thread.join(30_000);
    }
    assertThat(sweepThreads()).as("the registry's own sweep thread ends with it").isEmpty();
    registry = null;
  }

  private static List<Thread> sweepThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("buffer-core-sweep") && t.isAlive()).toList();
  }

  @Test
  void theRegistryClosingEndsLeasesWithThatReason() {
    registry = PlaylistRegistry.builder().manualCleanup().build();
    ClientLease lease = registry.acquire("p1", "s1", id -> PlaylistSettings.withTuners(1));
    List<LeaseEnd> ends = new CopyOnWriteArrayList<>();
    lease.onEnded(ends::add);
    lease.onEnded(end -> {
      throw new IllegalStateException("a holder's bug"); // logged; the others still run
    });
    lease.onEnded(ends::add);

    registry.close();

    assertThat(ends).extracting(LeaseEnd::reason)
        .containsExactly(LeaseEnd.Reason.REGISTRY_CLOSED, LeaseEnd.Reason.REGISTRY_CLOSED);
    assertThat(LeaseEnd.Reason.REGISTRY_CLOSED.byLibrary()).isTrue();
    assertThat(LeaseEnd.Reason.CLOSED.byLibrary()).isFalse();
  }

  @Test
  void aCleanupIntervalThatCannotTakeEffectIsRejectedAtBuild() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      assertThatThrownBy(() -> PlaylistRegistry.builder().scheduler(scheduler, Duration.ofSeconds(1))
          .manualCleanup().build()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("manualCleanup()").hasMessageContaining("scheduler");
      assertThatThrownBy(() -> PlaylistRegistry.builder().cleanupInterval(Duration.ofSeconds(1))
          .manualCleanup().build()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cleanupInterval");
      assertThatThrownBy(() -> PlaylistRegistry.builder().cleanupInterval(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void upstreamFailuresAreClassifiedByTheirTypes() {
    URI url = URI.create("http://upstream/x");
    assertThat(UpstreamException.Reason.of(new IOException("wrapped", new UpstreamStatusException(503, url))))
        .isEqualTo(UpstreamException.Reason.ERROR_STATUS);
    assertThat(UpstreamException.Reason.of(new SocketTimeoutException("slow")))
        .isEqualTo(UpstreamException.Reason.TIMEOUT);
    IOException withSuppressedTimeout = new IOException("closed");
    withSuppressedTimeout.addSuppressed(new java.net.http.HttpTimeoutException("headers"));
    assertThat(UpstreamException.Reason.of(withSuppressedTimeout)).isEqualTo(UpstreamException.Reason.TIMEOUT);
    assertThat(UpstreamException.Reason.of(new ConnectException("refused")))
        .isEqualTo(UpstreamException.Reason.UNREACHABLE);
    assertThat(UpstreamException.Reason.of(new EOFException("ended"))).isEqualTo(UpstreamException.Reason.ENDED);
    UpstreamException e = new UpstreamException("p1", "s1", UpstreamException.Reason.SLOT_LOST, 3, "lost", null);
    assertThat(e.reason()).isEqualTo(UpstreamException.Reason.SLOT_LOST);
    assertThat(e.attempts()).isEqualTo(3);
    assertThatThrownBy(() -> new UpstreamException("p1", "s1", UpstreamException.Reason.ENDED, -1, "x", null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
