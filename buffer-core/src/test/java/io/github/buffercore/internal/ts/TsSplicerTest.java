package io.github.buffercore.internal.ts;

import io.github.buffercore.internal.ChunkSink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.internal.TsPacketAligner;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link TsSplicer} on real ffmpeg output: a failover splice (a clip, then another source joined in the
 * middle of a group of pictures) decodes without an error after the splicer, where plain concatenation
 * gives decoder errors; continuity counters and discontinuity indicators are checked by parsing.
 */
class TsSplicerTest {

  private static final int PACKET = TsTestMedia.PACKET;

  /** Collects the splicer's output and checks the sink contract on every call. */
  static final class Output implements ChunkSink {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public void write(byte[] buf, int off, int len) {
      assertThat(len).isPositive();
      assertThat(len % PACKET).isZero();
      for (int o = off; o < off + len; o += PACKET) {
        assertThat(TsPackets.synced(buf, o)).isTrue();
      }
      bytes.write(buf, off, len);
    }

    @Override
    public void complete() {
      // the test ends the stream itself
    }

    @Override
    public void fail(io.github.buffercore.UpstreamException cause) {
      throw new AssertionError("the splicer never fails a stream", cause);
    }

    byte[] toByteArray() {
      return bytes.toByteArray();
    }
  }

  private static void feed(TsSplicer splicer, byte[] ts, long seed) {
    Random random = new Random(seed);
    for (int o = 0; o < ts.length; ) {
      int len = Math.min(ts.length - o, PACKET * (1 + random.nextInt(40)));
      byte[] chunk = Arrays.copyOfRange(ts, o, o + len); // the aligner's caller owns its array
      splicer.write(chunk, 0, len);
      o += len;
    }
  }

  /** The packets of {@code ts} from the packet nearest {@code fraction} of its length. */
  private static byte[] fromMiddle(byte[] ts, double fraction) {
    int start = (int) (ts.length * fraction) / PACKET * PACKET;
    return Arrays.copyOfRange(ts, start, ts.length);
  }

  /** Continuity violations: a packet whose counter neither continues its PID's nor is excused. */
  static List<String> continuityViolations(byte[] ts) {
    int[] last = new int[TsPackets.PID_COUNT];
    Arrays.fill(last, -1);
    List<String> violations = new ArrayList<>();
    for (int o = 0; o < ts.length; o += PACKET) {
      int pid = TsPackets.pid(ts, o);
      if (pid == TsPackets.NULL_PID) {
        continue;
      }
      int cc = TsPackets.continuityCounter(ts, o);
      boolean payload = TsPackets.hasPayload(ts, o);
      int previous = last[pid];
      last[pid] = cc;
      if (previous < 0 || TsPackets.discontinuityIndicator(ts, o)) {
        continue;
      }
      int expected = payload ? (previous + 1) & 0x0F : previous;
      if (cc != expected && !(payload && cc == previous)) {
        violations.add("PID " + pid + " at " + o + ": expected " + expected + ", got " + cc);
      }
    }
    return violations;
  }

  @Test
  void beforeAnySpliceEverythingPassesUnchanged() {
    byte[] clip = TsTestMedia.h264();
    Output out = new Output();
    TsSplicer splicer = new TsSplicer("pl", "st", out);
    feed(splicer, clip, 1);
    assertThat(out.toByteArray()).isEqualTo(clip);
    assertThat(splicer.droppedPackets()).isZero();
  }

  @Test
  void aFailoverToASourceJoinedMidGopDecodesCleanlyAfterTheSplicer() {
    byte[] a = TsTestMedia.h264();
    byte[] b = fromMiddle(TsTestMedia.h264(), 0.37);

    byte[] plain = TsTestMedia.concat(a, b);
    TsTestMedia.Result plainResult = TsTestMedia.decode(plain);
    assertThat(plainResult.clean()).as("plain concatenation must show the problem: %s", plainResult).isFalse();
    assertThat(continuityViolations(plain)).isNotEmpty();

    Output out = new Output();
    TsSplicer splicer = new TsSplicer("pl", "st", out);
    feed(splicer, a, 2);
    splicer.splice();
    feed(splicer, b, 3);
    byte[] spliced = out.toByteArray();

    assertThat(splicer.waiting()).isFalse();
    TsTestMedia.Result result = TsTestMedia.decode(spliced);
    assertThat(result.clean()).as("decoding across the splice: %s", result).isTrue();
    assertThat(continuityViolations(spliced)).isEmpty();
    assertSpliceLooksRight(spliced, a.length, 0x100, true);

    // Every picture of the first clip, and every picture of the second from its first keyframe on.
    TsAnalyser analyser = new TsAnalyser("pl", "st", (p, t, c, h) -> { });
    analyser.packets(a, 0, a.length, 0);
    long firstKeyframe = TsTestMedia.indicatedRandomAccessPoints(b, 0x100).get(0);
    byte[] secondFromKeyframe = TsTestMedia.concat(analyser.header(),
        Arrays.copyOfRange(b, (int) firstKeyframe, b.length));
    assertThat(TsTestMedia.videoFrames(spliced))
        .isEqualTo(TsTestMedia.videoFrames(a) + TsTestMedia.videoFrames(secondFromKeyframe));
    assertThat(TsTestMedia.videoFrames(a)).isEqualTo(250);
  }

