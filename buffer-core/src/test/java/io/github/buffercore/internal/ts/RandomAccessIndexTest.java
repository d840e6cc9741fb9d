package io.github.buffercore.internal.ts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.internal.BroadcastRing;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link RandomAccessIndex}: queries, bounds, and consistency with a real {@link BroadcastRing} that wraps. */
class RandomAccessIndexTest {

  private static final int PACKET = TsTestMedia.PACKET;
  private static final long SECOND = 1_000_000_000L;

  private final RandomAccessIndex.Point point = new RandomAccessIndex.Point();

  @Test
  void anEmptyIndexHasNoPoint() {
    RandomAccessIndex index = new RandomAccessIndex(4);
    assertThat(index.newest(point)).isFalse();
    assertThat(point.position()).isEqualTo(-1);
    assertThat(index.behind(SECOND, point)).isFalse();
    assertThat(index.oldestAtOrAfter(0, point)).isFalse();
  }

  @Test
  void answersNewestBehindAndOldestAtOrAfter() {
    RandomAccessIndex index = new RandomAccessIndex(16);
    for (int i = 0; i < 10; i++) {
      index.add(i * 1000L, i * SECOND, i, null);
    }
    index.live(9500, 9 * SECOND + SECOND / 2);
    assertThat(index.newest(point)).isTrue();
    assertThat(point.position()).isEqualTo(9000);
    assertThat(point.psiContinuity()).isEqualTo(9);
    index.behind(3 * SECOND, point); // live 9.5 s: the newest at or before 6.5 s is 6 s
    assertThat(point.position()).isEqualTo(6000);
    assertThat(point.timeNanos()).isEqualTo(6 * SECOND);
    index.behind(0, point);
    assertThat(point.position()).isEqualTo(9000);
    index.behind(60 * SECOND, point); // not that far back: the oldest
    assertThat(point.position()).isEqualTo(0);
    index.oldestAtOrAfter(4001, point);
    assertThat(point.position()).isEqualTo(5000);
    assertThat(index.oldestAtOrAfter(9001, point)).isFalse();
  }

  @Test
  void withoutPcrTheDistanceIsConvertedWithTheObservedBitrate() {
    RandomAccessIndex index = new RandomAccessIndex(64);
    // 100 000 bytes per second on the writer's clock, a point every 50 000 bytes.
    for (long t = 0, position = 0; t <= 10 * SECOND; t += SECOND / 10, position += 10_000) {
      if (position % 50_000 == 0) {
        index.add(position, RandomAccessIndex.NO_TIME, 0, null);
      }
      index.observe(position, t);
      index.live(position, RandomAccessIndex.NO_TIME);
    }
    assertThat(index.bytesPerSecond()).isEqualTo(100_000.0);
    index.behind(2 * SECOND + SECOND / 10, point); // live 1 000 000 - 210 000 -> newest at or before 790 000
    assertThat(point.position()).isEqualTo(750_000);
    index.newest(point);
    assertThat(point.position()).isEqualTo(1_000_000);
  }

  @Test
  void withoutPcrOrBitrateBehindFallsBackToTheOldest() {
    RandomAccessIndex index = new RandomAccessIndex(4);
    index.add(100, RandomAccessIndex.NO_TIME, 0, null);
    index.add(200, RandomAccessIndex.NO_TIME, 0, null);
    index.live(300, RandomAccessIndex.NO_TIME);
    index.behind(SECOND, point);
    assertThat(point.position()).isEqualTo(100);
  }

  @Test
  void aFullIndexDropsItsOldestEntry() {
    RandomAccessIndex index = new RandomAccessIndex(3);
    for (int i = 1; i <= 5; i++) {
      index.add(i * 10L, i, 0, null);
    }
    assertThat(index.size()).isEqualTo(3);
    index.oldestAtOrAfter(0, point);
    assertThat(point.position()).isEqualTo(30);
  }

