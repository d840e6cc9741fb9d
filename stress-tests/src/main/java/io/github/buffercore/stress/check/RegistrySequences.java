package io.github.buffercore.stress.check;

import io.github.buffercore.ClientKey;
import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.Ticker;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerPool;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamTarget;
import io.github.buffercore.internal.InProcessTunerPool;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Short deterministic sequences of the public API, each the user-visible form of one rule the
 * registry's internals keep (the blind mutants of 2026-12-01 broke each of them, and the jcstress
 * tests of their invariants did not reach the state they need):
 *
 * <ul>
 *   <li>{@code check.GateIdleStream} (JoinGate: "a join through the gate never revives an idle
 *       stream"): a viewer rejoins a stream in its grace period, then another stream is started
 *       under a tuner limit of 1; the rejoined stream is not idle, so the start is refused and the
 *       rejoined viewer keeps its stream.</li>
 *   <li>{@code check.RefusedSwitch} (SwitchHandsOverTuner: "a refused switch changes nothing"): a
 *       keyed viewer's switch to a second stream is refused (tuner limit 1, its stream has another
 *       viewer); its old lease still plays and is still counted.</li>
 *   <li>{@code check.SweepGateMembers} (StallEviction: only stalled viewers are evicted): two viewers
 *       of a running stream with readers that are caught up, the second one a join-gate member; a
 *       cleanup past {@code staleAfter} evicts neither.</li>
 *   <li>{@code check.StopDuringOpen} (StoppedNeverOpens): the last viewer leaves (grace 0) while the
 *       stream's pump is inside an {@code open} that does not notice the stop's interrupt; the
 *       connection that open returns must be closed and never read.</li>
 *   <li>{@code check.EventsBeforeReturn} (the listener contract "your call's events before your call
 *       returns"): while thread 1 delivers (its listener is inside the event that thread 2's join
 *       recorded last), thread 2's {@code acquire} must not return.</li>
 * </ul>
 */
public final class RegistrySequences {

  private static final String PLAYLIST = "sequences";

  private RegistrySequences() { }

  /** See the class description; {@code null} if the rule held. */
  static String gateIdleStream() {
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .ticker(Ticker.manual())
        .streamGrace(Duration.ofMinutes(1))
        .idleGrace(Duration.ofMinutes(10))
        .manualCleanup()
        .build(); // no listener: joins to a running stream use its join gate
    try {
      registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
      registry.acquire(PLAYLIST, "a").close(); // stream a idle, in its grace period
      ClientLease back = registry.acquire(PLAYLIST, "a"); // rejoins the idle stream
      int clients = streamClients(registry, "a");
      String started;
      try {
        registry.acquire(PLAYLIST, "b").close();
        started = "started (it took stream a's tuner)";
      } catch (TunerLimitExceededException refused) {
        started = null;
      }
      int after = streamClients(registry, "a");
      if (started != null || after != 1 || !back.isOpen()) {
        return "a viewer rejoined stream a in its grace period (" + clients + " client(s) then); stream b was "
            + (started == null ? "refused" : started) + " under a tuner limit of 1; stream a now has " + after
            + " client(s) (-1: gone; 1 expected) and the rejoined lease is " + (back.isOpen() ? "open" : "closed");
      }
      return null;
    } finally {
      registry.close();
    }
  }

  /** See the class description; {@code null} if the rule held. */
  static String refusedSwitch() {
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .ticker(Ticker.manual())
        .streamGrace(Duration.ZERO)
        .manualCleanup()
        .build();
    try {
      registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
      ClientKey key = ClientKey.of("viewer-1");
      ClientLease old = registry.acquire(PLAYLIST, "a", key);
      ClientLease other = registry.acquire(PLAYLIST, "a");
      boolean refused;
      try {
        registry.acquire(PLAYLIST, "b", key);
        refused = false;
      } catch (TunerLimitExceededException e) {
        refused = true;
      }
      int clients = streamClients(registry, "a");
      if (!refused || !old.isOpen() || clients != 2) {
        return "a keyed viewer's switch from a (2 viewers) to b under a tuner limit of 1 was "
            + (refused ? "refused" : "accepted") + "; its old lease is " + (old.isOpen() ? "open" : "closed")
            + " and stream a has " + clients + " client(s) (refused, open and 2 expected)";
      }
      old.close();
      other.close();
      if (streamClients(registry, "a") != -1) {
        return "after both viewers of stream a left, it still has " + streamClients(registry, "a") + " client(s)";
      }
      return null;
    } finally {
      registry.close();
    }
  }

  /** An upstream whose connection never sends a byte and blocks until it is closed. */
  private static UpstreamConnection silentConnection() {
    CountDownLatch closed = new CountDownLatch(1);
    return new UpstreamConnection() {
      @Override
      public int read(byte[] buf, int off, int len) throws java.io.IOException {
        try {
          closed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted");
        }
        return -1;
      }

      @Override
      public void close() {
        closed.countDown();
      }
    };
  }

