package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wake batching contract of a ring's parked readers ({@link WakeBatch}): the first data after a
 * join wakes at once; later a reader is woken once {@code B} bytes are readable or {@code T} passed
 * since its last delivery (by the writer's next publication or by the flush), or at the end; reads
 * stay whole packets; a reader parked for its batch is not stalled. Time is a manual ticker.
 */
class WakeBatchTest {

  private static final int PACKET = TsPacketAligner.PACKET_SIZE;
  /** The batch: 10 packets or 200 ms. */
  private static final int BATCH = 10 * PACKET;
  private static final Duration DELAY = Duration.ofMillis(200);

  private final Ticker.Manual ticker = Ticker.manual();
  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void shutDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private BroadcastRing ring() {
    BroadcastRing ring = new BroadcastRing("pl", "st", 64 * 1024, SlowClientPolicy.SKIP, 0, true);
    ring.batchWakeups(WakeBatch.of(BATCH, DELAY, ticker));
    return ring;
  }

  private static byte[] packets(int count) {
    byte[] bytes = new byte[count * PACKET];
    for (int p = 0; p < count; p++) {
      bytes[p * PACKET] = TsPacketAligner.SYNC_BYTE;
      bytes[p * PACKET + 1] = (byte) p;
    }
    return bytes;
  }

  private static void write(BroadcastRing ring, int count) {
    byte[] bytes = packets(count);
    ring.write(bytes, 0, bytes.length);
  }

  /** Polls everything readable; returns the byte count. */
  private static int drain(StreamReader reader) {
    byte[] buffer = new byte[64 * 1024];
    int total = 0;
    int n;
    while ((n = reader.poll(buffer, 0, buffer.length)) > 0) {
      total += n;
    }
    return total;
  }

  @Test
  void theFirstDataAfterAJoinWakesAtOnceEvenBelowTheBatch() {
    BroadcastRing ring = ring();
    StreamReader reader = ring.newReader();
    AtomicInteger woken = new AtomicInteger();
    reader.onReadable(woken::incrementAndGet);
    write(ring, 1);
    assertThat(woken).hasValue(1);
  }

  @Test
  void afterADeliveryOnlyAFullBatchOrTheDelayWakes() {
    BroadcastRing ring = ring();
    StreamReader reader = ring.newReader();
    write(ring, 1);
    assertThat(drain(reader)).isEqualTo(PACKET); // the first delivery; the delay counts from here
    AtomicInteger woken = new AtomicInteger();
    reader.onReadable(woken::incrementAndGet);
    write(ring, 4);
    ticker.advance(DELAY.minusNanos(1));
    write(ring, 4); // 8 packets pending, 1 ns before the delay: not due
    ring.flushDueWakeups();
    assertThat(woken).hasValue(0);
    write(ring, 2); // 10 packets: the batch is full
    assertThat(woken).hasValue(1);
    assertThat(drain(reader)).isEqualTo(10 * PACKET);
  }

  @Test
  void theDelayWakesAtTheNextPublicationBelowTheBatch() {
    BroadcastRing ring = ring();
    StreamReader reader = ring.newReader();
    write(ring, 1);
    drain(reader);
    AtomicInteger woken = new AtomicInteger();
    reader.onReadable(woken::incrementAndGet);
    write(ring, 1);
    assertThat(woken).hasValue(0);
    ticker.advance(DELAY);
    write(ring, 1);
    assertThat(woken).hasValue(1);
    assertThat(drain(reader)).isEqualTo(2 * PACKET);
  }

  @Test
  void theFlushWakesAReaderWhoseDelayPassedWithoutAPublication() {
    BroadcastRing ring = ring();
    StreamReader reader = ring.newReader();
    write(ring, 1);
    drain(reader);
    AtomicInteger woken = new AtomicInteger();
    reader.onReadable(woken::incrementAndGet);
    write(ring, 3);
    ring.flushDueWakeups();
    assertThat(woken).hasValue(0);
    ticker.advance(DELAY);
    ring.flushDueWakeups();
    ring.flushDueWakeups(); // a callback runs once however often the flush finds it due
    assertThat(woken).hasValue(1);
    assertThat(drain(reader)).isEqualTo(3 * PACKET);
  }

  @Test
  void registeringAfterTheDelayPassedWakesAtOnce() {
    BroadcastRing ring = ring();
    StreamReader reader = ring.newReader();
    write(ring, 1);
    drain(reader);
    write(ring, 1);
    ticker.advance(DELAY);
    AtomicInteger woken = new AtomicInteger();
    reader.onReadable(woken::incrementAndGet);
    assertThat(woken).hasValue(1);
  }

  @Test
  void theEndAndACloseWakeBelowTheBatch() {
    BroadcastRing ring = ring();
    StreamReader ending = ring.newReader();
    StreamReader closing = ring.newReader();
    write(ring, 1);
    drain(ending);
    drain(closing);
    AtomicInteger endWoken = new AtomicInteger();
    AtomicInteger closeWoken = new AtomicInteger();
    ending.onReadable(endWoken::incrementAndGet);
    closing.onReadable(closeWoken::incrementAndGet);
    write(ring, 1);
    assertThat(endWoken).hasValue(0);
    closing.close();
    assertThat(closeWoken).hasValue(1);
    ring.complete();
    assertThat(endWoken).hasValue(1);
    assertThat(drain(ending)).isEqualTo(PACKET);
    assertThat(ending.poll(new byte[PACKET], 0, PACKET)).isEqualTo(-1);
  }

  @Test
  void aBatchedWakeUpReadsWholePackets() {
    BroadcastRing ring = ring();
    StreamReader reader = ring.newReader();
    write(ring, 1);
    drain(reader);
    AtomicInteger woken = new AtomicInteger();
    reader.onReadable(woken::incrementAndGet);
    write(ring, 7);
    write(ring, 5);
    assertThat(woken).hasValue(1);
    byte[] buffer = new byte[5 * PACKET + 100]; // not a multiple of a packet
    int n = reader.poll(buffer, 0, buffer.length);
    assertThat(n).isEqualTo(5 * PACKET);
    for (int p = 0; p < 5; p++) {
      assertThat(buffer[p * PACKET]).isEqualTo(TsPacketAligner.SYNC_BYTE);
    }
    assertThat(drain(reader)).isEqualTo(7 * PACKET);
  }

  @Test
  void aBlockedReadWaitsForItsBatchAndTheFlushEndsTheWait() throws Exception {
    BroadcastRing ring = ring();
    StreamReader reader = ring.newReader();
    write(ring, 1);
    drain(reader);
    write(ring, 2); // below the batch and within the delay: a read without a timeout still gets it
    byte[] buffer = new byte[64 * 1024];
    assertThat(reader.read(buffer, 0, buffer.length, Duration.ZERO)).isEqualTo(2 * PACKET);
    write(ring, 1); // a read that may wait waits for its batch: this packet alone does not end it
    CompletableFuture<Integer> parked = new CompletableFuture<>();
    Future<?> blocked = executor.submit(() -> {
      try {
        parked.complete(reader.read(buffer, 0, buffer.length, Duration.ofSeconds(30)));
      } catch (Throwable t) {
        parked.completeExceptionally(t);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ring.waitingReaderCount() == 0) {
      // until the reader is registered as waiting; the assertions do not race it
      assertThat(parked).as("the read returned before it waited").isNotDone();
      assertThat(System.nanoTime()).as("the reader registers as waiting").isLessThan(deadline);
      Thread.onSpinWait();
    }
    write(ring, 3);
    assertThat(parked).isNotDone(); // 4 packets pending, the delay not passed: still parked
    ticker.advance(DELAY);
    ring.flushDueWakeups();
    assertThat(parked.get(30, TimeUnit.SECONDS)).isEqualTo(4 * PACKET);
    blocked.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aReaderParkedForItsBatchIsNotStalledUnlessLapped() {
    BroadcastRing ring = ring();
    RingReader reader = (RingReader) ring.newReader();
    write(ring, 1);
    drain(reader);
    write(ring, 1);
    assertThat(reader.caughtUp()).isFalse(); // data waits and nobody asked for it: may be a stall
    reader.onReadable(() -> { });
    assertThat(reader.caughtUp()).isTrue(); // parked for its batch: waiting on the writer

    // A batch larger than the ring (a misconfiguration) lets the writer lap a parked reader: stalled.
    BroadcastRing small = new BroadcastRing("pl", "small", 4096, SlowClientPolicy.SKIP, 0, true);
    small.batchWakeups(WakeBatch.of(64 * 1024, DELAY, ticker));
    RingReader lapped = (RingReader) small.newReader();
    write(small, 1);
    drain(lapped);
    AtomicInteger woken = new AtomicInteger();
    lapped.onReadable(woken::incrementAndGet);
    write(small, 11);
    write(small, 11);
    assertThat(woken).hasValue(0);
    assertThat(lapped.lapped()).isTrue();
    assertThat(lapped.caughtUp()).isFalse();
  }

  @Test
  void theBuilderRefusesABadBatchWithATypedErrorNamingIt() {
    io.github.buffercore.PlaylistRegistry.Builder builder = io.github.buffercore.PlaylistRegistry.builder();
    assertThatThrownBy(() -> builder.wakeBatching(-1, DELAY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> builder.wakeBatching(BATCH, Duration.ofSeconds(6)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT6S");
    assertThatThrownBy(() -> builder.wakeBatching(BATCH, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.wakeBatching(BATCH, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("maxDelay");
    builder.wakeBatching(0, Duration.ZERO).build().close(); // off is allowed
  }

  @Test
  void batchingNeedsTwoBytesAndAPositiveDelay() {
    assertThat(WakeBatch.of(1, DELAY, ticker)).isNull();
    assertThat(WakeBatch.of(BATCH, Duration.ZERO, ticker)).isNull();
    assertThatThrownBy(() -> new WakeBatch(1, 1, ticker)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WakeBatch(2, 0, ticker)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theBatchSettingsAreCheckedAtTheirBoundaries() {
    assertThat(new WakeBatch(2, 1, ticker).bytes()).isEqualTo(2); // the smallest batch there is
    assertThatThrownBy(() -> new WakeBatch(1, 1, ticker)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 bytes");
    assertThatThrownBy(() -> new WakeBatch(2, 0, ticker)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 ns");
    assertThat(WakeBatch.of(1, DELAY, ticker)).as("one byte: every publication wakes").isNull();
    assertThat(WakeBatch.of(2, DELAY, ticker).delayNanos()).isEqualTo(DELAY.toNanos());
    assertThat(WakeBatch.of(BATCH, Duration.ZERO, ticker)).isNull();
    // Up to 100,000 days the delay is kept exactly; beyond, it saturates instead of overflowing.
    assertThat(WakeBatch.of(2, Duration.ofDays(100_000), ticker).delayNanos())
        .isEqualTo(Duration.ofDays(100_000).toNanos());
    assertThat(WakeBatch.of(2, Duration.ofDays(100_001), ticker).delayNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aReaderIsDueByItsBytesOrByTheTimeSinceItsLastDeliveryCountedOnAClockFarFromZero() {
    WakeBatch batch = new WakeBatch(BATCH, DELAY.toNanos(), ticker);
    long last = Duration.ofDays(1).toNanos();
    assertThat(batch.due(BATCH - 1, last, last + DELAY.toNanos() - 1)).isFalse();
    assertThat(batch.due(BATCH, last, last)).isTrue();
    assertThat(batch.due(0, last, last + DELAY.toNanos())).isTrue();
    assertThat(batch.due(0, WakeBatch.NEVER, last)).as("the first data after a join").isTrue();
    assertThat(batch.flushPeriodNanos()).as("the flush runs every half delay").isEqualTo(DELAY.toNanos() / 2);
    assertThat(new WakeBatch(2, 10, ticker).flushPeriodNanos()).as("but at most every millisecond")
        .isEqualTo(1_000_000L);
  }

  @Test
  void theRingCountsAReadersPendingBytesFromItsPosition() {
    BroadcastRing ring = ring();
    ticker.advance(Duration.ofDays(1));
    long now = ticker.read();
    long position = Duration.ofDays(2).toNanos(); // positions far from zero, as after a long stream
    assertThat(ring.wakeDue(position, now, position + BATCH - 1)).isFalse();
    assertThat(ring.wakeDue(position, now, position + BATCH)).isTrue();
    assertThat(ring.wakeDue(position, now, position)).as("nothing readable").isFalse();
  }

  @Test
  void aStartBehindOfTheWholeCapacityIsAccepted() {
    BroadcastRing ring = new BroadcastRing("pl", "st", 4096, SlowClientPolicy.SKIP, 4096, false);
    assertThat(ring.capacity()).isEqualTo(4096);
    assertThatThrownBy(() -> new BroadcastRing("pl", "st", 4096, SlowClientPolicy.SKIP, 4097, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'pl'").hasMessageContaining("4097");
  }
}
