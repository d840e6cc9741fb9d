package io.github.buffercore;

import static io.github.buffercore.RegistryEvent.Type.CLIENT_JOINED;
import static io.github.buffercore.RegistryEvent.Type.STREAM_STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The listener's delivery contract ({@link RegistryListener}): events in the order of the changes,
 * one call at a time, a caller's own events delivered before its call returns, a listener that throws
 * changes nothing else, a listener that calls the registry is not re-entered (its call's events come
 * right after it returns), and the registry's own threads never wait for a busy listener. Each test
 * asserts the exact sequence of events.
 */
class EventDeliveryContractTest {

  /** One event as "TYPE playlist/stream/client", for exact sequences. */
  private static String describe(RegistryEvent e) {
    return e.type() + " " + e.playlistId() + (e.streamId() == null ? "" : "/" + e.streamId())
        + (e.clientId() == 0 ? "" : "/" + e.clientId());
  }

  private static List<String> sequence(EventOrderChecker checker) {
    return checker.events().stream().map(EventDeliveryContractTest::describe).toList();
  }

  @Test
  void aListenerThatThrowsIsLoggedAndEveryLaterEventIsStillDeliveredInOrder() {
    EventOrderChecker checker = new EventOrderChecker().then(event -> {
      if (event.type() == CLIENT_JOINED) {
        throw new IllegalStateException("listener bug");
      }
    });
    try (LogCapture log = new LogCapture();
        PlaylistRegistry registry = PlaylistRegistry.builder().listener(checker)
            .streamGrace(Duration.ZERO).manualCleanup().build()) {
      ClientLease lease = registry.acquire("p", "a", id -> PlaylistSettings.withTuners(1));
      assertThat(lease.isOpen()).isTrue();
      assertThat(registry.snapshot().totalClients()).isEqualTo(1);
      long client = lease.clientId();
      lease.close();

      assertThat(sequence(checker)).containsExactly("PLAYLIST_CREATED p", "STREAM_STARTED p/a",
          "CLIENT_JOINED p/a/" + client, "CLIENT_LEFT p/a/" + client, "STREAM_STOPPED p/a");
      assertThat(log.linesContaining("Registry listener failed on CLIENT_JOINED of playlist p stream a client "
          + client)).hasSize(1);
      assertThat(checker.violations()).isEmpty();
    }
  }

  @Test
  void aListenersOwnCallIsDeliveredRightAfterTheListenerReturnsNeverNested() {
    AtomicReference<PlaylistRegistry> registryRef = new AtomicReference<>();
    AtomicReference<ClientLease> nested = new AtomicReference<>();
    List<String> seenWhenNestedReturned = new ArrayList<>();
    EventOrderChecker checker = new EventOrderChecker();
    checker.then(event -> {
      if (event.type() == STREAM_STARTED && event.streamId().equals("a")) {
        ClientLease lease = registryRef.get().acquire("p", "b");
        nested.set(lease);
        seenWhenNestedReturned.addAll(sequence(checker));
      }
    });
    try (PlaylistRegistry registry = PlaylistRegistry.builder().listener(checker)
        .streamGrace(Duration.ZERO).manualCleanup().build()) {
      registryRef.set(registry);
      ClientLease outer = registry.acquire("p", "a", id -> PlaylistSettings.withTuners(2));
      long a = outer.clientId();
      long b = nested.get().clientId();

      // The nested acquire returned before its own events (the listener was busy with STREAM_STARTED a)...
      assertThat(seenWhenNestedReturned).containsExactly("PLAYLIST_CREATED p", "STREAM_STARTED p/a");
      // ...and they came right after, before the outer acquire returned, in the order of the changes.
      assertThat(sequence(checker)).containsExactly("PLAYLIST_CREATED p", "STREAM_STARTED p/a",
          "CLIENT_JOINED p/a/" + a, "STREAM_STARTED p/b", "CLIENT_JOINED p/b/" + b);
      assertThat(checker.violations()).as("never re-entered, never concurrent").isEmpty();
      assertThat(registry.snapshot().totalClients()).isEqualTo(2);
    }
  }