  @Test
  void dropBeforeRemovesEntriesTheRingNoLongerHolds() {
    RandomAccessIndex index = new RandomAccessIndex(8);
    for (int i = 0; i < 5; i++) {
      index.add(i * 188L, i, 0, null);
    }
    index.dropBefore(2 * 188 + 1);
    assertThat(index.size()).isEqualTo(2);
    index.oldestAtOrAfter(0, point);
    assertThat(point.position()).isEqualTo(3 * 188);
    index.dropBefore(100_000);
    assertThat(index.newest(point)).isFalse();
  }

  @Test
  void rejectsBadInputNamingIt() {
    assertThatThrownBy(() -> new RandomAccessIndex(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got: 0");
    RandomAccessIndex index = new RandomAccessIndex(4);
    index.add(376, 0, 0, null);
    assertThatThrownBy(() -> index.add(188, 1, 0, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("188").hasMessageContaining("376");
    assertThatThrownBy(() -> index.add(-1, 1, 0, null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void addingAndQueryingAllocateNothing() {
    RandomAccessIndex index = new RandomAccessIndex(32);
    long[] position = {0};
    Runnable work = () -> {
      for (int i = 0; i < 10_000; i++) {
        position[0] += 188 * 100;
        index.add(position[0], position[0] * 10, 0x21, null);
        index.live(position[0] + 188, position[0] * 10 + 5);
        index.observe(position[0], position[0] * 1000);
        index.dropBefore(position[0] - 188 * 1000);
        index.newest(point);
        index.behind(188 * 300 * 10, point);
        index.oldestAtOrAfter(position[0] - 188 * 500, point);
      }
    };
    work.run();
    assertThat(Allocations.of(work)).isZero();
  }

  /**
   * The ring writer's use, with the real ring: a looping channel written in random chunks into a small
   * {@link BroadcastRing} that wraps many times. After every write, every indexed point must still be
   * held by the ring (a reader started at the oldest intact byte reaches it) and be a video packet
   * starting a random access point; and the newest point must be the newest one written.
   */
  @Test
  void staysConsistentWithARingThatWraps() {
    byte[] clip = TsTestMedia.h264();
    int capacity = 128 * 1024;
    BroadcastRing ring = new BroadcastRing("pl", "st", capacity, SlowClientPolicy.SKIP, capacity, true);
    RandomAccessIndex index = new RandomAccessIndex(8);
    long[] newestWritten = {-1};
    TsAnalyser analyser = new TsAnalyser("pl", "st", (p, t, c, h) -> {
      index.add(p, t, c, h);
      newestWritten[0] = p;
    });
    Random random = new Random(42);
    byte[] copy = new byte[capacity];
    long written = 0;
    int checks = 0;
    while (written < 12L * clip.length) {
      int offset = (int) (written % clip.length);
      int len = Math.min(clip.length - offset, PACKET * (1 + random.nextInt(200)));
      ring.write(clip, offset, len);
      analyser.packets(clip, offset, len, written);
      written += len;
      index.dropBefore(written - ring.capacity());
      index.live(written, analyser.mediaTimeNanos());

      assertThat(index.size()).isLessThanOrEqualTo(8);
      if (newestWritten[0] >= written - ring.capacity()) {
        assertThat(index.newest(point)).isTrue();
        assertThat(point.position()).isEqualTo(newestWritten[0]);
      }
      if (!index.oldestAtOrAfter(0, point)) {
        continue;
      }
      try (StreamReader reader = ring.newReader()) {
        long start = reader.position();
        assertThat(point.position()).as("oldest indexed point vs oldest intact byte").isGreaterThanOrEqualTo(start);
        int n = reader.poll(copy, 0, copy.length);
        assertThat(start + n).isEqualTo(written);
        int at = (int) (point.position() - start);
        assertThat(TsPackets.pid(copy, at)).isEqualTo(0x100);
        assertThat(TsPackets.payloadUnitStart(copy, at)).isTrue();
        assertThat(TsPackets.randomAccessIndicator(copy, at)).isTrue();
        checks++;
      }
    }
    assertThat(checks).isGreaterThan(100);
    assertThat(written).isGreaterThan(40L * capacity);
  }
}
