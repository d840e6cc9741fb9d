package io.github.buffercore.internal.ts;

import io.github.buffercore.internal.ChunkSink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.JoinPosition;
import io.github.buffercore.internal.TsPacketAligner;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer chain the next phase wires into the pump, run on a looping channel: upstream bytes in
 * random chunks, through the real {@link TsPacketAligner}, the {@link TsSplicer} (spliced at every loop,
 * as a looping source signals a discontinuity) and the {@link TsAnalyser} feeding a {@link
 * RandomAccessIndex}. At 20 random moments a viewer joins at each {@link JoinPosition}; what it gets
 * (PAT and PMT, then the data from its point) must decode with no ffmpeg error, and a {@code live} join
 * must start within one GOP of live. Logs the join latency (media time behind live) of each join.
 */
class JoinChainTest {

  private static final Logger LOG = LoggerFactory.getLogger(JoinChainTest.class);
  private static final int PACKET = TsTestMedia.PACKET;
  private static final int RING_CAPACITY = 4 * 1024 * 1024;
  private static final long GOP_NANOS = 1_000_000_000L;
  private static final long FRAME_NANOS = 40_000_000L;

  /** The chain's output: what the ring would hold, kept whole so a viewer's bytes can be cut from it. */
  private final ByteArrayOutputStream stream = new ByteArrayOutputStream();
  private final RandomAccessIndex index = new RandomAccessIndex(RandomAccessIndex.DEFAULT_CAPACITY);
  private final TsAnalyser analyser = new TsAnalyser("pl", "demo", index::add);

  @Test
  void viewersJoiningAtRandomMomentsDecodeFromTheirFirstByte() {
    byte[] clip = TsTestMedia.h264();
    TsSplicer splicer = new TsSplicer("pl", "demo", Sinks.packets((buf, off, len) -> {
      long position = stream.size();
      stream.write(buf, off, len); // the ring write
      analyser.packets(buf, off, len, position);
      long written = position + len;
      index.dropBefore(written - RING_CAPACITY);
      index.live(written, analyser.mediaTimeNanos());
    }));
    TsPacketAligner aligner = new TsPacketAligner("pl", "demo", splicer);
    Random random = new Random(20);
    int loops = 6;
    long total = (long) loops * clip.length;
    long[] moments = random.longs(20, clip.length / 2, total).sorted().toArray();
    int next = 0;
    long fed = 0;
    Object[][] joins = new Object[moments.length][];
    for (int loop = 0; loop < loops; loop++) {
      if (loop > 0) {
        aligner.reset();
        splicer.splice();
      }
      for (int o = 0; o < clip.length; ) {
        int len = Math.min(clip.length - o, 1 + random.nextInt(64 * 1024));
        aligner.feed(clip, o, len);
        o += len;
        fed += len;
        while (next < moments.length && fed >= moments[next]) {
          joins[next] = join(analyser.mediaTimeNanos());
          next++;
        }
      }
    }
    byte[] all = stream.toByteArray();
    List<Long> videoStarts = TsTestMedia.unitStarts(all, 0x100);
    double[] worst = new double[3];
    Map<String, TsTestMedia.Result> decoded = new HashMap<>();
    for (int i = 0; i < joins.length; i++) {
      for (int k = 0; k < 3; k++) {
        long position = (long) joins[i][2 * k];
        long latency = (long) joins[i][2 * k + 1];
        int continuity = (int) joins[i][6 + k];
        byte[] viewer = viewerBytes(all, videoStarts, position, continuity, (byte[]) joins[i][9 + k]);
        // Joins often share a point (every oldest join does): decode each distinct viewer stream once.
        TsTestMedia.Result result = decoded.computeIfAbsent(Arrays.hashCode(viewer) + "/" + viewer.length,
            key -> TsTestMedia.decode(viewer));
        assertThat(result.clean()).as("join %d (%s) at position %d: %s", i, KINDS[k], position, result).isTrue();
        worst[k] = Math.max(worst[k], latency / 1e9);
      }
      // Within one GOP; the two frames of slack cover the end of each loop of the clip, where the
      // muxer's end-of-file flush of buffered audio stretches the last GOP by about 60 ms of PCR time.
      long liveLatency = (long) joins[i][1];
      LOG.info("join {} at live position {}: live point {} ({} ms behind), behind-3s point {} ({} ms), "
          + "oldest {} ({} ms)",
          i, joins[i][12], joins[i][0], liveLatency / 1_000_000, joins[i][2], (long) joins[i][3] / 1_000_000,
          joins[i][4], (long) joins[i][5] / 1_000_000);
      assertThat(liveLatency).as("live join %d: media behind live", i).isBetween(0L, GOP_NANOS + 2 * FRAME_NANOS);
      long behindLatency = (long) joins[i][3];
      assertThat(behindLatency).as("behind(3 s) join %d", i).isBetween(3 * GOP_NANOS, 4 * GOP_NANOS + FRAME_NANOS);
      assertThat((long) joins[i][5]).as("oldest join %d", i).isGreaterThanOrEqualTo(behindLatency);
    }
    LOG.info("Join latency (media seconds behind live at the first decodable frame), worst of 20: live {}, "
        + "behind(3 s) {}, oldest {}", worst[0], worst[1], worst[2]);
  }

  private static final String[] KINDS = {"live", "behind 3 s", "oldest"};

  /** Joins at the three positions: {pos, latency} x3, continuity x3, header x3, live position. */
  private Object[] join(long liveTime) {
    RandomAccessIndex.Point live = new RandomAccessIndex.Point();
    RandomAccessIndex.Point behind = new RandomAccessIndex.Point();
    RandomAccessIndex.Point oldest = new RandomAccessIndex.Point();
    long written = stream.size();
    assertThat(index.newest(live)).isTrue();
    assertThat(index.behind(JoinPosition.behind(Duration.ofSeconds(3)).distance().toNanos(), behind)).isTrue();
    assertThat(index.oldestAtOrAfter(Math.max(0, written - RING_CAPACITY), oldest)).isTrue();
    return new Object[] {
        live.position(), liveTime - live.timeNanos(),
        behind.position(), liveTime - behind.timeNanos(),
        oldest.position(), liveTime - oldest.timeNanos(),
        live.psiContinuity(), behind.psiContinuity(), oldest.psiContinuity(),
        live.header(), behind.header(), oldest.header(), written};
  }

  /** The header, then about three seconds from the point, ending before a video PES starts. */
  private static byte[] viewerBytes(byte[] all, List<Long> videoStarts, long position, int continuity, byte[] header) {
    long wanted = position + 3L * all.length / 60;
    long end = videoStarts.stream().filter(p -> p >= wanted).findFirst().orElse((long) all.length);
    assertThat(position % PACKET).isZero();
    return TsTestMedia.concat(TsAnalyser.headerWithContinuity(header, continuity),
        Arrays.copyOfRange(all, (int) position, (int) end));
  }
}
