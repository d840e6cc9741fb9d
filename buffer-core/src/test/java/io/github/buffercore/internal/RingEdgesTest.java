package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.SlowClientException;
import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.UpstreamException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ring's edges that {@link BroadcastRingTest} leaves open: range checks at their boundaries,
 * reader bookkeeping when a reader in the middle of the list leaves, the join prefix cut to whole
 * packets, the saturating timeouts of a blocking read, the stall sweep's two questions
 * ({@code caughtUp}, {@code lapped}), and the names and counters a status page shows.
 */
@Timeout(60)
class RingEdgesTest {

  private static final int P = TsPacketAligner.PACKET_SIZE;
  private static final Duration GUARD = Duration.ofSeconds(30);

  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void shutDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private static BroadcastRing ring(int capacity, SlowClientPolicy policy, int startBehind, boolean ts) {
    return new BroadcastRing("pl-r", "st-r", capacity, policy, startBehind, ts);
  }

  private static byte[] bytes(int from, int len) {
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) (from + i);
    }
    return b;
  }

  private static void awaitWaiters(BroadcastRing ring, int count) {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (ring.waitingReaderCount() < count) {
      assertThat(System.nanoTime() - deadline).as("reader did not block in time (failure guard)").isNegative();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  @Test
  void sizesAreCheckedAtTheirBoundsNamingTheStream() {
    assertThat(ring(2, SlowClientPolicy.SKIP, 0, false).capacity()).isEqualTo(2);
    assertThat(ring(3, SlowClientPolicy.SKIP, 0, false).capacity()).isEqualTo(4);
    assertThatThrownBy(() -> ring(BroadcastRing.MAX_CAPACITY + 1, SlowClientPolicy.SKIP, 0, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("st-r").hasMessageContaining("pl-r");
    assertThatThrownBy(() -> ring(-1, SlowClientPolicy.SKIP, 0, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ring(64, SlowClientPolicy.SKIP, -1, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start-behind");
    // Exactly the capacity is allowed: a new reader then starts at the oldest byte.
    BroadcastRing whole = ring(64, SlowClientPolicy.SKIP, 64, false);
    whole.write(bytes(0, 100), 0, 100);
    assertThat(whole.newReader().position()).isEqualTo(36);
    assertThatThrownBy(() -> new BroadcastRing(null, "s", 64, SlowClientPolicy.SKIP, 0, false))
        .isInstanceOf(NullPointerException.class).hasMessage("playlistId");
  }

  @Test
  void aWriteOutsideItsArrayIsRefusedAndChangesNothing() {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    assertThatThrownBy(() -> ring.write(new byte[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(ring.bytesWritten()).isZero();
    ring.write(new byte[10], 0, 0); // empty: nothing moves
    assertThat(ring.bytesWritten()).isZero();
    StreamReader reader = ring.newReader();
    assertThatThrownBy(() -> reader.poll(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void aWriteAfterAFailureSaysFailedAndAfterCompletionSaysCompleted() {
    BroadcastRing failed = ring(64, SlowClientPolicy.SKIP, 0, false);
    failed.fail(new UpstreamException("pl-r", "st-r", "gone", null));
    assertThatThrownBy(() -> failed.write(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after it failed").hasMessageContaining("st-r");
    BroadcastRing completed = ring(64, SlowClientPolicy.SKIP, 0, false);
    assertThat(completed.isTerminal()).isFalse();
    completed.complete();
    assertThatThrownBy(() -> completed.write(new byte[1], 0, 1)).hasMessageContaining("after it completed");
    assertThatThrownBy(() -> completed.fail(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void theReaderInTheMiddleLeavesAndTheOthersStillGetTheirWakeUps() {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader first = ring.newReader();
    StreamReader middle = ring.newReader();
    StreamReader last = ring.newReader();
    List<String> woken = new CopyOnWriteArrayList<>();
    first.onReadable(() -> woken.add("first"));
    last.onReadable(() -> woken.add("last"));

    middle.close();
    assertThat(ring.readerCount()).isEqualTo(2);
    middle.close(); // idempotent: the list is not touched again
    assertThat(ring.readerCount()).isEqualTo(2);
    ring.write(bytes(0, 3), 0, 3);

    assertThat(woken).containsExactly("first", "last");
    first.close();
    last.close();
    assertThat(ring.readerCount()).isZero();
  }

  @Test
  void aWriteWakesOnlyReadersWithSomethingToRead() {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader reader = ring.newReader();
    List<String> woken = new CopyOnWriteArrayList<>();
    ring.write(bytes(0, 2), 0, 2);
    assertThat(reader.poll(new byte[8], 0, 8)).isEqualTo(2);
    reader.onReadable(() -> woken.add("woken"));
    assertThat(woken).isEmpty(); // caught up: nothing to read yet
    ring.write(bytes(2, 1), 0, 1);
    assertThat(woken).containsExactly("woken");
  }

  @Test
  void aJoinPointAtTheOldestIntactByteKeepsItsPrefixWhichComesInWholePackets() {
    BroadcastRing ring = ring(4 * P, SlowClientPolicy.SKIP, 0, true);
    // capacity 1024: write 8 packets (1504 bytes); the oldest intact byte is 1504 - 1024 = 480.
    ring.write(new byte[8 * P], 0, 8 * P);
    long oldestPacket = 3L * P; // 564: the first packet boundary at or after 480
    byte[] prefix = bytes(1, 2 * P);
    StreamReader reader = ring.newReaderAt(oldestPacket, prefix);
    assertThat(reader.position()).isEqualTo(oldestPacket);
    byte[] dst = new byte[P + 12];
    // The prefix comes in whole packets when the buffer holds more than one packet.
    assertThat(reader.poll(dst, 0, dst.length)).isEqualTo(P);
    assertThat(dst[0]).isEqualTo((byte) 1);
    assertThat(reader.poll(dst, 0, 10)).isEqualTo(10); // less than a packet: the part that fits
    assertThat(reader.poll(dst, 0, dst.length)).isEqualTo(P - 10);
    assertThat(dst[P - 11]).isEqualTo(prefix[2 * P - 1]);
    assertThat(reader.bytesRead()).isEqualTo(2L * P);
    assertThat(ring.bytesDelivered()).as("the prefix counts as delivered").isEqualTo(2L * P);
    assertThat(reader.position()).isEqualTo(oldestPacket); // the prefix does not move it

    // Exactly the oldest intact byte (100 - 64) is still a valid join point (only possible off packets).
    BroadcastRing bytesMode = ring(64, SlowClientPolicy.SKIP, 0, false);
    bytesMode.write(bytes(0, 100), 0, 100);
    assertThat(bytesMode.newReaderAt(36, null).position()).isEqualTo(36);
    assertThat(bytesMode.newReaderAt(100, new byte[0]).poll(new byte[8], 0, 8)).isZero(); // empty prefix
    assertThatThrownBy(() -> bytesMode.newReaderAt(-1, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("position between 0 and 100");
    assertThatThrownBy(() -> bytesMode.newReaderAt(101, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPendingPrefixMakesAReaderReadableAndAZeroLengthPollReturnsZero() throws InterruptedException {
    BroadcastRing ring = ring(4 * P, SlowClientPolicy.SKIP, 0, true);
    StreamReader reader = ring.newReaderAt(0, bytes(7, P));
    assertThat(reader.poll(new byte[8], 0, 0)).isZero();
    List<String> woken = new CopyOnWriteArrayList<>();
    reader.onReadable(() -> woken.add("prefix"));
    assertThat(woken).containsExactly("prefix");
    byte[] dst = new byte[2 * P];
    assertThat(reader.read(dst, 0, dst.length, GUARD)).isEqualTo(P);
    assertThat(dst[0]).isEqualTo((byte) 7);
    assertThat(reader.read(dst, 0, dst.length, Duration.ofMillis(1))).isZero();
  }

  @Test
  void aReadWithAnEndlessTimeoutBlocksUntilData() throws Exception {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader reader = ring.newReader();
    byte[] dst = new byte[8];
    Future<Integer> read = executor.submit(() -> reader.read(dst, 0, 8, ChronoUnit.FOREVER.getDuration()));
    awaitWaiters(ring, 1);
    ring.write(bytes(40, 4), 0, 4);
    assertThat(read.get(GUARD.toSeconds(), TimeUnit.SECONDS)).isEqualTo(4);
    assertThat(dst[3]).isEqualTo((byte) 43);
    assertThat(ring.waitingReaderCount()).isZero();
    // A timeout too negative for nanoseconds is no wait at all (it used to wrap around to a wait of
    // about 292 years: "timeout - elapsed" overflowed).
    assertThat(reader.read(dst, 0, 8, ChronoUnit.FOREVER.getDuration().negated())).isZero();
    assertThat(RingMemory.saturatedNanos(ChronoUnit.FOREVER.getDuration())).isEqualTo(Long.MAX_VALUE);
    assertThat(RingMemory.saturatedNanos(ChronoUnit.FOREVER.getDuration().negated())).isEqualTo(Long.MIN_VALUE);
    assertThat(RingMemory.saturatedNanos(Duration.ofNanos(5))).isEqualTo(5);
  }

  @Test
  void anInterruptedReadSaysWhichStream() throws Exception {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader reader = ring.newReader();
    Future<Integer> read = executor.submit(() -> reader.read(new byte[8], 0, 8, GUARD));
    awaitWaiters(ring, 1);
    read.cancel(true);
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (ring.waitingReaderCount() > 0) {
      assertThat(System.nanoTime() - deadline).as("interrupted reader did not leave").isNegative();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    Thread.currentThread().interrupt();
    try {
      // Interrupted before it parks: it still parks once, sees the interrupt and says so.
      assertThatThrownBy(() -> reader.read(new byte[8], 0, 8, GUARD)).isInstanceOf(InterruptedException.class)
          .hasMessageContaining("st-r").hasMessageContaining("pl-r");
    } finally {
      Thread.interrupted();
    }
    assertThat(ring.waitingReaderCount()).isZero();
  }

  @Test
  void aDisconnectedReaderKeepsTellingWhyAndAClosedOneThatItIsClosed() {
    BroadcastRing ring = ring(16, SlowClientPolicy.DISCONNECT, 0, false);
    StreamReader slow = ring.newReader();
    ring.write(bytes(0, 40), 0, 40);
    Throwable first = org.assertj.core.api.Assertions.catchThrowable(() -> slow.poll(new byte[8], 0, 8));
    assertThat(first).isInstanceOf(SlowClientException.class);
    assertThat(((SlowClientException) first).lostBytes()).isEqualTo(24);
    assertThatThrownBy(() -> slow.poll(new byte[8], 0, 8)).isSameAs(first);
    // Lapped after it had read some: the loss counts from where it was.
    StreamReader behind = ring.newReader(); // at 40
    ring.write(bytes(40, 4), 0, 4);
    assertThat(behind.poll(new byte[2], 0, 2)).isEqualTo(2); // at 42
    ring.write(bytes(44, 30), 0, 30); // tail 74, oldest intact 58
    assertThatThrownBy(() -> behind.poll(new byte[8], 0, 8)).isInstanceOfSatisfying(SlowClientException.class,
        e -> assertThat(e.lostBytes()).isEqualTo(58 - 42));
    StreamReader closed = ring.newReader();
    closed.close();
    assertThatThrownBy(() -> closed.poll(new byte[8], 0, 8)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed").hasMessageContaining("st-r");
  }

  @Test
  void aLappedReaderWithTheWholeCapacityBehindContinuesAtTheOldestIntactByte() {
    // startBehind is the whole capacity: after a lap the reader continues at the oldest intact byte.
    BroadcastRing ring = ring(16, SlowClientPolicy.SKIP, 16, false);
    StreamReader reader = ring.newReader();
    ring.write(bytes(0, 10), 0, 10);
    byte[] dst = new byte[4];
    assertThat(reader.poll(dst, 0, 4)).isEqualTo(4);
    ring.write(bytes(10, 30), 0, 30); // tail 40, oldest intact 24: the reader at 4 was lapped
    assertThat(reader.poll(dst, 0, 4)).isEqualTo(4);
    assertThat(dst[0]).isEqualTo((byte) 24);
    assertThat(reader.position()).isEqualTo(28);
    assertThat(reader.skips()).isEqualTo(1);
  }

  @Test
  void aTsReaderLappedInsideAPacketFinishesItWithStuffingBeforeTheNextBoundary() {
    BroadcastRing ring = ring(1024, SlowClientPolicy.SKIP, 4 * P, true);
    StreamReader reader = ring.newReader();
    ring.write(new byte[P], 0, P);
    byte[] dst = new byte[4096];
    assertThat(reader.poll(dst, 0, 100)).isEqualTo(100); // inside the first packet
    byte[] next = new byte[10 * P];
    for (int i = 0; i < 10; i++) {
      next[i * P] = TsPacketAligner.SYNC_BYTE;
    }
    ring.write(next, 0, next.length); // laps the reader at 100
    assertThat(reader.poll(dst, 0, 50)).isEqualTo(50); // part of the stuffing owed
    assertThat(dst[0]).isEqualTo((byte) 0xFF);
    assertThat(reader.poll(dst, 0, 4096)).isEqualTo(P - 100 - 50);
    assertThat(dst[P - 151]).isEqualTo((byte) 0xFF);
    int n = reader.poll(dst, 0, 4096);
    assertThat(n % P).isZero();
    assertThat(dst[0]).isEqualTo(TsPacketAligner.SYNC_BYTE);
    assertThat(reader.bytesRead()).isEqualTo(P + n);
  }

  @Test
  void theStallSweepsQuestionsFollowTheReader() {
    BroadcastRing ring = ring(16, SlowClientPolicy.SKIP, 0, false);
    RingReader reader = (RingReader) ring.newReader();
    assertThat(reader.caughtUp()).isTrue();
    assertThat(reader.lapped()).isFalse();
    ring.write(bytes(0, 16), 0, 16);
    assertThat(reader.caughtUp()).isFalse();
    assertThat(reader.lapped()).isFalse(); // exactly a capacity behind: still intact
    ring.write(bytes(16, 1), 0, 1);
    assertThat(reader.lapped()).isTrue();
    ring.complete();
    assertThat(reader.caughtUp()).isTrue(); // ended: nothing more is waiting for it
    reader.close();
    assertThat(reader.lapped()).isFalse();
    assertThat(reader.caughtUp()).isTrue();
  }

  @Test
  void namesCountersAndToStringDescribeTheStream() {
    BroadcastRing ring = ring(64, SlowClientPolicy.SKIP, 0, false);
    StreamReader reader = ring.newReader();
    ring.write(bytes(0, 5), 0, 5);
    assertThat(reader.poll(new byte[8], 0, 8)).isEqualTo(5);
    assertThat(ring.playlistId()).isEqualTo("pl-r");
    assertThat(ring.streamId()).isEqualTo("st-r");
    assertThat(reader.playlistId()).isEqualTo("pl-r");
    assertThat(reader.streamId()).isEqualTo("st-r");
    assertThat(ring.bytesDelivered()).isEqualTo(5);
    assertThat(ring.toString()).contains("pl-r", "st-r", "capacity=64", "written=5", "readers=1");
    assertThat(reader.toString()).contains("pl-r", "st-r", "position=5", "closed=false");
  }
}
