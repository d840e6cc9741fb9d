package io.github.buffercore.internal;

import static io.github.buffercore.internal.BroadcastRingTest.expected;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One writer thread against many reader threads. Outcomes are deterministic: every received byte is
 * checked against its absolute position, whatever the interleaving; timeouts are failure guards only.
 */
class BroadcastRingConcurrencyTest {

  private static final Duration GUARD = Duration.ofSeconds(60);
  private static final int PACKET = TsPacketAligner.PACKET_SIZE;

  private ExecutorService executor;

  @AfterEach
  void shutDown() throws InterruptedException {
    if (executor != null) {
      executor.shutdownNow();
      assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** What one reader thread observed. */
  private record ReaderResult(long bytes, long discontinuities, long finalPosition, long skips) { }

  /** Writes {@code total} pattern bytes in seeded random chunks, then completes the stream. */
  private static Runnable writer(BroadcastRing ring, long total, boolean ts, long seed) {
    return () -> {
      Random random = new Random(seed);
      byte[] chunk = new byte[16 * PACKET];
      long position = 0;
      while (position < total) {
        int len = ts ? PACKET * (1 + random.nextInt(16)) : 1 + random.nextInt(chunk.length);
        len = (int) Math.min(len, total - position);
        for (int i = 0; i < len; i++) {
          chunk[i] = expected(position + i);
        }
        ring.write(chunk, 0, len);
        position += len;
      }
      ring.complete();
    };
  }

  /**
   * Reads until the end of the stream, checking each byte against its absolute position. In MPEG-TS
   * mode a skip may leave the viewer inside a packet it had begun; the reader then pads that packet's
   * rest with 0xFF (its ring position already moved on), so the viewer's own output stays whole packets:
   * data after a skip starts on a packet boundary of the ring and of the viewer's output.
   */
  private static ReaderResult readToEnd(StreamReader reader, int bufferSize, boolean ts, CountDownLatch started)
      throws InterruptedException {
    byte[] dst = new byte[bufferSize];
    long expectedStart = reader.position();
    long bytes = 0;
    long output = 0; // every byte the viewer received, padding included
    long discontinuities = 0;
    started.countDown();
    while (true) {
      int n = reader.read(dst, 0, dst.length, GUARD);
      if (n == -1) {
        return new ReaderResult(bytes, discontinuities, reader.position(), reader.skips());
      }
      assertThat(n).as("no data within the failure guard").isPositive();
      long position = reader.position();
      if (ts && output % PACKET != 0 && position - n != expectedStart) {
        // A skip tore a packet the viewer had begun: the reader pads its rest with 0xFF (the ring
        // position already moved to the next boundary), never past the packet's end.
        assertThat((long) n).as("padding ends at the torn packet's end").isLessThanOrEqualTo(PACKET - output % PACKET);
        for (int i = 0; i < n; i++) {
          assertThat(dst[i]).as("padding byte").isEqualTo((byte) 0xFF);
        }
        output += n;
        if (output % PACKET == 0) {
          assertThat(position).as("readers only move forward").isGreaterThan(expectedStart);
          assertThat(position % PACKET).as("skip lands on a packet boundary").isZero();
          discontinuities++;
          expectedStart = position;
        }
        continue;
      }
      long start = reader.position() - n;
      if (start != expectedStart) {
        assertThat(start).as("readers only move forward").isGreaterThan(expectedStart);
        if (ts) {
          assertThat(start % PACKET).as("skip lands on a packet boundary").isZero();
          assertThat(output % PACKET).as("the viewer's output is whole packets at a skip").isZero();
        }
        discontinuities++;
      }
      for (int i = 0; i < n; i++) {
        if (dst[i] != expected(start + i)) {
          // Assert only on mismatch: keeps the hot loop cheap and the message precise.
          assertThat(dst[i]).as("byte at position %d", start + i).isEqualTo(expected(start + i));
        }
      }
      bytes += n;
      output += n;
      expectedStart = start + n;
    }
  }

  private List<ReaderResult> run(BroadcastRing ring, int readers, long total, boolean ts, int bufferSize)
      throws Exception {
    executor = Executors.newFixedThreadPool(readers + 1);
    CountDownLatch started = new CountDownLatch(readers);
    List<Future<ReaderResult>> futures = new ArrayList<>();
    for (int r = 0; r < readers; r++) {
      StreamReader reader = ring.newReader();
      futures.add(executor.submit(() -> readToEnd(reader, bufferSize, ts, started)));
    }
    assertThat(started.await(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
    Future<?> writing = executor.submit(writer(ring, total, ts, 42));
    writing.get(GUARD.toSeconds(), TimeUnit.SECONDS);
    List<ReaderResult> results = new ArrayList<>();
    for (Future<ReaderResult> future : futures) {
      results.add(future.get(GUARD.toSeconds(), TimeUnit.SECONDS));
    }
    return results;
  }

  /**
   * With a start-behind of the whole capacity, a skipping reader restarts at the oldest byte, right
   * where the writer overwrites next, so copies race with overwrites and the post-copy validation
   * matters; with a smaller start-behind, readers mostly run clear of the writer.
   */
  @ParameterizedTest(name = "mpegTs={0}, startBehind={1}, readBuffer={2}")
  @CsvSource({"false, 1024, 61", "true, 1024, 61", "false, 4096, 4096", "true, 4096, 4096"})
  void skippingReadersNeverSeeOverwrittenBytes(boolean ts, int startBehind, int readBuffer) throws Exception {
    BroadcastRing ring = new BroadcastRing("pl", "st", 4096, SlowClientPolicy.SKIP, startBehind, ts);
    // 256 x the capacity, rounded down to whole packets so that MPEG-TS writes stay whole packets.
    long total = 256L * ring.capacity() / PACKET * PACKET;
    List<ReaderResult> results = run(ring, 8, total, ts, readBuffer);
    long delivered = 0;
    for (ReaderResult result : results) {
      assertThat(result.finalPosition()).isEqualTo(total);
      assertThat(result.bytes()).isLessThanOrEqualTo(total).isPositive();
      assertThat(result.discontinuities()).isLessThanOrEqualTo(result.skips());
      delivered += result.bytes();
    }
    assertThat(ring.bytesDelivered()).isEqualTo(delivered);
    assertThat(ring.bytesWritten()).isEqualTo(total);
    assertThat(ring.skips()).isEqualTo(ring.laps());
  }

  @Test
  void readersThatAreNeverLappedReceiveEverything() throws Exception {
    long total = 4L * 1024 * 1024;
    BroadcastRing ring = new BroadcastRing("pl", "st", (int) total, SlowClientPolicy.DISCONNECT, 0, false);
    List<ReaderResult> results = run(ring, 8, total, false, 997);
    for (ReaderResult result : results) {
      assertThat(result).isEqualTo(new ReaderResult(total, 0, total, 0));
    }
    assertThat(ring.laps()).isZero();
    assertThat(ring.bytesDelivered()).isEqualTo(8 * total);
  }

  @Test
  void twoHundredFiftySixBlockedReadersAllReceiveEverything() throws Exception {
    long total = 256L * 1024;
    BroadcastRing ring = new BroadcastRing("pl", "st", (int) total, SlowClientPolicy.DISCONNECT, 0, false);
    List<ReaderResult> results = run(ring, 256, total, false, 4096);
    assertThat(results).hasSize(256)
        .allSatisfy(result -> assertThat(result).isEqualTo(new ReaderResult(total, 0, total, 0)));
    assertThat(ring.readerCount()).isEqualTo(256);
  }
}
