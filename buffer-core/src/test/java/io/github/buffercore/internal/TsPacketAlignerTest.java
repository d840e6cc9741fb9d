package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link TsPacketAligner}: whole packets only, any chunking, re-synchronisation after garbage. */
class TsPacketAlignerTest {

  private static final int PACKET = TsPacketAligner.PACKET_SIZE;

  /** Collects what the aligner emits and checks the sink contract on every call. */
  private static final class Collector implements ChunkSink {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int calls;

    @Override
    public void write(byte[] buf, int off, int len) {
      assertThat(len).isPositive();
      assertThat(len % PACKET).isZero();
      for (int p = off; p < off + len; p += PACKET) {
        assertThat(buf[p]).isEqualTo(TsPacketAligner.SYNC_BYTE);
      }
      bytes.write(buf, off, len);
      calls++;
    }

    @Override
    public void complete() {
      throw new AssertionError("the aligner never ends the stream");
    }

    @Override
    public void fail(io.github.buffercore.UpstreamException cause) {
      throw new AssertionError("the aligner never fails the stream");
    }
  }

  /** Packets whose payload never contains a sync byte, so that garbage detection is unambiguous. */
  private static byte[] packets(int count, int seed) {
    Random random = new Random(seed);
    byte[] bytes = new byte[count * PACKET];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (i % PACKET == 0) ? TsPacketAligner.SYNC_BYTE : (byte) (random.nextInt(0x46) + 1);
    }
    return bytes;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static void feedInRandomChunks(TsPacketAligner aligner, byte[] input, long seed, int maxChunk) {
    Random random = new Random(seed);
    int pos = 0;
    while (pos < input.length) {
      int len = Math.min(input.length - pos, 1 + random.nextInt(maxChunk));
      aligner.feed(input, pos, len);
      pos += len;
    }
  }

  @Test
  void alignedInputPassesThroughUnchangedWhateverTheChunking() {
    byte[] input = packets(200, 1);
    for (int maxChunk : new int[] {1, 7, 187, 188, 189, 1000, 5000}) {
      Collector sink = new Collector();
      TsPacketAligner aligner = new TsPacketAligner("pl", "st", sink);
      feedInRandomChunks(aligner, input, maxChunk, maxChunk);
      // The last packet is emitted once its own length is complete (no confirmation needed in sync).
      assertThat(sink.bytes.toByteArray()).as("max chunk %d", maxChunk).isEqualTo(input);
      assertThat(aligner.droppedBytes()).isZero();
      assertThat(aligner.packets()).isEqualTo(200);
      assertThat(aligner.pendingBytes()).isZero();
      assertThat(aligner.isSynchronised()).isTrue();
    }
  }

  @Test
  void wholeRunsInOneChunkGoToTheSinkInOneCall() {
    Collector sink = new Collector();
    TsPacketAligner aligner = new TsPacketAligner("pl", "st", sink);
    aligner.feed(packets(10, 2), 0, 10 * PACKET);
    assertThat(sink.calls).isEqualTo(1);
    assertThat(sink.bytes.size()).isEqualTo(10 * PACKET);
  }

  @Test
  void leadingGarbageIsDroppedIncludingAStraySyncByte() {
    byte[] garbage = new byte[500];
    for (int i = 0; i < garbage.length; i++) {
      garbage[i] = (byte) ('a' + i % 20);
    }
    garbage[100] = TsPacketAligner.SYNC_BYTE; // not followed by a sync byte 188 later
    garbage[450] = TsPacketAligner.SYNC_BYTE; // likewise, and it straddles chunk boundaries
    byte[] good = packets(50, 3);
    byte[] input = concat(garbage, good);
    for (int maxChunk : new int[] {1, 50, 200, 100_000}) {
      Collector sink = new Collector();
      TsPacketAligner aligner = new TsPacketAligner("pl", "st", sink);
      feedInRandomChunks(aligner, input, maxChunk, maxChunk);
      assertThat(sink.bytes.toByteArray()).as("max chunk %d", maxChunk).isEqualTo(good);
      assertThat(aligner.droppedBytes()).isEqualTo(garbage.length);
    }
  }

  @Test
  void lostSyncInTheMiddleIsRecoveredAtTheNextDoubleCheckedPacket() {
    byte[] before = packets(20, 4);
    byte[] torn = Arrays.copyOf(packets(1, 5), 100); // a partial packet: sync lost after it
    byte[] after = packets(30, 6);
    byte[] input = concat(before, torn, after);
    for (int maxChunk : new int[] {1, 150, 188, 2000, 100_000}) {
      Collector sink = new Collector();
      TsPacketAligner aligner = new TsPacketAligner("pl", "st", sink);
      feedInRandomChunks(aligner, input, maxChunk, maxChunk);
      // While synchronised only each packet's own sync byte is checked, so the torn packet plus the
      // first 88 bytes of the next one pass as one (damaged) packet; the missing sync byte after it
      // is the sync loss, and the 100 bytes up to the next double-checked packet are dropped.
      byte[] expected = concat(before, torn, Arrays.copyOf(after, PACKET - torn.length),
          Arrays.copyOfRange(after, PACKET, after.length));
      assertThat(sink.bytes.toByteArray()).as("max chunk %d", maxChunk).isEqualTo(expected);
      assertThat(aligner.syncLosses()).isEqualTo(1);
      assertThat(aligner.droppedBytes()).isEqualTo(torn.length);
      assertThat(aligner.isSynchronised()).isTrue();
    }
  }

  @Test
  void resetDropsTheCarryAndRequiresANewSync() {
    Collector sink = new Collector();
    TsPacketAligner aligner = new TsPacketAligner("pl", "st", sink);
    byte[] input = packets(3, 7);
    aligner.feed(input, 0, PACKET + 50);
    assertThat(aligner.pendingBytes()).isEqualTo(50);
    aligner.reset();
    assertThat(aligner.droppedBytes()).isEqualTo(50);
    assertThat(aligner.isSynchronised()).isFalse();
    aligner.feed(input, 0, input.length);
    assertThat(sink.bytes.size()).isEqualTo(4 * PACKET);
  }

  @Test
  void feedsTheRingWithWholePacketsOnly() {
    BroadcastRing ring = new BroadcastRing("pl", "st", 4096, SlowClientPolicy.SKIP, 0, true);
    StreamReader reader = ring.newReader();
    TsPacketAligner aligner = new TsPacketAligner("pl", "st", ring);
    byte[] input = concat(new byte[] {1, 2, 3}, packets(10, 8));
    feedInRandomChunks(aligner, input, 9, 77);
    byte[] dst = new byte[4096];
    assertThat(reader.poll(dst, 0, dst.length)).isEqualTo(10 * PACKET);
    assertThat(dst[0]).isEqualTo(TsPacketAligner.SYNC_BYTE);
  }
}