  /** See the class description; {@code null} if the rule held. */
  static String sweepGateMembers() {
    Ticker.Manual ticker = Ticker.manual();
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .ticker(ticker)
        .staleAfter(Duration.ofSeconds(1))
        .streamGrace(Duration.ZERO)
        .idleGrace(Duration.ofMinutes(10))
        .manualCleanup()
        .upstream(request -> silentConnection(), (playlistId, streamId) -> UpstreamTarget.of(URI.create("probe://x")))
        .build(); // no listener: the second viewer joins through the join gate
    try {
      registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
      ClientLease anchor = registry.acquire(PLAYLIST, "a");
      ClientLease member = registry.acquire(PLAYLIST, "a");
      anchor.reader();
      member.reader(); // both caught up: nothing was written, so neither is behind
      ticker.advance(Duration.ofSeconds(2));
      registry.cleanup();
      if (!anchor.isOpen() || !member.isOpen() || streamClients(registry, "a") != 2) {
        return "a cleanup past staleAfter evicted a caught-up viewer: the first viewer's lease is "
            + (anchor.isOpen() ? "open" : "closed") + ", the second's (a join-gate member) is "
            + (member.isOpen() ? "open" : "closed") + ", the stream has " + streamClients(registry, "a")
            + " client(s) (both open, 2 expected)";
      }
      return null;
    } finally {
      registry.close();
    }
  }

  /** See the class description; {@code null} if the rule held. */
  static String stopDuringOpen() throws InterruptedException {
    CountDownLatch opening = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    UpstreamConnection connection = new UpstreamConnection() {
      @Override
      public int read(byte[] buf, int off, int len) {
        reads.incrementAndGet();
        return -1; // the end at once: a pump that reads at all was not stopped
      }

      @Override
      public void close() {
        closed.countDown();
      }
    };
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .ticker(Ticker.manual())
        .streamGrace(Duration.ZERO)
        .manualCleanup()
        .upstream(request -> {
          opening.countDown();
          boolean interrupted = false;
          while (true) { // an open that does not notice the stop's interrupt (a slow connect)
            try {
              stopped.await();
              break;
            } catch (InterruptedException e) {
              interrupted = true;
            }
          }
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
          return connection;
        }, (playlistId, streamId) -> UpstreamTarget.of(URI.create("probe://open")))
        .build();
    try {
      registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
      ClientLease lease = registry.acquire(PLAYLIST, "a");
      if (!opening.await(10, TimeUnit.SECONDS)) {
        throw new Checks.HarnessError("the pump never opened the upstream", null);
      }
      lease.close(); // the last client leaves (grace 0): the stream stops while its open is in progress
      stopped.countDown(); // now the open returns its connection
      if (!closed.await(10, TimeUnit.SECONDS)) {
        return "the connection opened during the stream's stop was not closed in 10 s (" + reads.get()
            + " read(s))";
      }
      if (reads.get() > 0) {
        return "the pump read " + reads.get() + " time(s) from a connection opened after its stream was stopped";
      }
      return null;
    } finally {
      stopped.countDown();
      registry.close();
    }
  }

  /** See the class description; {@code null} if the rule held. */
  static String eventsBeforeReturn() throws InterruptedException {
    CountDownLatch secondAdmitting = new CountDownLatch(1);
    CountDownLatch secondLastEventTaken = new CountDownLatch(1);
    CountDownLatch secondReturned = new CountDownLatch(1);
    AtomicReference<String> violation = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    InProcessTunerPool slots = new InProcessTunerPool();
    TunerPool pool = new TunerPool() {
      @Override
      public TunerSlot acquire(TunerRequest request) throws InterruptedException {
        if (request.streamId().equals("b")) { // thread 2's start: its events are recorded by now
          secondAdmitting.countDown();
          secondLastEventTaken.await(10, TimeUnit.SECONDS);
        }
        return slots.acquire(request);
      }
    };
    AtomicReference<PlaylistRegistry> holder = new AtomicReference<>();
    Thread second = new Thread(() -> {
      try {
        holder.get().acquire(PLAYLIST, "b");
      } catch (Throwable e) {
        failure.set(e);
      } finally {
        secondReturned.countDown();
      }
    }, "second");
    second.setDaemon(true);
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .ticker(Ticker.manual())
        .manualCleanup()
        .tunerPool(pool)
        .listener(event -> {
          if (event.type() != RegistryEvent.Type.CLIENT_JOINED) {
            return;
          }
          try {
            if ("a".equals(event.streamId())) { // thread 1 delivers; thread 2 joins b now
              second.start();
              secondAdmitting.await(10, TimeUnit.SECONDS);
            } else if ("b".equals(event.streamId())) { // the last event thread 2's join recorded
              secondLastEventTaken.countDown();
              if (secondReturned.await(1, TimeUnit.SECONDS)) {
                violation.set("thread 2's acquire returned while its CLIENT_JOINED was still being"
                    + " delivered by thread 1");
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        })
        .build();
    holder.set(registry);
    try {
      registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(2));
      registry.acquire(PLAYLIST, "a");
      if (!secondReturned.await(10, TimeUnit.SECONDS)) {
        return "thread 2's acquire did not return";
      }
      if (failure.get() != null) {
        return "thread 2's acquire threw " + failure.get();
      }
      return violation.get();
    } finally {
      registry.close();
    }
  }

  private static int streamClients(PlaylistRegistry registry, String streamId) {
    return registry.snapshot().playlist(PLAYLIST).flatMap(p -> p.streams().stream()
        .filter(s -> s.streamId().equals(streamId)).findFirst()).map(StreamSnapshot::clients).orElse(-1);
  }
}
