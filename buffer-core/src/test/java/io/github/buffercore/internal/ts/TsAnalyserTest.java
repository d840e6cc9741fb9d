package io.github.buffercore.internal.ts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link TsAnalyser} on real ffmpeg output: every random access point it reports is one a decoder can
 * start from (ffmpeg decodes from it, after the PAT and PMT, without a single error), with or without
 * the random_access_indicator, for H.264 and H.265.
 */
class TsAnalyserTest {

  private static final int PACKET = TsTestMedia.PACKET;

  /** Records what the analyser reports. */
  static final class Points implements TsAnalyser.RandomAccessListener {
    final List<Long> positions = new ArrayList<>();
    final List<Long> times = new ArrayList<>();
    final List<Integer> continuities = new ArrayList<>();

    @Override
    public void randomAccessPoint(long position, long mediaTimeNanos, int psiContinuity, byte[] header) {
      positions.add(position);
      times.add(mediaTimeNanos);
      continuities.add(psiContinuity);
    }
  }

  static Points analyse(TsAnalyser[] out, byte[] ts, int chunkPackets) {
    Points points = new Points();
    TsAnalyser analyser = new TsAnalyser("pl", "st", points);
    for (int o = 0; o < ts.length; o += chunkPackets * PACKET) {
      analyser.packets(ts, o, Math.min(chunkPackets * PACKET, ts.length - o), o);
    }
    if (out != null) {
      out[0] = analyser;
    }
    return points;
  }

  /** What a joining viewer receives: the PAT/PMT header, then one GOP from the point. */
  static byte[] joinBytes(TsAnalyser analyser, byte[] ts, long position, int continuity, long end) {
    byte[] header = TsAnalyser.headerWithContinuity(analyser.header(), continuity);
    return TsTestMedia.concat(header, Arrays.copyOfRange(ts, (int) position, (int) end));
  }

  private static void assertEveryPointDecodes(byte[] ts, TsAnalyser analyser, Points points) {
    for (int i = 0; i < points.positions.size(); i++) {
      long position = points.positions.get(i);
      long end = i + 1 < points.positions.size() ? points.positions.get(i + 1) : ts.length;
      TsTestMedia.Result result =
          TsTestMedia.decode(joinBytes(analyser, ts, position, points.continuities.get(i), end));
      assertThat(result.clean()).as("decoding from the random access point at %d: %s", position, result).isTrue();
    }
  }

  @Test
  void h264PointsAreTheIndicatedOnesAndEachDecodesWithoutError() {
    byte[] ts = TsTestMedia.h264();
    TsAnalyser[] analyser = new TsAnalyser[1];
    Points points = analyse(analyser, ts, 7);
    assertThat(analyser[0].videoPid()).isEqualTo(0x100);
    assertThat(analyser[0].videoStreamType()).isEqualTo(ProgramTables.STREAM_TYPE_H264);
    assertThat(analyser[0].hasPcr()).isTrue();
    assertThat(points.positions).hasSize(10)
        .isEqualTo(TsTestMedia.indicatedRandomAccessPoints(ts, 0x100));
    assertEveryPointDecodes(ts, analyser[0], points);
  }

  @Test
  void withoutTheIndicatorTheH264IdrIsFoundInTheNalUnits() {
    byte[] ts = TsTestMedia.h264();
    byte[] stripped = TsTestMedia.withoutRandomAccessIndicators(ts);
    assertThat(TsTestMedia.indicatedRandomAccessPoints(stripped, 0x100)).isEmpty();
    TsAnalyser[] analyser = new TsAnalyser[1];
    Points points = analyse(analyser, stripped, 1);
    assertThat(points.positions).isEqualTo(TsTestMedia.indicatedRandomAccessPoints(ts, 0x100));
    assertEveryPointDecodes(stripped, analyser[0], points);
  }

  @Test
  void h265PointsWithAndWithoutTheIndicatorDecodeWithoutError() {
    byte[] ts = TsTestMedia.h265();
    TsAnalyser[] analyser = new TsAnalyser[1];
    Points indicated = analyse(analyser, ts, 3);
    assertThat(analyser[0].videoStreamType()).isEqualTo(ProgramTables.STREAM_TYPE_H265);
    assertThat(indicated.positions).hasSizeGreaterThanOrEqualTo(10)
        .isEqualTo(TsTestMedia.indicatedRandomAccessPoints(ts, analyser[0].videoPid()));

    byte[] stripped = TsTestMedia.withoutRandomAccessIndicators(ts);
    Points found = analyse(analyser, stripped, 5);
    assertThat(found.positions).isEqualTo(indicated.positions);
    assertEveryPointDecodes(stripped, analyser[0], found);
  }

  @Test
  void aPictureThatIsNotAPointFailsTheSameDecoderCheck() {
    // The check above can fail: starting on a video PES the analyser rejected gives decoder errors.
    byte[] ts = TsTestMedia.withoutRandomAccessIndicators(TsTestMedia.h264());
    TsAnalyser[] analyser = new TsAnalyser[1];
    Points points = analyse(analyser, ts, 1);
    List<Long> rejected = new ArrayList<>(TsTestMedia.unitStarts(ts, 0x100));
    rejected.removeAll(points.positions);
    assertThat(rejected).isNotEmpty();
    long start = rejected.get(rejected.size() / 2 + 3);
    TsTestMedia.Result result = TsTestMedia.decode(joinBytes(analyser[0], ts, start, points.continuities.get(0),
        ts.length));
    assertThat(result.clean()).as("decoding from a non-random-access picture: %s", result).isFalse();
  }

