package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamRequest;
import io.github.buffercore.UpstreamSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pump's edges that {@link UpstreamPumpTest} does not reach through HTTP: a sink or listener
 * that throws, a source that returns {@code null} or a connection that reads 0 bytes, discontinuity
 * marks, an open cut short by the start timeout or by stop, an interrupt from outside, where the next
 * round starts after a drop, and the builder's checks. Sources here are scripted in-memory
 * connections (the real {@link UpstreamConnection} contract, no sockets needed); every wait is for a
 * condition, with a generous deadline.
 */
@Timeout(60)
class UpstreamPumpEdgesTest {

  private static final ReconnectPolicy ONCE = ReconnectPolicy.builder().maxAttempts(1)
      .initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build();

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<Thread> threads = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Thread t : threads) {
      t.join(10_000);
      assertThat(t.isAlive()).as("pump thread still running").isFalse();
    }
    scheduler.shutdownNow();
  }

  /** Records the sink calls in order. */
  static class Sink implements ChunkSink {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<String> calls = new ArrayList<>();
    final List<UpstreamException> failures = new ArrayList<>();
    final CountDownLatch ended = new CountDownLatch(1);

    @Override
    public synchronized void write(byte[] src, int off, int len) {
      bytes.write(src, off, len);
      calls.add("write " + len);
      notifyAll();
    }

    @Override
    public synchronized void newConnection() {
      calls.add("newConnection");
    }

    @Override
    public synchronized void discontinuity() {
      calls.add("discontinuity");
    }

    @Override
    public synchronized void complete() {
      calls.add("complete");
      ended.countDown();
    }

    @Override
    public synchronized void fail(UpstreamException cause) {
      calls.add("fail");
      failures.add(cause);
      ended.countDown();
    }

    synchronized List<String> calls() {
      return List.copyOf(calls);
    }

    synchronized void awaitBytes(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (bytes.size() < count) {
        long left = deadline - System.nanoTime();
        assertThat(left).as("timed out waiting for %s bytes", count).isPositive();
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  /**
   * One scripted connection: returns each chunk once (its discontinuity count advanced first when
   * asked), then blocks until closed (a live upstream that went quiet) or ends, as scripted.
   */
  static final class Scripted implements UpstreamConnection {
    private final List<byte[]> chunks;
    private final int discontinuityBeforeChunk;
    private final boolean endAfterChunks;
    private int next;
    private int discontinuities;
    private final CountDownLatch closed = new CountDownLatch(1);
    final AtomicInteger closes = new AtomicInteger();

    Scripted(List<byte[]> chunks, int discontinuityBeforeChunk, boolean endAfterChunks) {
      this.chunks = chunks;
      this.discontinuityBeforeChunk = discontinuityBeforeChunk;
      this.endAfterChunks = endAfterChunks;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (closed.getCount() == 0) {
        throw new IOException("closed");
      }
      if (next < chunks.size()) {
        if (next == discontinuityBeforeChunk) {
          discontinuities++;
        }
        byte[] chunk = chunks.get(next++);
        System.arraycopy(chunk, 0, buf, off, chunk.length);
        return chunk.length;
      }
      if (endAfterChunks) {
        return -1;
      }
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      throw new IOException("closed while reading");
    }

    @Override
    public int discontinuityCount() {
      return discontinuities;
    }

    @Override
    public void close() {
      closes.incrementAndGet();
      closed.countDown();
    }

    boolean isClosed() {
      return closed.getCount() == 0;
    }
  }

  private UpstreamPump.Builder pump(UpstreamSource source, Sink sink) {
    return UpstreamPump.builder("pl-e", "st-e", source, sink, scheduler)
        .primaryUrl(URI.create("mem:/primary"))
        .reconnectPolicy(ONCE)
        .startTimeout(Duration.ofSeconds(30))
        .chunkSize(64);
  }

  private Thread start(UpstreamPump pump) {
    Thread t = new Thread(pump, "pump-edges");
    threads.add(t);
    t.start();
    return t;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("timed out waiting until %s", what).isNegative();
      // A short park between looks at a condition (not a sleep standing in for synchronization).
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private static byte[] bytes(int n, int value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  @Test
  void aThrowingSinkFailsTheStreamWithItsExceptionAndClosesTheConnection() throws Exception {
    Scripted conn = new Scripted(List.of(bytes(10, 1)), -1, false);
    RuntimeException boom = new IllegalStateException("sink is broken");
    Sink sink = new Sink() {
      @Override
      public synchronized void write(byte[] src, int off, int len) {
        throw boom;
      }
    };
    List<UpstreamException> told = new CopyOnWriteArrayList<>();
    UpstreamPump pump = pump(request -> conn, sink).listener((p, f) -> told.add(f)).build();

    Thread t = start(pump);
    assertThat(pump.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    t.join(10_000);
    pump.stop(); // from another thread after the end: returns (the pump left no lock behind)

    assertThat(sink.failures).hasSize(1);
    UpstreamException failure = sink.failures.get(0);
    assertThat(failure.getCause()).isSameAs(boom);
    assertThat(failure.reason()).isEqualTo(UpstreamException.Reason.INTERNAL);
    assertThat(failure.attempts()).isEqualTo(1);
    assertThat(failure.getMessage()).contains("pl-e", "st-e", "pump failed unexpectedly");
    assertThat(conn.isClosed()).as("the connection is closed when the sink throws").isTrue();
    assertThat(told).containsExactly(failure);
    assertThat(pump.state()).isEqualTo(PumpState.FAILED);
  }

  @Test
  void anErrorFailsTheSinkTellsTheListenerAndIsRethrownToTheThreadsOwner() throws Exception {
    Scripted conn = new Scripted(List.of(bytes(10, 1)), -1, false);
    AssertionError fatal = new AssertionError("an Error in the sink");
    Sink sink = new Sink() {
      @Override
      public synchronized void write(byte[] src, int off, int len) {
        throw fatal;
      }
    };
    List<UpstreamException> told = new ArrayList<>();
    UpstreamPump pump = pump(request -> conn, sink).listener((p, f) -> told.add(f)).build();

    assertThatThrownBy(pump::run).isSameAs(fatal);
    assertThat(sink.failures).hasSize(1);
    assertThat(sink.failures.get(0).getCause()).isSameAs(fatal);
    assertThat(told).hasSize(1);
    assertThat(pump.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void aThrowingSinkEndAndAThrowingListenerStillEndThePump() throws Exception {
    Sink sink = new Sink() {
      @Override
      public synchronized void complete() {
        super.complete();
        throw new IllegalStateException("complete is broken");
      }
    };
    AtomicInteger listened = new AtomicInteger();
    UpstreamPump pump = pump(request -> new Scripted(List.of(), -1, false), sink)
        .listener((p, f) -> {
          listened.incrementAndGet();
          throw new IllegalStateException("listener is broken");
        }).build();
    pump.stop();

    pump.run(); // neither exception escapes

    assertThat(sink.calls()).containsExactly("complete");
    assertThat(listened).hasValue(1);
    assertThat(pump.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
    assertThat(pump.state()).isEqualTo(PumpState.STOPPED);
  }

  @Test
  void theListenerIsToldAfterTheSinkEnded() {
    Sink sink = new Sink();
    List<List<String>> seenByListener = new ArrayList<>();
    UpstreamPump pump = pump(request -> {
      throw new IOException("refused");
    }, sink).listener((p, f) -> seenByListener.add(sink.calls())).build();

    pump.run();

    assertThat(seenByListener).containsExactly(List.of("fail"));
  }

  @Test
  void aDiscontinuityIsMarkedBeforeTheFirstBytesAfterTheCut() throws Exception {
    Scripted conn = new Scripted(List.of(bytes(5, 1), bytes(6, 2), bytes(7, 3)), 1, false);
    Sink sink = new Sink();
    UpstreamPump pump = pump(request -> conn, sink).build();
    start(pump);
    sink.awaitBytes(18);
    pump.stop();
    assertThat(sink.ended.await(20, TimeUnit.SECONDS)).isTrue();

    assertThat(sink.calls()).containsExactly("newConnection", "write 5", "discontinuity", "write 6", "write 7",
        "complete");
    assertThat(pump.bytesIn()).isEqualTo(18);
    assertThat(conn.isClosed()).isTrue();
  }

  @Test
  void aSourceReturningNullIsAFailedAttemptNamingTheUrl() {
    Sink sink = new Sink();
    UpstreamPump pump = pump(request -> null, sink).build();

    pump.run();

    assertThat(sink.failures).hasSize(1);
    assertThat(sink.failures.get(0).getCause()).isInstanceOf(IOException.class)
        .hasMessageContaining("returned null for mem:/primary");
    assertThat(pump.connectionsOpened()).isZero();
  }

  @Test
  void aConnectionReadingZeroBytesIsAFailedAttempt() {
    UpstreamConnection zero = new UpstreamConnection() {
      @Override
      public int read(byte[] buf, int off, int len) {
        return 0;
      }

      @Override
      public void close() { }
    };
    Sink sink = new Sink();
    UpstreamPump pump = pump(request -> zero, sink).build();

    pump.run();

    assertThat(sink.failures).hasSize(1);
    assertThat(sink.failures.get(0).getCause()).hasMessageContaining("returned 0 bytes");
    assertThat(pump.connectionsOpened()).isEqualTo(1);
    assertThat(pump.bytesIn()).isZero();
  }

  @Test
  void anOpenThatOutlivesTheStartTimeoutIsInterruptedAndTheInterruptIsCleared() {
    CountDownLatch neverOpened = new CountDownLatch(1);
    AtomicInteger interruptedOpens = new AtomicInteger();
    UpstreamSource hanging = request -> {
      try {
        neverOpened.await();
        throw new IOException("unreachable");
      } catch (InterruptedException e) {
        interruptedOpens.incrementAndGet();
        Thread.currentThread().interrupt(); // as a well-behaved source does: the pump must clear it
        throw new java.io.InterruptedIOException("open interrupted");
      }
    };
    Sink sink = new Sink();
    UpstreamPump pump = pump(hanging, sink).startTimeout(Duration.ofMillis(50)).build();

    pump.run(); // on this thread: its interrupt must not leak out of the pump

    assertThat(Thread.currentThread().isInterrupted()).as("the pump's own interrupt is cleared").isFalse();
    assertThat(interruptedOpens).hasValue(1);
    assertThat(sink.failures).hasSize(1);
    UpstreamException failure = sink.failures.get(0);
    assertThat(failure.reason()).isEqualTo(UpstreamException.Reason.TIMEOUT);
    assertThat(failure.getCause()).hasMessageContaining("start timeout")
        .hasMessageContaining("mem:/primary");
    assertThat(failure.getCause().getSuppressed()).hasSize(1);
    assertThat(failure.getCause().getSuppressed()[0]).hasMessage("open interrupted");
  }

  @Test
  void aConnectionThatNeverDeliversIsClosedByTheStartTimeoutWithoutInterruptingTheRead() {
    List<Scripted> opened = new ArrayList<>();
    UpstreamSource silent = request -> {
      Scripted conn = new Scripted(List.of(), -1, false);
      opened.add(conn);
      return conn;
    };
    Sink sink = new Sink();
    // Long enough that a descheduled pump still counts its instant open before the watchdog fires
    // (an attempt that times out during its open is not counted), short enough for two attempts.
    UpstreamPump pump = pump(silent, sink).startTimeout(Duration.ofMillis(500))
        .reconnectPolicy(ReconnectPolicy.builder().maxAttempts(2)
            .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(1)).build())
        .build();

    pump.run();

    // The watchdog closes a connection that is being read; it interrupts only an open. A stray
    // interrupt would cut the backoff before the second attempt short and stop the pump instead.
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(opened).hasSize(2).allSatisfy(conn -> assertThat(conn.isClosed()).isTrue());
    assertThat(sink.failures).hasSize(1);
    assertThat(sink.failures.get(0).reason()).isEqualTo(UpstreamException.Reason.TIMEOUT);
    assertThat(sink.failures.get(0).getSuppressed()).hasSize(1); // the first attempt's timeout
    assertThat(pump.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void aConnectionThatEndsIsClosedByThePumpAndAStopFromAnotherThreadReturns() throws Exception {
    List<Scripted> opened = new CopyOnWriteArrayList<>();
    UpstreamSource ending = request -> {
      Scripted conn = new Scripted(List.of(bytes(3, 1)), -1, true);
      opened.add(conn);
      return conn;
    };
    Sink sink = new Sink();
    UpstreamPump pump = pump(ending, sink)
        .reconnectPolicy(ReconnectPolicy.builder().maxAttempts(2)
            .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(1)).build())
        .build();
    Thread t = start(pump);
    await(() -> opened.size() >= 3, "the pump reconnected twice after ends");
    pump.stop();
    assertThat(pump.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    t.join(10_000);
    assertThat(opened).allSatisfy(conn -> assertThat(conn.isClosed()).as("every connection closed").isTrue());
    assertThat(sink.calls()).contains("complete").doesNotContain("fail");
  }

  @Test
  void aConnectionWhoseCloseThrowsStillLetsThePumpEnd() {
    UpstreamConnection brokenClose = new UpstreamConnection() {
      @Override
      public int read(byte[] buf, int off, int len) {
        return -1;
      }

      @Override
      public void close() {
        throw new IllegalStateException("close is broken (expected by the test)");
      }
    };
    Sink sink = new Sink();
    UpstreamPump pump = pump(request -> brokenClose, sink).build();

    pump.run();

    assertThat(sink.calls()).containsExactly("newConnection", "fail");
    assertThat(sink.failures.get(0).getCause()).hasMessageContaining("live stream must not end");
  }

  @Test
  void stopDuringAnOpenInterruptsItAndCompletes() throws Exception {
    CountDownLatch opening = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    UpstreamSource hanging = request -> {
      opening.countDown();
      try {
        never.await();
        throw new IOException("unreachable");
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException("open interrupted by stop");
      }
    };
    Sink sink = new Sink();
    UpstreamPump pump = pump(hanging, sink).build();
    Thread t = start(pump);
    assertThat(opening.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(pump.state()).isEqualTo(PumpState.CONNECTING);

    pump.stop();

    assertThat(pump.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    t.join(10_000);
    assertThat(sink.calls()).containsExactly("complete");
    assertThat(pump.state()).isEqualTo(PumpState.STOPPED);
  }

  @Test
  void aConnectionOpenedAfterStopIsClosedAndNeverRead() throws Exception {
    CountDownLatch opening = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Scripted conn = new Scripted(List.of(bytes(3, 1)), -1, false);
    UpstreamSource slow = request -> {
      opening.countDown();
      // Ignores interrupts, as a source may: the pump must still not use what it returns.
      boolean done = false;
      while (!done) {
        try {
          done = stopped.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException ignored) {
          // keep opening
        }
      }
      return conn;
    };
    Sink sink = new Sink();
    UpstreamPump pump = pump(slow, sink).build();
    Thread t = start(pump);
    assertThat(opening.await(20, TimeUnit.SECONDS)).isTrue();
    pump.stop();
    stopped.countDown();

    assertThat(pump.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    t.join(10_000);
    assertThat(conn.isClosed()).isTrue();
    assertThat(sink.calls()).containsExactly("complete");
    assertThat(pump.connectionsOpened()).isZero();
  }

  @Test
  void anInterruptFromOutsideDuringBackoffStopsThePumpAndIsKept() throws Exception {
    AtomicInteger opens = new AtomicInteger();
    UpstreamSource failing = request -> {
      opens.incrementAndGet();
      throw new IOException("refused");
    };
    Sink sink = new Sink();
    AtomicInteger interruptedAfterRun = new AtomicInteger(-1);
    UpstreamPump pump = pump(failing, sink)
        .reconnectPolicy(ReconnectPolicy.builder().maxAttempts(3)
            .initialBackoff(Duration.ofMinutes(10)).maxBackoff(Duration.ofMinutes(10)).build())
        .build();
    Thread t = new Thread(() -> {
      pump.run();
      interruptedAfterRun.set(Thread.currentThread().isInterrupted() ? 1 : 0);
    }, "pump-edges-interrupted");
    threads.add(t);
    t.start();
    await(() -> pump.state() == PumpState.BACKING_OFF, "the pump backs off");

    t.interrupt();

    t.join(20_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(interruptedAfterRun).as("the outside interrupt is restored").hasValue(1);
    assertThat(sink.calls()).containsExactly("complete");
    assertThat(opens).hasValue(1);
    assertThat(pump.reconnects()).as("no attempt after the interrupt").isZero();
    assertThat(pump.state()).isEqualTo(PumpState.STOPPED);
  }

  @Test
  void afterADropTheNextRoundStartsAtTheUrlThatLastWorkedAfterTheInitialBackoff() throws Exception {
    List<String> opened = new ArrayList<>();
    AtomicInteger backupOpens = new AtomicInteger();
    UpstreamSource source = request -> {
      synchronized (opened) {
        opened.add(request.url() + "#" + request.attempt());
      }
      if (request.url().getPath().equals("/primary")) {
        throw new IOException("primary is down");
      }
      // The backup delivers once and drops; later it delivers and stays up.
      return backupOpens.incrementAndGet() == 1 ? new Scripted(List.of(bytes(4, 9)), -1, true)
          : new Scripted(List.of(bytes(4, 8)), -1, false);
    };
    Sink sink = new Sink();
    UpstreamPump pump = pump(source, sink)
        .backupUrls(List.of(URI.create("mem:/backup")))
        .reconnectPolicy(ReconnectPolicy.builder().maxAttempts(1)
            .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(1)).build())
        .build();
    start(pump);
    sink.awaitBytes(8);
    await(() -> pump.state() == PumpState.STREAMING, "the pump streams again");

    synchronized (opened) {
      // Not the primary again: the round after the drop starts at the backup.
      assertThat(opened).containsExactly("mem:/primary#1", "mem:/backup#1", "mem:/backup#1");
    }
    assertThat(pump.currentUrlIndex()).isEqualTo(1);
    assertThat(pump.reconnects()).isEqualTo(2);
    assertThat(pump.connectionsOpened()).isEqualTo(2);
    pump.stop();
    assertThat(pump.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aDropWaitsTheInitialBackoffBeforeReconnecting() throws Exception {
    AtomicInteger opens = new AtomicInteger();
    UpstreamSource source = request -> {
      opens.incrementAndGet();
      return new Scripted(List.of(bytes(4, 7)), -1, true);
    };
    Sink sink = new Sink();
    UpstreamPump pump = pump(source, sink)
        .reconnectPolicy(ReconnectPolicy.builder().maxAttempts(1)
            .initialBackoff(Duration.ofMinutes(10)).maxBackoff(Duration.ofMinutes(10)).build())
        .build();
    start(pump);

    await(() -> pump.state() == PumpState.BACKING_OFF, "the pump backs off after the drop");
    assertThat(pump.awaitTermination(0, TimeUnit.NANOSECONDS)).as("a backing-off pump has not ended").isFalse();
    assertThat(opens).hasValue(1);
    assertThat(sink.failures).isEmpty();
    pump.stop();
    assertThat(pump.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(sink.calls()).containsExactly("newConnection", "write 4", "complete");
    // A stop during the backoff ends the pump without another attempt: no reconnect counted.
    assertThat(pump.reconnects()).isZero();
    assertThat(opens).hasValue(1);
  }

  @Test
  void theFinalFailureKeepsAtMost32EarlierFailuresAsSuppressed() {
    AtomicInteger opens = new AtomicInteger();
    UpstreamSource failing = request -> {
      throw new IOException("refused " + opens.incrementAndGet());
    };
    Sink sink = new Sink();
    UpstreamPump pump = pump(failing, sink)
        .reconnectPolicy(ReconnectPolicy.builder().maxAttempts(40)
            .initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build())
        .build();

    pump.run();

    assertThat(opens).hasValue(40);
    UpstreamException failure = sink.failures.get(0);
    assertThat(failure.getCause()).hasMessage("refused 40");
    assertThat(failure.getSuppressed()).hasSize(32);
    assertThat(failure.getSuppressed()[0]).hasMessage("refused 1");
    assertThat(failure.attempts()).isEqualTo(40);
    assertThat(failure.getMessage()).contains("all 1 URL(s) failed after 40 attempt(s) each");
    assertThat(pump.reconnects()).isEqualTo(39);
  }

  @Test
  void gettersAndToStringNameTheStream() {
    UpstreamPump pump = pump(request -> null, new Sink())
        .backupUrls(List.of(URI.create("mem:/b1"), URI.create("mem:/b2"))).build();

    assertThat(pump.playlistId()).isEqualTo("pl-e");
    assertThat(pump.streamId()).isEqualTo("st-e");
    assertThat(pump.urls()).containsExactly(URI.create("mem:/primary"), URI.create("mem:/b1"),
        URI.create("mem:/b2"));
    assertThat(pump.state()).isEqualTo(PumpState.NEW);
    assertThat(pump.currentUrlIndex()).isZero();
    assertThat(pump.toString()).contains("pl-e", "st-e", "NEW", "bytesIn=0");
  }

  @Test
  void theBuilderRejectsBadSettingsNamingThem() {
    UpstreamPump.Builder b = pump(request -> null, new Sink());
    assertThatThrownBy(() -> b.chunkSize(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chunkSize");
    assertThat(b.chunkSize(1)).isSameAs(b);
    assertThatThrownBy(() -> b.startTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.startTimeout(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(b.startTimeout(Duration.ofNanos(1))).isSameAs(b);
    assertThatThrownBy(() -> b.primaryUrl(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("primaryUrl");
    assertThatThrownBy(() -> b.reconnectPolicy(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> UpstreamPump.builder("p", "s", request -> null, new Sink(), scheduler).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("primaryUrl");
    assertThatThrownBy(() -> UpstreamPump.builder(null, "s", request -> null, new Sink(), scheduler))
        .isInstanceOf(NullPointerException.class).hasMessage("playlistId");
  }

  @Test
  void aChunkSizeOfOneCopiesByteByByte() throws Exception {
    Scripted conn = new Scripted(List.of(new byte[] {5}, new byte[] {6}), -1, false);
    Sink sink = new Sink();
    UpstreamPump pump = pump(request -> conn, sink).chunkSize(1).build();
    start(pump);
    sink.awaitBytes(2);
    pump.stop();
    assertThat(pump.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(sink.bytes.toByteArray()).containsExactly(5, 6);
  }

  /** Guards the request the source sees: ids, URL and a 1-based attempt number. */
  @Test
  void theSourceSeesTheStreamUrlAndAttempt() {
    List<UpstreamRequest> seen = new ArrayList<>();
    UpstreamPump pump = pump(request -> {
      seen.add(request);
      throw new IOException("no");
    }, new Sink()).reconnectPolicy(ReconnectPolicy.builder().maxAttempts(2)
        .initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build()).build();
    pump.run();
    assertThat(seen).extracting(UpstreamRequest::attempt).containsExactly(1, 2);
    assertThat(seen).allSatisfy(r -> {
      assertThat(r.playlistId()).isEqualTo("pl-e");
      assertThat(r.streamId()).isEqualTo("st-e");
      assertThat(r.url()).isEqualTo(URI.create("mem:/primary"));
    });
  }
}
