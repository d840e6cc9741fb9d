package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.SlowClientException;
import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.UpstreamException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Single-threaded behaviour of {@link BroadcastRing} plus blocking and callback wakeups. */
class BroadcastRingTest {

  private static final String PLAYLIST = "pl";
  private static final String STREAM = "st";
  private static final Duration GUARD = Duration.ofSeconds(30);

  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void shutDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  /** A byte per absolute position whose period is not a divisor of any ring capacity. */
  static byte expected(long position) {
    return (byte) ((position * 0x9E3779B97F4A7C15L) >>> 56);
  }

  static byte[] pattern(long from, int len) {
    byte[] bytes = new byte[len];
    for (int i = 0; i < len; i++) {
      bytes[i] = expected(from + i);
    }
    return bytes;
  }

  private static BroadcastRing ring(int capacity, SlowClientPolicy policy, int startBehind, boolean ts) {
    return new BroadcastRing(PLAYLIST, STREAM, capacity, policy, startBehind, ts);
  }

  private static byte[] tsPackets(long firstPosition, int packets) {
    byte[] bytes = pattern(firstPosition, packets * TsPacketAligner.PACKET_SIZE);
    for (int p = 0; p < packets; p++) {
      bytes[p * TsPacketAligner.PACKET_SIZE] = TsPacketAligner.SYNC_BYTE;
    }
    return bytes;
  }