  @Test
  void aListenerThatClosesTheRegistryGetsTheCloseEventsAfterItReturnsAndTheCallerIsToldClosed() {
    AtomicReference<PlaylistRegistry> registryRef = new AtomicReference<>();
    EventOrderChecker checker = new EventOrderChecker();
    checker.then(event -> {
      if (event.type() == CLIENT_JOINED) {
        registryRef.get().close(); // from inside the listener: waits for the pumps, never for itself
      }
    });
    PlaylistRegistry registry = PlaylistRegistry.builder().listener(checker)
        .upstream(endless(new AtomicBoolean()), (p, s) -> UpstreamTarget.of(URI.create("endless:" + s)))
        .manualCleanup().build();
    registryRef.set(registry);

    assertThatThrownBy(() -> registry.acquire("p", "a", id -> PlaylistSettings.withTuners(1)))
        .isInstanceOf(RegistryClosedException.class);

    List<String> events = sequence(checker);
    assertThat(events).hasSize(6);
    String client = events.get(2).substring("CLIENT_JOINED p/a/".length());
    assertThat(events).containsExactly("PLAYLIST_CREATED p", "STREAM_STARTED p/a",
        "CLIENT_JOINED p/a/" + client, "CLIENT_EVICTED p/a/" + client, "STREAM_STOPPED p/a",
        "PLAYLIST_REMOVED p");
    assertThat(checker.violations()).isEmpty();
    assertThat(checker.unbalanced()).isEmpty();
  }

  @Test
  void anUpstreamFailureReachesItsViewerWhileTheListenerIsBusyAndItsEventsFollowInOrder()
      throws Exception {
    CountDownLatch listenerBusy = new CountDownLatch(1);
    CountDownLatch releaseListener = new CountDownLatch(1);
    EventOrderChecker checker = new EventOrderChecker();
    checker.then(event -> {
      if (event.type() == CLIENT_JOINED && event.streamId().equals("b")) {
        listenerBusy.countDown();
        awaitUninterruptibly(releaseListener); // a slow listener, holding the delivery of events
      }
    });
    AtomicBoolean failA = new AtomicBoolean();
    UpstreamSource source = request -> request.streamId().equals("a") ? endless(failA).open(request)
        : endless(new AtomicBoolean()).open(request);
    try (PlaylistRegistry registry = PlaylistRegistry.builder().listener(checker)
        .upstream(source, (p, s) -> UpstreamTarget.of(URI.create("endless:" + s)))
        .reconnectPolicy(ReconnectPolicy.none())
        .streamGrace(Duration.ZERO).manualCleanup().build()) {
      ClientLease viewer = registry.acquire("p", "a", id -> PlaylistSettings.withTuners(2));
      StreamReader reader = viewer.reader();
      CompletableFuture<ClientLease> other = CompletableFuture.supplyAsync(() -> registry.acquire("p", "b"));
      listenerBusy.await();

      failA.set(true); // a's pump reports the failure while the listener is busy with b's join
      byte[] buffer = new byte[188 * 64];
      CompletableFuture<Throwable> readerEnd = CompletableFuture.supplyAsync(() -> {
        try {
          while (reader.read(buffer, 0, buffer.length, Duration.ofSeconds(1)) >= 0) {
            // drain what was published before the failure
          }
          return null;
        } catch (Exception e) {
          return e;
        }
      });
      // The pump never waits for the listener: the viewer learns of the failure while it is busy. A
      // pump stuck behind the listener would leave the reader waiting; the bound turns that into a
      // failure instead of a hang.
      assertThat(readerEnd.get(60, TimeUnit.SECONDS)).isInstanceOf(UpstreamException.class);
      assertThat(other).isNotDone(); // still delivering: b's acquire has not returned

      releaseListener.countDown();
      long b = other.get().clientId();
      long a = viewer.clientId();
      // The holder of the delivery delivered the pump's events before it returned, in compute order.
      assertThat(sequence(checker)).containsExactly("PLAYLIST_CREATED p", "STREAM_STARTED p/a",
          "CLIENT_JOINED p/a/" + a, "STREAM_STARTED p/b", "CLIENT_JOINED p/b/" + b,
          "CLIENT_EVICTED p/a/" + a, "UPSTREAM_FAILED p/a", "STREAM_STOPPED p/a");
      assertThat(checker.violations()).isEmpty();
    }
  }

  /** A source whose connections send null packets until {@code fail} is set, then fail. */
  private static UpstreamSource endless(AtomicBoolean fail) {
    return request -> new UpstreamConnection() {
      private volatile boolean closed;

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        if (closed || Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("closed: " + request.url());
        }
        if (fail.get()) {
          throw new IOException("connection reset: " + request.url());
        }
        LockSupport.parkNanos(200_000); // paced, like a live stream
        int n = Math.min(len, 188);
        buf[off] = 0x47;
        buf[off + 1] = 0x1F; // null packet PID 0x1FFF
        buf[off + 2] = (byte) 0xFF;
        buf[off + 3] = 0x10;
        for (int i = 4; i < n; i++) {
          buf[off + i] = (byte) 0xFF;
        }
        return n;
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