  /** Right after the splice: PAT, PMT, then per PID a unit start; the video's first is a random access point. */
  private static void assertSpliceLooksRight(byte[] spliced, int splicePosition, int videoPid, boolean indicated) {
    assertThat(TsPackets.pid(spliced, splicePosition)).isEqualTo(TsPackets.PAT_PID);
    assertThat(TsPackets.pid(spliced, splicePosition + PACKET)).isEqualTo(0x1000);
    boolean[] seen = new boolean[TsPackets.PID_COUNT];
    boolean pcrMarked = false;
    for (int o = splicePosition + 2 * PACKET; o < spliced.length; o += PACKET) {
      int pid = TsPackets.pid(spliced, o);
      if (!seen[pid] && TsPackets.hasPayload(spliced, o)) {
        seen[pid] = true;
        assertThat(TsPackets.payloadUnitStart(spliced, o)).as("first packet of PID %d after the splice", pid).isTrue();
        if (pid == videoPid && indicated) {
          assertThat(TsPackets.randomAccessIndicator(spliced, o)).as("first video packet after the splice").isTrue();
          assertThat(TsPackets.discontinuityIndicator(spliced, o)).as("its discontinuity_indicator").isTrue();
        }
      }
      if (!pcrMarked && TsPackets.hasPcr(spliced, o)) {
        pcrMarked = true;
        assertThat(TsPackets.discontinuityIndicator(spliced, o)).as("first PCR after the splice").isTrue();
      }
    }
    assertThat(seen[videoPid]).isTrue();
    assertThat(pcrMarked).isTrue();
  }

  @Test
  void withoutTheIndicatorTheSplicerHoldsThePesUntilItsFirstSliceDecides() {
    byte[] a = TsTestMedia.withoutRandomAccessIndicators(TsTestMedia.h264());
    byte[] b = fromMiddle(a, 0.53);
    Output out = new Output();
    TsSplicer splicer = new TsSplicer("pl", "st", out);
    feed(splicer, a, 4);
    splicer.splice();
    feed(splicer, b, 5);
    byte[] spliced = out.toByteArray();
    TsTestMedia.Result result = TsTestMedia.decode(spliced);
    assertThat(result.clean()).as("decoding across the splice: %s", result).isTrue();
    assertThat(continuityViolations(spliced)).isEmpty();
    assertSpliceLooksRight(spliced, a.length, 0x100, false);
    // The first video data after the splice is an IDR: the analyser, which only sees the output, says so.
    List<Long> points = new ArrayList<>();
    TsAnalyser analyser = new TsAnalyser("pl", "st", (p, t, c, h) -> points.add(p));
    analyser.packets(spliced, 0, spliced.length, 0);
    long firstVideo = TsTestMedia.unitStarts(spliced, 0x100).stream().filter(p -> p >= a.length)
        .findFirst().orElseThrow();
    assertThat(points).contains(firstVideo);
  }

  @Test
  void aBackupWithAnotherCodecGetsABumpedPmtVersion() {
    byte[] a = TsTestMedia.h264();
    byte[] b = fromMiddle(TsTestMedia.h265(), 0.25);
    Output out = new Output();
    TsSplicer splicer = new TsSplicer("pl", "st", out);
    feed(splicer, a, 6);
    splicer.splice();
    feed(splicer, b, 7);
    byte[] spliced = out.toByteArray();

    // Both clips say PMT version 0; after the splice every PMT must say 1, with a valid CRC.
    ProgramTables tables = new ProgramTables();
    List<Integer> versions = new ArrayList<>();
    for (int o = 0; o < spliced.length; o += PACKET) {
      int pid = TsPackets.pid(spliced, o);
      if (tables.feed(spliced, o, pid) && pid == tables.pmtPid()) {
        versions.add(tables.pmt().version());
      }
      if (o >= a.length && pid == 0x1000 && TsPackets.payloadUnitStart(spliced, o)) {
        int s = o + 5;
        int length = 3 + (((spliced[s + 1] & 0x0F) << 8) | (spliced[s + 2] & 0xFF));
        assertThat(Crc32Mpeg2.compute(spliced, s, length)).as("CRC of the PMT at %d", o).isZero();
        assertThat((spliced[s + 5] >> 1) & 0x1F).as("version of the PMT at %d", o).isEqualTo(1);
      }
    }
    assertThat(versions).containsExactly(0, 1);
    assertThat(tables.videoStreamType()).isEqualTo(ProgramTables.STREAM_TYPE_H265);
    assertThat(continuityViolations(spliced)).isEmpty();
    TsTestMedia.Result result = TsTestMedia.decode(Arrays.copyOfRange(spliced, a.length, spliced.length));
    assertThat(result.clean()).as("decoding the H.265 side on its own: %s", result).isTrue();

    // Each point carries the tables in force where it is, not the latest ones.
    List<long[]> pointTypes = new ArrayList<>();
    TsAnalyser analyser = new TsAnalyser("pl", "st", (p, t, c, h) -> {
      ProgramTables atPoint = new ProgramTables();
      for (int o = 0; o < h.length; o += PACKET) {
        atPoint.feed(h, o, TsPackets.pid(h, o));
      }
      pointTypes.add(new long[] {p, atPoint.videoStreamType()});
    });
    analyser.packets(spliced, 0, spliced.length, 0);
    assertThat(pointTypes).isNotEmpty();
    for (long[] point : pointTypes) {
      assertThat(point[1]).as("stream_type in the header of the point at %d", point[0])
          .isEqualTo(point[0] < a.length ? ProgramTables.STREAM_TYPE_H264 : ProgramTables.STREAM_TYPE_H265);
    }
    assertThat(pointTypes.stream().filter(p -> p[0] < a.length).count()).isEqualTo(10);
    assertThat(pointTypes.stream().filter(p -> p[0] >= a.length).count()).isPositive();
  }