  @Test
  void capacityIsRoundedUpToAPowerOfTwo() {
    assertThat(ring(1000, SlowClientPolicy.SKIP, 0, false).capacity()).isEqualTo(1024);
    assertThat(ring(1024, SlowClientPolicy.SKIP, 0, false).capacity()).isEqualTo(1024);
    assertThat(ring(1, SlowClientPolicy.SKIP, 0, false).capacity()).isEqualTo(1);
    assertThat(ring(BroadcastRing.DEFAULT_CAPACITY, SlowClientPolicy.SKIP, 0, false).capacity())
        .isEqualTo(4 * 1024 * 1024);
    assertThatThrownBy(() -> ring(0, SlowClientPolicy.SKIP, 0, false)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ring(64, SlowClientPolicy.SKIP, 65, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sequentialReadsReturnExactlyTheWrittenBytesAcrossManyWrapArounds() {
    for (int capacity : new int[] {16, 64, 1000}) {
      BroadcastRing ring = ring(capacity, SlowClientPolicy.DISCONNECT, 0, false);
      StreamReader reader = ring.newReader();
      Random random = new Random(capacity);
      long written = 0;
      byte[] dst = new byte[37];
      while (written < 50 * ring.capacity()) {
        int len = 1 + random.nextInt(ring.capacity());
        ring.write(pattern(written, len), 0, len);
        written += len;
        // Drain in small pieces at odd offsets so copies wrap around the end of the array.
        int n;
        while ((n = reader.poll(dst, 3, 1 + random.nextInt(34))) > 0) {
          long start = reader.position() - n;
          for (int i = 0; i < n; i++) {
            assertThat(dst[3 + i]).as("byte at %d", start + i).isEqualTo(expected(start + i));
          }
        }
        assertThat(n).isZero();
        assertThat(reader.position()).isEqualTo(written);
      }
      assertThat(reader.bytesRead()).isEqualTo(written);
      assertThat(reader.skips()).isZero();
      assertThat(ring.bytesWritten()).isEqualTo(written);
      assertThat(ring.bytesDelivered()).isEqualTo(written);
      assertThat(ring.laps()).isZero();
    }
  }

  @Test
  void aWriteLongerThanTheCapacityKeepsItsLastBytes() {
    BroadcastRing ring = ring(16, SlowClientPolicy.SKIP, 16, false);
    ring.write(pattern(0, 50), 0, 50);
    StreamReader reader = ring.newReader();
    assertThat(reader.position()).isEqualTo(34);
    byte[] dst = new byte[64];
    assertThat(reader.poll(dst, 0, 64)).isEqualTo(16);
    for (int i = 0; i < 16; i++) {
      assertThat(dst[i]).isEqualTo(expected(34 + i));
    }
  }

  @Test
  void endOfStreamIsDeliveredAfterTheRemainingData() throws InterruptedException {
    BroadcastRing ring = ring(64, SlowClientPolicy.DISCONNECT, 0, false);
    StreamReader reader = ring.newReader();
    ring.write(pattern(0, 40), 0, 40);
    ring.complete();
    ring.complete(); // idempotent
    assertThatThrownBy(() -> ring.write(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    byte[] dst = new byte[25];
    assertThat(reader.read(dst, 0, 25, GUARD)).isEqualTo(25);
    assertThat(reader.read(dst, 0, 25, GUARD)).isEqualTo(15);
    assertThat(reader.read(dst, 0, 25, GUARD)).isEqualTo(-1);
    assertThat(reader.poll(dst, 0, 25)).isEqualTo(-1);
    assertThat(ring.isTerminal()).isTrue();
  }

  @Test
  void failureIsDeliveredAfterTheRemainingData() throws InterruptedException {
    BroadcastRing ring = ring(64, SlowClientPolicy.DISCONNECT, 0, false);
    StreamReader reader = ring.newReader();
    ring.write(pattern(0, 10), 0, 10);
    UpstreamException failure = new UpstreamException(PLAYLIST, STREAM, "HTTP 503", null);
    ring.fail(failure);
    ring.complete(); // ignored: the failure stays
    byte[] dst = new byte[64];
    assertThat(reader.read(dst, 0, 64, GUARD)).isEqualTo(10);
    assertThatThrownBy(() -> reader.read(dst, 0, 64, GUARD)).isSameAs(failure);
    assertThatThrownBy(() -> reader.poll(dst, 0, 64)).isSameAs(failure);
  }

  @Test
  void newReadersStartBehindTheLiveEdgeButNotBeforeTheOldestValidByte() {
    BroadcastRing ring = ring(1024, SlowClientPolicy.SKIP, 100, false);
    assertThat(ring.newReader().position()).isZero();
    ring.write(pattern(0, 60), 0, 60);
    assertThat(ring.newReader().position()).isZero();
    ring.write(pattern(60, 440), 0, 440);
    StreamReader reader = ring.newReader();
    assertThat(reader.position()).isEqualTo(400);
    byte[] dst = new byte[1000];
    assertThat(reader.poll(dst, 0, 1000)).isEqualTo(100);
    assertThat(dst[0]).isEqualTo(expected(400));

    BroadcastRing wholeBuffer = ring(1024, SlowClientPolicy.SKIP, 1024, false);
    wholeBuffer.write(pattern(0, 5000), 0, 5000);
    assertThat(wholeBuffer.newReader().position()).isEqualTo(5000 - 1024);

    BroadcastRing live = ring(1024, SlowClientPolicy.SKIP, 0, false);
    live.write(pattern(0, 300), 0, 300);
    StreamReader atLiveEdge = live.newReader();
    assertThat(atLiveEdge.position()).isEqualTo(300);
    assertThat(atLiveEdge.poll(dst, 0, 10)).isZero();
    assertThat(live.readerCount()).isEqualTo(1);
  }

  @Test
  void mpegTsReadersStartOnPacketBoundaries() {
    BroadcastRing ring = ring(4096, SlowClientPolicy.SKIP, 1000, true);
    ring.write(tsPackets(0, 20), 0, 20 * 188); // 3760 bytes; live - 1000 = 2760 -> 15 * 188 = 2820
    StreamReader reader = ring.newReader();
    assertThat(reader.position()).isEqualTo(2820);
    byte[] dst = new byte[4096];
    assertThat(reader.poll(dst, 0, dst.length)).isEqualTo(3760 - 2820);
    assertThat(dst[0]).isEqualTo(TsPacketAligner.SYNC_BYTE);
    assertThat(dst[188]).isEqualTo(TsPacketAligner.SYNC_BYTE);

    assertThatThrownBy(() -> ring.write(new byte[100], 0, 100)).isInstanceOf(IllegalArgumentException.class);

    // One write longer than the capacity; a reader wanting the whole buffer starts at the oldest packet.
    BroadcastRing full = ring(4096, SlowClientPolicy.SKIP, 4096, true);
    full.write(tsPackets(0, 50), 0, 50 * 188); // 9400 bytes; oldest valid 5304 -> 29 * 188 = 5452
    assertThat(full.newReader().position()).isEqualTo(5452);
  }

  @Test
  void lappedReaderIsDisconnectedUnderDisconnectPolicy() {
    BroadcastRing ring = ring(64, SlowClientPolicy.DISCONNECT, 0, false);
    StreamReader slow = ring.newReader();
    StreamReader other = ring.newReader();
    for (int i = 0; i < 10; i++) {
      ring.write(pattern(i * 10L, 10), 0, 10);
    }
    byte[] dst = new byte[128];
    assertThatThrownBy(() -> slow.poll(dst, 0, 128))
        .isInstanceOfSatisfying(SlowClientException.class, e -> {
          assertThat(e.lostBytes()).isEqualTo(100 - 64);
          assertThat(e.playlistId()).isEqualTo(PLAYLIST);
          assertThat(e.streamId()).isEqualTo(STREAM);
        });
    assertThat(slow.isClosed()).isTrue();
    assertThatThrownBy(() -> slow.poll(dst, 0, 128)).isInstanceOf(SlowClientException.class);
    assertThat(ring.readerCount()).isEqualTo(1);
    assertThat(ring.laps()).isEqualTo(1);
    assertThat(other.isClosed()).isFalse();
  }

  @Test
  void lappedReaderSkipsToWhereANewReaderWouldStartUnderSkipPolicy() {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 16, false);
    StreamReader reader = ring.newReader();
    ring.write(pattern(0, 100), 0, 100);
    byte[] dst = new byte[128];
    assertThat(reader.poll(dst, 0, 128)).isEqualTo(16);
    assertThat(reader.position()).isEqualTo(100);
    for (int i = 0; i < 16; i++) {
      assertThat(dst[i]).isEqualTo(expected(84 + i));
    }
    assertThat(reader.skips()).isEqualTo(1);
    assertThat(ring.skips()).isEqualTo(1);
    assertThat(ring.laps()).isEqualTo(1);
    assertThat(reader.isClosed()).isFalse();
  }

  @Test
  void lappedMpegTsReaderSkipsToAPacketBoundary() {
    BroadcastRing ring = ring(1024, SlowClientPolicy.SKIP, 300, true);
    StreamReader reader = ring.newReader();
    ring.write(tsPackets(0, 10), 0, 1880); // live - 300 = 1580 -> 9 * 188 = 1692
    byte[] dst = new byte[2048];
    assertThat(reader.poll(dst, 0, dst.length)).isEqualTo(1880 - 1692);
    assertThat(dst[0]).isEqualTo(TsPacketAligner.SYNC_BYTE);
    assertThat(reader.skips()).isEqualTo(1);
  }

  @Test
  void readWithTimeoutReturnsZeroWhenNoDataArrives() throws InterruptedException {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader reader = ring.newReader();
    byte[] dst = new byte[8];
    assertThat(reader.read(dst, 0, 8, Duration.ofMillis(20))).isZero();
    assertThat(reader.read(dst, 0, 8, Duration.ZERO)).isZero();
    assertThat(reader.read(dst, 0, 0, GUARD)).isZero();
    assertThat(ring.waitingReaderCount()).isZero();
  }

  @Test
  void closedReaderRejectsReads() {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader reader = ring.newReader();
    reader.close();
    reader.close(); // idempotent
    assertThat(reader.isClosed()).isTrue();
    assertThat(ring.readerCount()).isZero();
    assertThatThrownBy(() -> reader.poll(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
  }

  private static void awaitWaiters(BroadcastRing ring, int count) {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (ring.waitingReaderCount() < count) {
      assertThat(System.nanoTime()).as("readers did not block in time (failure guard)").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void blockedReaderIsWokenByAWriteFromAnotherThread() throws Exception {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader reader = ring.newReader();
    byte[] dst = new byte[64];
    Future<Integer> read = executor.submit(() -> reader.read(dst, 0, 64, GUARD));
    awaitWaiters(ring, 1);
    Thread writer = new Thread(() -> ring.write(pattern(0, 7), 0, 7));
    writer.start();
    writer.join();
    assertThat(read.get(GUARD.toSeconds(), TimeUnit.SECONDS)).isEqualTo(7);
    assertThat(dst[6]).isEqualTo(expected(6));
  }

  @Test
  void blockedReaderIsWokenByCompletionAndByClose() throws Exception {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader ending = ring.newReader();
    StreamReader closing = ring.newReader();
    Future<Integer> end = executor.submit(() -> ending.read(new byte[8], 0, 8, GUARD));
    Future<Integer> closed = executor.submit(() -> closing.read(new byte[8], 0, 8, GUARD));
    awaitWaiters(ring, 2);
    closing.close();
    assertThatThrownBy(() -> closed.get(GUARD.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    ring.complete();
    assertThat(end.get(GUARD.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
  }

  @Test
  void blockedReaderCanBeInterrupted() throws Exception {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader reader = ring.newReader();
    Future<Integer> read = executor.submit(() -> reader.read(new byte[8], 0, 8, GUARD));
    awaitWaiters(ring, 1);
    read.cancel(true);
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (ring.waitingReaderCount() > 0) {
      assertThat(System.nanoTime()).as("interrupted reader did not leave (failure guard)").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void readinessCallbackRunsOnceOnTheWriterThreadAfterData() throws InterruptedException {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader reader = ring.newReader();
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<Thread> callbackThread = new AtomicReference<>();
    reader.onReadable(() -> {
      calls.incrementAndGet();
      callbackThread.set(Thread.currentThread());
    });
    assertThat(calls).hasValue(0);
    assertThatThrownBy(() -> reader.onReadable(() -> { })).isInstanceOf(IllegalStateException.class);

    Thread writer = new Thread(() -> {
      ring.write(pattern(0, 5), 0, 5);
      ring.write(pattern(5, 5), 0, 5); // one-shot: no second call
    });
    writer.start();
    writer.join();
    assertThat(calls).hasValue(1);
    assertThat(callbackThread.get()).isSameAs(writer);

    // Already readable: runs at once on the caller thread.
    reader.onReadable(() -> callbackThread.set(Thread.currentThread()));
    assertThat(callbackThread.get()).isSameAs(Thread.currentThread());

    // After draining, completion makes it readable again.
    assertThat(reader.poll(new byte[64], 0, 64)).isEqualTo(10);
    reader.onReadable(calls::incrementAndGet);
    assertThat(calls).hasValue(1);
    ring.complete();
    assertThat(calls).hasValue(2);
  }

  @Test
  void readinessCallbackRunsOnCloseAndOnFailure() {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader closing = ring.newReader();
    StreamReader failing = ring.newReader();
    List<String> events = new CopyOnWriteArrayList<>();
    closing.onReadable(() -> events.add("closed"));
    failing.onReadable(() -> events.add("failed"));
    closing.close();
    assertThat(events).containsExactly("closed");
    ring.fail(new UpstreamException(PLAYLIST, STREAM, "gone", null));
    assertThat(events).containsExactly("closed", "failed");
  }

  @Test
  void throwingCallbackAffectsNeitherTheWriterNorOtherReaders() {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader bad = ring.newReader();
    StreamReader good = ring.newReader();
    CompletableFuture<Void> goodCalled = new CompletableFuture<>();
    bad.onReadable(() -> {
      throw new IllegalStateException("callback bug (expected by the test)");
    });
    good.onReadable(() -> goodCalled.complete(null));
    ring.write(pattern(0, 3), 0, 3);
    assertThat(goodCalled).isDone();
    assertThat(bad.poll(new byte[8], 0, 8)).isEqualTo(3);
    assertThat(good.poll(new byte[8], 0, 8)).isEqualTo(3);
  }
}
