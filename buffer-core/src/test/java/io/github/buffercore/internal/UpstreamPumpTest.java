package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.HttpUpstreamSource;
import io.github.buffercore.InProcessUpstreamSource;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.TestUpstreamServer;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamSource;
import io.github.buffercore.UpstreamStatusException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class UpstreamPumpTest {

  private static final ReconnectPolicy FAST = ReconnectPolicy.builder()
      .maxAttempts(2).initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5)).build();

  private TestUpstreamServer server;
  private ScheduledExecutorService scheduler;
  private final List<Thread> threads = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    server = new TestUpstreamServer();
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Thread t : threads) {
      t.join(10_000);
      assertThat(t.isAlive()).as("pump thread still running").isFalse();
    }
    server.close();
    scheduler.shutdownNow();
  }

  /** Records what the pump calls; lets the test wait for a byte count or the end. */
  static final class RecordingSink implements ChunkSink {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int completes;
    final List<UpstreamException> failures = new ArrayList<>();
    final CountDownLatch ended = new CountDownLatch(1);
    Thread writerThread;

    @Override
    public synchronized void write(byte[] src, int off, int len) {
      writerThread = Thread.currentThread();
      bytes.write(src, off, len);
      notifyAll();
    }

    @Override
    public synchronized void complete() {
      completes++;
      ended.countDown();
    }

    @Override
    public synchronized void fail(UpstreamException cause) {
      failures.add(cause);
      ended.countDown();
    }

    synchronized byte[] awaitBytes(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (bytes.size() < count) {
        long left = deadline - System.nanoTime();
        assertThat(left).as("timed out waiting for %s bytes", count).isPositive();
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return bytes.toByteArray();
    }

    void awaitEnd() throws InterruptedException {
      assertThat(ended.await(20, TimeUnit.SECONDS)).as("pump did not end").isTrue();
    }
  }

  private final List<UpstreamException> listened = new ArrayList<>();

  private UpstreamPump.Builder pump(UpstreamSource source, RecordingSink sink, String primary) {
    return UpstreamPump.builder("pl-1", "st-1", source, sink, scheduler)
        .primaryUrl(server.uri(primary))
        .reconnectPolicy(FAST)
        .startTimeout(Duration.ofSeconds(20))
        .chunkSize(1000)
        .listener((p, failure) -> {
          synchronized (listened) {
            listened.add(failure);
          }
        });
  }

  private Thread start(UpstreamPump pump) {
    Thread t = new Thread(pump, "pump-test");
    threads.add(t);
    t.start();
    return t;
  }

  private static byte[] filled(int n, char c) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) c);
    return b;
  }

  private static HttpUpstreamSource http() {
    return HttpUpstreamSource.builder().readTimeout(Duration.ofSeconds(30)).build();
  }

  @Test
  void reconnectsAfterTheUpstreamDiesAndContinues() throws Exception {
    byte[] a = filled(5000, 'A');
    byte[] b = filled(3000, 'B');
    server.route("/live", (ex, n) -> {
      if (n == 1) {
        TestUpstreamServer.sendBytes(ex, a, true); // then the response ends: upstream died
      } else {
        TestUpstreamServer.sendBytes(ex, b, true);
        server.stall();
      }
    });
    RecordingSink sink = new RecordingSink();
    UpstreamPump pump = pump(http(), sink, "/live").build();
    Thread t = start(pump);

    byte[] got = sink.awaitBytes(a.length + b.length);
    byte[] expected = new byte[a.length + b.length];
    System.arraycopy(a, 0, expected, 0, a.length);
    System.arraycopy(b, 0, expected, a.length, b.length);
    assertThat(got).isEqualTo(expected);
    assertThat(server.requests("/live")).isEqualTo(2);
    assertThat(pump.connectionsOpened()).isEqualTo(2);
    assertThat(pump.reconnects()).isEqualTo(1);
    assertThat(pump.bytesIn()).isEqualTo(expected.length);
    assertThat(sink.writerThread).isSameAs(t);

    pump.stop();
    sink.awaitEnd();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(sink.completes).isEqualTo(1);
    assertThat(sink.failures).isEmpty();
    assertThat(pump.state()).isEqualTo(PumpState.STOPPED);
    assertThat(listened).containsExactly((UpstreamException) null);
  }

  @Test
  void triesBackupUrlsInOrderAfterThePrimaryFails() throws Exception {
    server.route("/primary", (ex, n) -> ex.sendResponseHeaders(404, -1));
    server.route("/backup1", (ex, n) -> ex.sendResponseHeaders(503, -1));
    server.route("/backup2", (ex, n) -> {
      TestUpstreamServer.sendBytes(ex, filled(100, 'X'), true);
      server.stall();
    });
    RecordingSink sink = new RecordingSink();
    UpstreamPump pump = pump(http(), sink, "/primary")
        .backupUrls(List.of(server.uri("/backup1"), server.uri("/backup2"))).build();
    Thread t = start(pump);

    assertThat(sink.awaitBytes(100)).isEqualTo(filled(100, 'X'));
    assertThat(server.requestLog())
        .containsExactly("/primary", "/primary", "/backup1", "/backup1", "/backup2");
    assertThat(pump.currentUrlIndex()).isEqualTo(2);
    assertThat(pump.state()).isEqualTo(PumpState.STREAMING);

    pump.stop();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(sink.completes).isEqualTo(1);
    assertThat(sink.failures).isEmpty();
  }

  @Test
  void givesUpAfterAllAttemptsWithExactlyOneFail() throws Exception {
    server.route("/a", (ex, n) -> ex.sendResponseHeaders(500, -1));
    server.route("/b", (ex, n) -> ex.sendResponseHeaders(404, -1));
    RecordingSink sink = new RecordingSink();
    UpstreamPump pump = pump(http(), sink, "/a").backupUrls(List.of(server.uri("/b"))).build();
    Thread t = start(pump);

    sink.awaitEnd();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(sink.completes).isZero();
    assertThat(sink.failures).hasSize(1);
    UpstreamException e = sink.failures.get(0);
    assertThat(e.playlistId()).isEqualTo("pl-1");
    assertThat(e.streamId()).isEqualTo("st-1");
    assertThat(e.getMessage()).contains("pl-1", "st-1", "404");
    assertThat(e.getCause()).isInstanceOf(UpstreamStatusException.class);
    assertThat(((UpstreamStatusException) e.getCause()).status()).isEqualTo(404);
    assertThat(e.getSuppressed()).hasSize(3);
    assertThat(e.reason()).isEqualTo(UpstreamException.Reason.ERROR_STATUS);
    assertThat(e.attempts()).isEqualTo(4);
    assertThat(server.requests("/a")).isEqualTo(2);
    assertThat(server.requests("/b")).isEqualTo(2);
    assertThat(pump.state()).isEqualTo(PumpState.FAILED);
    assertThat(listened).containsExactly(e);

    pump.stop(); // after the end: no effect
    assertThat(sink.completes).isZero();
  }

  @Test
  void noFirstByteWithinTheStartTimeoutFailsTheAttempt() throws Exception {
    server.route("/silent", (ex, n) -> {
      ex.sendResponseHeaders(200, 0);
      ex.getResponseBody().flush();
      server.stall();
    });
    server.route("/noheaders", (ex, n) -> server.stall());
    RecordingSink sink = new RecordingSink();
    UpstreamPump pump = pump(http(), sink, "/silent")
        .backupUrls(List.of(server.uri("/noheaders")))
        // 1 s: /silent's headers must reach the pump within it on a loaded machine for its connection
        // to be counted.
        .startTimeout(Duration.ofSeconds(1)).build();
    Thread t = start(pump);

    sink.awaitEnd();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(sink.failures).hasSize(1);
    assertThat(sink.failures.get(0).getCause()).hasMessageContaining("start timeout");
    assertThat(sink.failures.get(0).reason()).isEqualTo(UpstreamException.Reason.TIMEOUT);
    assertThat(sink.failures.get(0).attempts()).isEqualTo(4); // 2 URLs x 2 attempts each
    assertThat(pump.connectionsOpened()).isEqualTo(2);
    // The server counts a request on its own thread, and the pump may have given up on /noheaders
    // before that thread ran: wait for the count rather than read it once.
    assertThat(server.awaitRequests("/silent", 2, Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(server.awaitRequests("/noheaders", 2, Duration.ofSeconds(30))).isEqualTo(2);
  }

  @Test
  void stopEndsAPumpBlockedInReadPromptly() throws Exception {
    server.route("/live", (ex, n) -> {
      TestUpstreamServer.sendBytes(ex, filled(10, 'L'), true);
      server.stall();
    });
    RecordingSink sink = new RecordingSink();
    UpstreamPump pump = pump(http(), sink, "/live").build();
    Thread t = start(pump);
    sink.awaitBytes(10); // the pump is now reading and the server sends nothing more

    pump.stop();
    pump.stop();
    assertThat(pump.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(sink.completes).isEqualTo(1);
    assertThat(sink.failures).isEmpty();
    assertThat(server.requests("/live")).isEqualTo(1);
  }

  @Test
  void stopCutsABackoffShort() throws Exception {
    CountDownLatch opened = new CountDownLatch(1);
    UpstreamSource failing = request -> {
      opened.countDown();
      throw new IOException("refused: " + request.url());
    };
    RecordingSink sink = new RecordingSink();
    UpstreamPump pump = pump(failing, sink, "/x")
        .reconnectPolicy(ReconnectPolicy.builder().maxAttempts(5)
            .initialBackoff(Duration.ofMinutes(10)).maxBackoff(Duration.ofMinutes(10)).build())
        .build();
    Thread t = start(pump);
    assertThat(opened.await(10, TimeUnit.SECONDS)).isTrue();

    pump.stop();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(sink.completes).isEqualTo(1);
    assertThat(sink.failures).isEmpty();
  }

  @Test
  void stopBeforeRunCompletesWithoutConnecting() {
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(new byte[] {1}).build();
    RecordingSink sink = new RecordingSink();
    UpstreamPump pump = pump(source, sink, "/x").build();
    pump.stop();
    pump.run();
    assertThat(sink.completes).isEqualTo(1);
    assertThat(source.openAttempts()).isZero();
  }

  @Test
  void endOfAnInProcessStreamIsReconnectedAndRetriesFailedOpens() throws Exception {
    byte[] clip = "0123456789".getBytes();
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(clip)
        .endAfterBytes(25).failFirstOpens(1).build();
    RecordingSink sink = new RecordingSink();
    UpstreamPump pump = pump(source, sink, "/mem").chunkSize(7).build();
    Thread t = start(pump);

    byte[] got = sink.awaitBytes(50);
    assertThat(new String(got, 0, 50)).isEqualTo(
        "0123456789012345678901234" + "0123456789012345678901234");
    pump.stop();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(source.openAttempts()).isGreaterThanOrEqualTo(3);
    assertThat(source.openedConnections()).isEqualTo(source.openAttempts() - 1);
    assertThat(source.activeConnections()).isZero();
    assertThat(source.requests().get(0).attempt()).isEqualTo(1);
    assertThat(source.requests().get(1).attempt()).isEqualTo(2);
    assertThat(sink.completes).isEqualTo(1);
  }

  @Test
  void anEndingUpstreamFailsAfterTheAttemptsWhenItNeverDeliversData() throws Exception {
    InProcessUpstreamSource source = InProcessUpstreamSource.from(
        request -> InputStream.nullInputStream()).build();
    RecordingSink sink = new RecordingSink();
    UpstreamPump pump = pump(source, sink, "/empty").build();
    Thread t = start(pump);
    sink.awaitEnd();
    t.join(10_000);
    assertThat(sink.failures).hasSize(1);
    assertThat(sink.failures.get(0).getCause()).isInstanceOf(EOFException.class)
        .hasMessageContaining("live stream must not end");
    assertThat(source.openedConnections()).isEqualTo(2);
    assertThat(source.activeConnections()).isZero();
  }

  @Test
  void runTwiceIsRejected() {
    UpstreamPump pump = pump(InProcessUpstreamSource.looping(new byte[] {1}).build(),
        new RecordingSink(), "/x").build();
    pump.stop();
    pump.run();
    org.assertj.core.api.Assertions.assertThatThrownBy(pump::run)
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void startTimeoutValidation() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> UpstreamPump.builder(
            "p", "s", r -> null, new RecordingSink(), scheduler).startTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
  }
}