  @Test
  void aSourceWithoutTablesIsWaitedForOnlySoLong() {
    byte[] a = TsTestMedia.h264();
    byte[] b = TsTestMedia.h264();
    // The new source never sends a PAT: after MAX_WAIT_PACKETS the splicer passes its data on.
    // Looped, with counters renumbered so that the source itself has no continuity break.
    java.io.ByteArrayOutputStream noPat = new java.io.ByteArrayOutputStream();
    int[] nextCc = new int[TsPackets.PID_COUNT];
    byte[] packet = new byte[PACKET];
    while (noPat.size() < (TsSplicer.MAX_WAIT_PACKETS + 3000) * PACKET) {
      for (int o = 0; o < b.length; o += PACKET) {
        int pid = TsPackets.pid(b, o);
        if (pid != TsPackets.PAT_PID) {
          System.arraycopy(b, o, packet, 0, PACKET);
          if (TsPackets.hasPayload(packet, 0)) {
            TsPackets.setContinuityCounter(packet, 0, nextCc[pid]++);
          } else {
            TsPackets.setContinuityCounter(packet, 0, nextCc[pid] - 1);
          }
          noPat.write(packet, 0, PACKET);
        }
      }
    }
    Output out = new Output();
    TsSplicer splicer = new TsSplicer("pl", "st", out);
    feed(splicer, a, 8);
    splicer.splice();
    byte[] tail = noPat.toByteArray();
    assertThat(continuityViolations(tail)).isEmpty(); // before the splicer rewrites it in place
    splicer.write(tail, 0, (TsSplicer.MAX_WAIT_PACKETS - 1) * PACKET);
    assertThat(splicer.waiting()).isTrue();
    assertThat(out.toByteArray()).hasSize(a.length);
    int waited = (TsSplicer.MAX_WAIT_PACKETS - 1) * PACKET;
    splicer.write(tail, waited, tail.length - waited);
    assertThat(splicer.waiting()).isFalse();
    byte[] spliced = out.toByteArray();
    assertThat(spliced.length).isGreaterThan(a.length + 1000 * PACKET);
    assertThat(continuityViolations(spliced)).isEmpty();
  }

  @Test
  void aStreamThatNeverHadTablesIsNotWaitedFor() {
    byte[] noise = new byte[500 * PACKET];
    for (int o = 0; o < noise.length; o += PACKET) {
      noise[o] = 0x47;
      noise[o + 1] = 0x41; // PID 0x100, unit start on every packet
      noise[o + 2] = 0x00;
      noise[o + 3] = (byte) (0x10 | (o / PACKET) & 0x0F);
    }
    Output out = new Output();
    TsSplicer splicer = new TsSplicer("pl", "st", out);
    splicer.write(noise, 0, 250 * PACKET);
    splicer.splice();
    assertThat(splicer.waiting()).isFalse();
    byte[] second = Arrays.copyOfRange(noise, 7 * PACKET, 100 * PACKET); // counters jump to 7
    splicer.write(second, 0, second.length);
    byte[] spliced = out.toByteArray();
    assertThat(spliced).hasSize(250 * PACKET + second.length);
    assertThat(continuityViolations(spliced)).as("counters continued across the splice").isEmpty();
  }

  @Test
  void splicingAllocatesNothingPerPacket() {
    byte[] a = TsTestMedia.withoutRandomAccessIndicators(TsTestMedia.h264());
    byte[] b = fromMiddle(a, 0.61);
    long[] bytes = {0};
    TsSplicer splicer = new TsSplicer("pl", "st", Sinks.packets((buf, off, len) -> bytes[0] += len));
    byte[] work = new byte[a.length];
    Runnable round = () -> {
      System.arraycopy(a, 0, work, 0, a.length);
      splicer.write(work, 0, a.length);
      splicer.splice();
      System.arraycopy(b, 0, work, 0, b.length);
      splicer.write(work, 0, b.length);
    };
    round.run();
    round.run();
    long before = splicer.splices();
    assertThat(Allocations.of(() -> {
      for (int i = 0; i < 5; i++) {
        round.run();
      }
    })).isZero();
    assertThat(splicer.splices() - before).isEqualTo(5);
    assertThat(bytes[0]).isPositive();
  }
}
