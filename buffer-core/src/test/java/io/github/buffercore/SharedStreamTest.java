package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The data path end to end through the registry: a real local HTTP upstream (the JDK's HttpServer on
 * 127.0.0.1), one pump per stream, many readers. Waits are bounded and only guard against hangs.
 */
class SharedStreamTest {

  private static final int PACKET = 188;
  private static final Duration GUARD = Duration.ofSeconds(30);

  private final TestUpstreamServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private PlaylistRegistry registry;

  SharedStreamTest() throws IOException {
    server = new TestUpstreamServer();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (registry != null) {
      registry.close();
    }
    threads.shutdownNow();
    server.close();
    assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(pumpThreadsAlive()).as("no pump thread outlives its registry").isZero();
  }

  /**
   * Pump threads still alive once each was given the guard to exit: {@code close()} waits for the
   * pump executor to terminate, and a pool thread is still returning from its last task at that
   * moment, so a thread that is alive at once but ends right after is not a leak.
   */
  private static long pumpThreadsAlive() throws InterruptedException {
    long deadline = System.nanoTime() + GUARD.toNanos();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("buffer-core-pump")) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    }
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("buffer-core-pump") && t.isAlive()).count();
  }

  /** Deterministic MPEG-TS-shaped bytes: packet {@code i} is 0x47 followed by a pattern of i. */
  static byte[] packets(int first, int count) {
    byte[] data = new byte[count * PACKET];
    for (int p = 0; p < count; p++) {
      int base = p * PACKET;
      data[base] = 0x47;
      for (int j = 1; j < PACKET; j++) {
        data[base + j] = (byte) ((first + p) * 31 + j);
      }
    }
    return data;
  }

  private PlaylistRegistry.Builder builder(String path) {
    URI url = server.uri(path);
    return PlaylistRegistry.builder()
        .upstream(HttpUpstreamSource.builder().readTimeout(Duration.ofSeconds(20)).build(),
            (playlistId, streamId) -> streamId.equals("ch1") ? UpstreamTarget.of(url) : null)
        .startBehind(0)
        .reconnectPolicy(ReconnectPolicy.none());
  }

  private static PlaylistInitializer tuners(int limit) {
    return id -> PlaylistSettings.withTuners(limit);
  }

  private static byte[] readExactly(StreamReader reader, int total) throws InterruptedException {
    byte[] out = new byte[total];
    int filled = 0;
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (filled < total) {
      int n = reader.read(out, filled, Math.min(8192, total - filled), Duration.ofMillis(200));
      if (n < 0) {
        throw new AssertionError("end of stream after " + filled + " of " + total + " bytes");
      }
      filled += n;
      if (System.nanoTime() > deadline) {
        throw new AssertionError("guard: only " + filled + " of " + total + " bytes arrived");
      }
    }
    return out;
  }

  @Test
  void fiftyReadersOfOneStreamReceiveIdenticalBytesFromOneUpstreamConnection() throws Exception {
    int readers = 50;
    byte[] body = packets(0, 10_000); // 1.88 MB, less than the 4 MiB buffer: nobody is lapped
    CountDownLatch allJoined = new CountDownLatch(1);
    server.route("/live", (exchange, n) -> {
      exchange.sendResponseHeaders(200, 0);
      allJoined.await(30, TimeUnit.SECONDS);
      OutputStream out = exchange.getResponseBody();
      for (int off = 0; off < body.length; off += 1316) {
        out.write(body, off, Math.min(1316, body.length - off));
      }
      out.flush();
      server.stall(); // a live stream does not end
    });
    registry = builder("/live").build();

    List<ClientLease> leases = new ArrayList<>();
    List<StreamReader> streamReaders = new ArrayList<>();
    for (int i = 0; i < readers; i++) {
      ClientLease lease = registry.acquire("p1", "ch1", tuners(1));
      leases.add(lease);
      streamReaders.add(lease.reader());
    }
    List<Future<String>> digests = new ArrayList<>();
    for (StreamReader reader : streamReaders) {
      digests.add(threads.submit(() -> sha256(readExactly(reader, body.length))));
    }
    allJoined.countDown();

    String expected = sha256(body);
    for (Future<String> digest : digests) {
      assertThat(digest.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
    }
    assertThat(server.requests("/live")).isEqualTo(1);
    StreamSnapshot stream = registry.snapshot().playlist("p1").orElseThrow().streams().get(0);
    assertThat(stream.clients()).isEqualTo(readers);
    assertThat(stream.stats().connectionsOpened()).isEqualTo(1);
    assertThat(stream.stats().bytesIn()).isEqualTo(body.length);
    assertThat(stream.stats().bytesOut()).isEqualTo((long) body.length * readers);
    assertThat(stream.stats().readers()).isEqualTo(readers);
    leases.forEach(ClientLease::close);
  }

  @Test
  void anUpstreamThatDiesMidStreamEndsEveryReaderWithAnUpstreamExceptionAndFreesTheTuner()
      throws Exception {
    byte[] body = packets(0, 500);
    CountDownLatch joined = new CountDownLatch(1);
    server.route("/live", (exchange, n) -> {
      if (n > 1) { // the reconnect attempt finds the upstream broken
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      exchange.sendResponseHeaders(200, 0);
      joined.await(30, TimeUnit.SECONDS);
      exchange.getResponseBody().write(body);
      exchange.getResponseBody().flush();
      // returning closes the exchange: the upstream died mid-stream
    });
    RecordingListener events = new RecordingListener();
    registry = builder("/live").listener(events).build();
    List<ClientLease> leases = new ArrayList<>();
    List<Future<Throwable>> outcomes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ClientLease lease = registry.acquire("p1", "ch1", tuners(1));
      StreamReader reader = lease.reader();
      leases.add(lease);
      outcomes.add(threads.submit(() -> {
        byte[] received = readExactly(reader, body.length);
        assertThat(received).isEqualTo(body);
        try {
          while (reader.read(new byte[4096], 0, 4096, Duration.ofMillis(200)) >= 0) {
            // drain until the failure arrives
          }
          return null;
        } catch (UpstreamException expected) {
          return expected;
        }
      }));
    }
    joined.countDown();

    for (Future<Throwable> outcome : outcomes) {
      Throwable failure = outcome.get(60, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(UpstreamException.class)
          .hasMessageContaining("'ch1'").hasMessageContaining("'p1'");
      assertThat(((UpstreamException) failure).playlistId()).isEqualTo("p1");
      assertThat(((UpstreamException) failure).streamId()).isEqualTo("ch1");
    }
    // The tuner was freed before the readers heard of the failure.
    assertThat(registry.snapshot().playlist("p1").orElseThrow().tunersInUse()).isZero();
    assertThat(events.count(RegistryEvent.Type.CLIENT_EVICTED)).isEqualTo(5);
    assertThat(leases).allSatisfy(lease -> assertThat(lease.isOpen()).isFalse());
    leases.forEach(ClientLease::close);
    assertThat(server.requests("/live")).isEqualTo(2);
  }

  @Test
  void aStalledReaderIsDisconnectedWithoutSlowingTheOthers() throws Exception {
    int chunk = 16 * 1024;
    int chunks = 64; // 1 MiB through a 256 KiB buffer
    byte[] body = packets(0, chunk * chunks / PACKET + 1);
    Semaphore window = new Semaphore(4); // the fast reader lets the server run 64 KiB ahead at most
    server.route("/live", (exchange, n) -> {
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      for (int c = 0; c < chunks; c++) {
        if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
          return;
        }
        out.write(body, c * chunk, chunk);
        out.flush();
      }
      server.stall();
    });
    registry = builder("/live").bufferCapacity(256 * 1024).mpegTs(false)
        .slowClientPolicy(SlowClientPolicy.DISCONNECT)
        // The server's 64 KiB window equals the wake batch (a quarter of 256 KiB): each window would
        // wait out the batch delay. And no periodic cleanup: its stall sweep would evict the lapped,
        // non-reading client (closing its reader) before this test's read finds the lap itself.
        .wakeBatching(0, Duration.ZERO).manualCleanup()
        .build();
    ClientLease fastLease = registry.acquire("p1", "ch1", tuners(1));
    ClientLease stalledLease = registry.acquire("p1", "ch1", tuners(1));
    StreamReader fast = fastLease.reader();
    StreamReader stalled = stalledLease.reader();

    Future<byte[]> fastResult = threads.submit(() -> {
      byte[] all = new byte[chunk * chunks];
      for (int c = 0; c < chunks; c++) {
        System.arraycopy(readExactly(fast, chunk), 0, all, c * chunk, chunk);
        window.release();
      }
      return all;
    });

    byte[] received = fastResult.get(60, TimeUnit.SECONDS);
    assertThat(received).isEqualTo(java.util.Arrays.copyOf(body, chunk * chunks));
    assertThatThrownBy(() -> stalled.read(new byte[10], 0, 10, Duration.ofSeconds(1)))
        .isInstanceOfSatisfying(SlowClientException.class, e -> {
          assertThat(e.playlistId()).isEqualTo("p1");
          assertThat(e.lostBytes()).isPositive();
        });
    assertThat(registry.snapshot().playlist("p1").orElseThrow().streams().get(0).stats().laps())
        .isPositive();
    fastLease.close();
    stalledLease.close();
  }

  @Test
  void aLappedReaderUnderSkipJumpsForwardAndKeepsReadingValidPackets() throws Exception {
    byte[] body = packets(0, 8_000); // 1.5 MB through a 64 KiB buffer
    CountDownLatch written = new CountDownLatch(1);
    // The body waits for the reader: a reader made after most of it was written would start near its
    // end and never be lapped.
    CountDownLatch readerMade = new CountDownLatch(1);
    server.route("/live", (exchange, n) -> {
      exchange.sendResponseHeaders(200, 0);
      if (!readerMade.await(30, TimeUnit.SECONDS)) {
        throw new IOException("the test made no reader within 30 s");
      }
      exchange.getResponseBody().write(body);
      exchange.getResponseBody().flush();
      written.countDown();
      server.stall();
    });
    // After a lap a reader continues where a new reader would start: 10 packets behind live.
    registry = builder("/live").bufferCapacity(64 * 1024).startBehind(10 * PACKET).build();
    ClientLease lease = registry.acquire("p1", "ch1", tuners(1));
    StreamReader reader = lease.reader();
    readerMade.countDown();
    assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
    // Wait until the pump has written everything (the server's flush may precede the pump's read).
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (registry.snapshot().playlist("p1").orElseThrow().streams().get(0).stats().bytesIn() < body.length) {
      assertThat(System.nanoTime()).as("the pump writes the whole body").isLessThan(deadline);
      Thread.onSpinWait();
    }

    byte[] packet = readExactly(reader, PACKET);
    assertThat(reader.skips()).isPositive();
    assertThat(packet[0]).as("a skip lands on a packet boundary").isEqualTo((byte) 0x47);
    assertThat(reader.position()).isEqualTo((long) body.length - 9 * PACKET);
    assertThat(packet).isEqualTo(packets(8_000 - 10, 1));
    lease.close();
  }

  @Test
  void athousandJoinLeaveCyclesWithinTheGracePeriodOpenOneUpstreamConnection() throws Exception {
    server.route("/live", (exchange, n) -> {
      exchange.sendResponseHeaders(200, 0);
      exchange.getResponseBody().write(packets(0, 100));
      exchange.getResponseBody().flush();
      server.stall();
    });
    // A rejoining reader starts 50 packets behind live, so it has data at once.
    registry = builder("/live").streamGrace(Duration.ofHours(1)).startBehind(50 * PACKET).build();
    long generation = -1;
    for (int i = 0; i < 1_000; i++) {
      try (ClientLease lease = registry.acquire("p1", "ch1", tuners(1))) {
        if (i % 100 == 0) {
          assertThat(readExactly(lease.reader(), PACKET)[0]).isEqualTo((byte) 0x47);
        }
        long current = registry.snapshot().playlist("p1").orElseThrow().streams().get(0).generation();
        assertThat(generation == -1 || generation == current).as("same stream generation").isTrue();
        generation = current;
      }
    }
    assertThat(server.requests("/live")).isEqualTo(1);
    StreamSnapshot idle = registry.snapshot().playlist("p1").orElseThrow().streams().get(0);
    assertThat(idle.idle()).isTrue();
    assertThat(idle.stats().connectionsOpened()).isEqualTo(1);
  }

  @Test
  void theUpstreamClosesWhenTheGracePeriodEnds() throws Exception {
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(packets(0, 70))
        .bytesPerSecond(1_000_000).build();
    CountDownLatch stopped = new CountDownLatch(1);
    registry = PlaylistRegistry.builder()
        .upstream(source, (p, s) -> UpstreamTarget.of(URI.create("inprocess:" + s)))
        .streamGrace(Duration.ofMillis(50))
        .listener(e -> {
          if (e.type() == RegistryEvent.Type.STREAM_STOPPED) {
            stopped.countDown();
          }
        }).build();
    try (ClientLease lease = registry.acquire("p1", "ch1", tuners(1))) {
      assertThat(readExactly(lease.reader(), PACKET * 10)[0]).isEqualTo((byte) 0x47);
    }
    assertThat(stopped.await(30, TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (source.activeConnections() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(source.activeConnections()).isZero();
    assertThat(source.openedConnections()).isEqualTo(1);
  }

  @Test
  void aReconnectMidPacketNeverGluesTheOldPartialPacketToTheNewConnection() throws Exception {
    byte[] clip = packets(0, 70);
    // Every connection dies 100 bytes into its 11th packet, then the pump reconnects.
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(clip)
        .endAfterBytes(PACKET * 10 + 100).build();
    registry = PlaylistRegistry.builder()
        .upstream(source, (p, s) -> UpstreamTarget.of(URI.create("inprocess:" + s)))
        .startBehind(0)
        .reconnectPolicy(ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(1)).build())
        .build();
    java.util.Set<String> known = new java.util.HashSet<>();
    for (int p = 0; p < 70; p++) {
      known.add(sha256(spliceInvariant(java.util.Arrays.copyOfRange(clip, p * PACKET, (p + 1) * PACKET))));
    }
    try (ClientLease lease = registry.acquire("p1", "ch1", tuners(1))) {
      byte[] read = readExactly(lease.reader(), PACKET * 35); // spans at least three connections
      for (int p = 0; p < 35; p++) {
        assertThat(known).as("packet %d is a packet of the clip, not two glued halves", p)
            .contains(sha256(spliceInvariant(java.util.Arrays.copyOfRange(read, p * PACKET, (p + 1) * PACKET))));
      }
    }
    assertThat(source.openedConnections()).isGreaterThanOrEqualTo(3);
  }

  /**
   * The packet without what a clean splice may rewrite (its continuity counter and the adaptation
   * field's discontinuity indicator), so that a spliced packet is still recognised as the clip's.
   */
  private static byte[] spliceInvariant(byte[] packet) {
    packet[3] &= (byte) 0xF0;
    packet[5] &= (byte) 0x7F;
    return packet;
  }

  @Test
  void anUnknownStreamIsRefusedBeforeAnythingChanges() {
    registry = builder("/live").build();
    registry.getOrCreate("p1", tuners(1));
    RegistrySnapshot before = registry.snapshot();
    assertThatThrownBy(() -> registry.acquire("p1", "nope"))
        .isInstanceOfSatisfying(UnknownStreamException.class, e -> {
          assertThat(e.playlistId()).isEqualTo("p1");
          assertThat(e.streamId()).isEqualTo("nope");
        });
    assertThat(registry.snapshot()).isEqualTo(before);
    assertThat(server.requests("/live")).isZero();
  }

  @Test
  void aRegistryWithoutUpstreamHasNoReaders() {
    registry = PlaylistRegistry.builder().build();
    try (ClientLease lease = registry.acquire("p1", "s1", tuners(1))) {
      assertThatThrownBy(lease::reader).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("upstream(source, resolver)");
    }
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
