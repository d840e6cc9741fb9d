package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code EventBalance} with {@code close()} racing every other operation: worker threads join and
 * leave streams (with and without a client key, so also switches), run cleanup while the clock moves
 * (stale evictions, grace expiries, idle removals), update tuner limits, create playlists, and, with a
 * data path, meet upstreams that fail or end; the main thread closes the registry in the middle. Every
 * id's events must come in a legal order ({@link EventOrderChecker}), the listener is never called by
 * two threads at once, everything opened is closed after {@code close()}, and a caller's own events
 * have been delivered when its call returns ({@code CLIENT_JOINED} when {@code acquire} returns, the
 * client's end when its {@code close()} ended it).
 */
class EventOrderTest {

  private static final int WORKERS = 6;
  private static final int OPS_PER_WORKER = 60;
  private static final String[] PLAYLISTS = {"p0", "p1"};
  private static final String[] STREAMS = {"a", "b", "c"};

  /** Connections that deliver a few packets, then end or fail; some opens fail at once. */
  private static final UpstreamSource FLAKY = request -> {
    int kind = ThreadLocalRandom.current().nextInt(4);
    if (kind == 0) {
      throw new IOException("refused: " + request.url());
    }
    return new UpstreamConnection() {
      private int reads;
      private volatile boolean closed;

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        if (closed || Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("closed: " + request.url()); // as a closed socket does
        }
        if (++reads > 3) {
          if (kind == 1) {
            throw new IOException("reset: " + request.url());
          }
          if (kind == 2) {
            return -1;
          }
          LockSupport.parkNanos(100_000); // kind 3 keeps streaming, slowly
        }
        int n = Math.min(len, 188);
        buf[off] = 0x47;
        for (int i = 1; i < n; i++) {
          buf[off + i] = (byte) 0xFF;
        }
        return n;
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  };

  @ParameterizedTest(name = "data path: {0}")
  @ValueSource(booleans = {false, true})
  void everyIdsEventsComeInALegalOrderWhenCloseRacesEveryOperation(boolean dataPath) throws Exception {
    // PIT reruns this test for every registry mutant it covers; the mutation profile divides the
    // rounds (buffercore.test.roundDivisor) so that a complete run fits, the normal build runs all.
    int divisor = Integer.getInteger("buffercore.test.roundDivisor", 1);
    int rounds = Math.max(1, (dataPath ? 150 : 400) / divisor);
    List<String> failures = new ArrayList<>();
    int closedDuringWork = 0;
    for (int round = 0; round < rounds && failures.isEmpty(); round++) {
      EventOrderChecker checker = new EventOrderChecker();
      Ticker.Manual ticker = Ticker.manual();
      PlaylistRegistry.Builder builder = PlaylistRegistry.builder()
          .listener(checker)
          .ticker(ticker)
          .staleAfter(Duration.ofSeconds(30))
          .streamGrace(round % 2 == 0 ? Duration.ZERO : Duration.ofSeconds(5))
          .idleGrace(Duration.ofSeconds(10))
          .manualCleanup();
      if (dataPath) {
        builder.upstream(FLAKY, (p, s) -> UpstreamTarget.of(URI.create("flaky:" + p + "/" + s)))
            .reconnectPolicy(ReconnectPolicy.none());
      }
      PlaylistRegistry registry = builder.build();
      AtomicInteger ops = new AtomicInteger();
      AtomicReference<String> failure = new AtomicReference<>();
      CyclicBarrier go = new CyclicBarrier(WORKERS + 1);
      List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        int worker = w;
        Thread thread = new Thread(() -> work(registry, ticker, checker, worker, go, ops, failure),
            "events-" + round + "-" + w);
        thread.start();
        workers.add(thread);
      }
      go.await();
      int closeAfter = ThreadLocalRandom.current().nextInt(WORKERS * OPS_PER_WORKER / 2);
      while (ops.get() < closeAfter && workers.stream().anyMatch(Thread::isAlive)) {
        Thread.onSpinWait(); // close in the middle of the work, at a random point of it
      }
      if (workers.stream().anyMatch(Thread::isAlive)) {
        closedDuringWork++;
      }
      registry.close();
      for (Thread thread : workers) {
        thread.join();
      }
      List<String> violations = checker.violations();
      if (!violations.isEmpty()) {
        failures.add("round " + round + ": " + violations);
      }
      List<String> open = checker.unbalanced();
      if (!open.isEmpty()) {
        failures.add("round " + round + ": still open after close() returned: " + open);
      }
      if (failure.get() != null) {
        failures.add("round " + round + ": " + failure.get());
      }
    }
    assertThat(failures).isEmpty();
    assertThat(closedDuringWork).as("rounds in which close() raced the workers").isPositive();
  }

  private static void work(PlaylistRegistry registry, Ticker.Manual ticker, EventOrderChecker checker,
      int worker, CyclicBarrier go, AtomicInteger ops, AtomicReference<String> failure) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<ClientLease> open = new ArrayList<>();
    try {
      go.await();
      for (int i = 0; i < OPS_PER_WORKER; i++) {
        ops.incrementAndGet();
        String playlist = PLAYLISTS[random.nextInt(PLAYLISTS.length)];
        String stream = STREAMS[random.nextInt(STREAMS.length)];
        try {
          int op = random.nextInt(10);
          if (op < 4 || (op < 6 && open.isEmpty())) {
            ClientKey key = op % 2 == 0 ? ClientKey.of("viewer-" + worker) : null;
            ClientLease lease = key == null
                ? registry.acquire(playlist, stream, id -> PlaylistSettings.withTuners(2))
                : registry.acquire(playlist, stream, key, id -> PlaylistSettings.withTuners(2));
            if (!checker.received(RegistryEvent.Type.CLIENT_JOINED, lease.clientId())) {
              failure.compareAndSet(null, "acquire returned before its CLIENT_JOINED was delivered: " + lease);
            }
            open.add(lease);
          } else if (op < 6) {
            ClientLease lease = open.remove(random.nextInt(open.size()));
            AtomicReference<LeaseEnd> end = new AtomicReference<>();
            lease.onEnded(end::set);
            lease.close();
            if (end.get() != null && end.get().reason() == LeaseEnd.Reason.CLOSED
                && !checker.received(RegistryEvent.Type.CLIENT_LEFT, lease.clientId())
                && !checker.received(RegistryEvent.Type.CLIENT_EVICTED, lease.clientId())) {
              failure.compareAndSet(null, "close() returned before the client's end was delivered: " + lease);
            }
          } else if (op == 6) {
            ticker.advance(Duration.ofSeconds(random.nextInt(1, 40)));
            registry.cleanup();
          } else if (op == 7) {
            registry.update(playlist, settings -> PlaylistSettings.withTuners(random.nextInt(1, 4)));
          } else if (op == 8) {
            registry.getOrCreate(playlist, id -> PlaylistSettings.withTuners(2));
          } else {
            registry.cleanup();
          }
        } catch (RegistryClosedException closed) {
          return;
        } catch (TunerLimitExceededException | PlaylistNotFoundException | TunerPoolUnavailableException
            | UpstreamException expected) {
          // normal answers under churn: no tuner, playlist removed by cleanup, upstream gone
        }
      }
      for (ClientLease lease : open) {
        lease.close();
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, "worker " + worker + " failed: " + e);
    }
  }
}