  @Test
  void theMediaClockFollowsThePcrOneSecondPerGop() {
    byte[] ts = TsTestMedia.h264();
    TsAnalyser[] analyser = new TsAnalyser[1];
    Points points = analyse(analyser, ts, 11);
    for (int i = 1; i < points.times.size(); i++) {
      long step = points.times.get(i) - points.times.get(i - 1);
      // 25 frames at 25 fps; the PCR is sampled at the packet, so allow a frame either way.
      assertThat(step).as("media time between points %d and %d", i - 1, i).isBetween(960_000_000L, 1_040_000_000L);
    }
    assertThat(analyser[0].mediaTimeNanos()).isGreaterThan(points.times.get(points.times.size() - 1));
  }

  @Test
  void aLoopedClipKeepsAMonotonicClockAcrossThePcrJumpBack() {
    byte[] ts = TsTestMedia.h264();
    Points points = new Points();
    TsAnalyser analyser = new TsAnalyser("pl", "st", points);
    for (int loop = 0; loop < 3; loop++) {
      analyser.packets(ts, 0, ts.length, (long) loop * ts.length);
    }
    assertThat(analyser.pcrDiscontinuities()).isEqualTo(2);
    assertThat(points.positions).hasSize(30);
    for (int i = 1; i < points.times.size(); i++) {
      assertThat(points.times.get(i)).isGreaterThan(points.times.get(i - 1));
    }
  }

  @Test
  void aLoopSeamWhereTheVideoCounterRepeatsIsNotTakenForADuplicatePacket() {
    // A clip whose video packets are a multiple of 16 ends on the counter it starts with, so its loop
    // restarts with that counter: the first packet of the next loop (the loop's keyframe) must count.
    byte[] ts = TsTestMedia.h264().clone();
    TsAnalyser[] probe = new TsAnalyser[1];
    analyse(probe, ts, 1);
    int videoPid = probe[0].videoPid();
    int first = -1;
    int last = -1;
    for (int o = 0; o < ts.length; o += PACKET) {
      if (TsPackets.pid(ts, o) == videoPid && TsPackets.hasPayload(ts, o)) {
        first = first < 0 ? o : first;
        last = o;
      }
    }
    TsPackets.setContinuityCounter(ts, last, TsPackets.continuityCounter(ts, first));
    Points points = new Points();
    TsAnalyser analyser = new TsAnalyser("pl", "st", points);
    for (int loop = 0; loop < 3; loop++) {
      analyser.packets(ts, 0, ts.length, (long) loop * ts.length);
    }
    assertThat(points.positions).as("every keyframe of the three loops").hasSize(30);
    assertThat(points.positions).contains((long) ts.length + first, 2L * ts.length + first);

    // A true duplicate (the same packet twice in a row) is still skipped: it starts no second point.
    byte[] doubled = new byte[ts.length + PACKET];
    System.arraycopy(ts, 0, doubled, 0, first + PACKET);
    System.arraycopy(ts, first, doubled, first + PACKET, ts.length - first);
    Points once = new Points();
    new TsAnalyser("pl", "st", once).packets(doubled, 0, doubled.length, 0);
    assertThat(once.positions).hasSize(10).doesNotContain((long) first + PACKET);
  }

  @Test
  void analysingPacketsAllocatesNothingOnceTheTablesAreKnown() {
    byte[] ts = TsTestMedia.withoutRandomAccessIndicators(TsTestMedia.h264());
    long[] count = new long[1];
    TsAnalyser analyser = new TsAnalyser("pl", "st", (p, t, c, h) -> count[0]++);
    long position = 0;
    for (int loop = 0; loop < 3; loop++, position += ts.length) {
      analyser.packets(ts, 0, ts.length, position);
    }
    long[] at = {position};
    long allocated = Allocations.of(() -> {
      for (int loop = 0; loop < 5; loop++, at[0] += ts.length) {
        for (int o = 0; o < ts.length; o += PACKET) {
          analyser.packet(ts, o, at[0] + o);
        }
      }
    });
    assertThat(count[0]).isEqualTo(80);
    assertThat(allocated).as("bytes allocated for %d packets", 5 * ts.length / PACKET).isZero();
  }

  @Test
  void aStreamWithoutVideoHasTablesButNoPoints() {
    byte[] ts = TsTestMedia.audioOnly();
    TsAnalyser[] analyser = new TsAnalyser[1];
    Points points = analyse(analyser, ts, 9);
    assertThat(analyser[0].videoPid()).isEqualTo(-1);
    assertThat(analyser[0].header()).isNotNull();
    assertThat(points.positions).isEmpty();
  }

  @Test
  void bytesThatAreNotMpegTsGiveNoTablesAndNoPoints() {
    byte[] garbage = new byte[1000 * PACKET];
    new java.util.Random(3).nextBytes(garbage);
    for (int o = 0; o < garbage.length; o += PACKET) {
      garbage[o] = 0x47; // aligned, but the content is noise
    }
    TsAnalyser[] analyser = new TsAnalyser[1];
    Points points = analyse(analyser, garbage, 13);
    assertThat(points.positions).isEmpty();
    assertThat(analyser[0].header()).isNull();
    assertThat(analyser[0].videoPid()).isEqualTo(-1);
  }

  @Test
  void rejectsAPartialPacket() {
    TsAnalyser analyser = new TsAnalyser("pl", "st", (p, t, c, h) -> { });
    assertThatThrownBy(() -> analyser.packets(new byte[400], 0, 200, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'st'").hasMessageContaining("200 bytes");
  }
}
