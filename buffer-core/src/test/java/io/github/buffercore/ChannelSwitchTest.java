package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.internal.InProcessTunerPool;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Channel switching on a one-tuner account (issue 16): the same client key acquiring another stream
 * while its old lease is open ends the old lease and hands its tuner to the new stream, with real
 * pumps, rings and readers, and an upstream that counts its open connections.
 */
@Timeout(120)
class ChannelSwitchTest {

  private static final int PACKET = 188;
  private static final ClientKey KEY = ClientKey.of("192.0.2.7 VLC/3.0.20");

  private final InProcessTunerPool pool = new InProcessTunerPool();
  private final CountingSource source = new CountingSource(
      InProcessUpstreamSource.looping(packets(70)).bytesPerSecond(4_000_000).build());
  private PlaylistRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  /** Counts the connections open at once, and the most ever open at once. */
  static final class CountingSource implements UpstreamSource {
    final UpstreamSource delegate;
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger mostOpen = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();

    CountingSource(UpstreamSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public UpstreamConnection open(UpstreamRequest request) throws IOException {
      UpstreamConnection connection = delegate.open(request);
      opened.incrementAndGet();
      mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      AtomicBoolean closed = new AtomicBoolean();
      return new UpstreamConnection() {
        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          return connection.read(buf, off, len);
        }

        @Override
        public void close() {
          if (closed.compareAndSet(false, true)) {
            open.decrementAndGet(); // counted as closed before the delegate lets go: never under-counts
            connection.close();
          }
        }
      };
    }
  }

  private static byte[] packets(int count) {
    byte[] data = new byte[count * PACKET];
    for (int p = 0; p < count; p++) {
      data[p * PACKET] = 0x47;
      for (int j = 1; j < PACKET; j++) {
        data[p * PACKET + j] = (byte) (p * 31 + j);
      }
    }
    return data;
  }

  private PlaylistRegistry oneTuner() {
    return PlaylistRegistry.builder()
        .upstream(source, (p, s) -> UpstreamTarget.of(URI.create("inprocess:" + s)))
        .tunerPool(pool)
        .streamGrace(Duration.ofSeconds(30)) // an idle old channel waits in grace: it must yield
        .startBehind(0)
        .build();
  }

  private static PlaylistInitializer tuners(int limit) {
    return id -> PlaylistSettings.withTuners(limit);
  }

  /** Reads until {@code total} bytes came; fails on an end or a failure. */
  private static void play(StreamReader reader, int total) throws InterruptedException {
    byte[] buffer = new byte[8192];
    int got = 0;
    while (got < total) {
      int n = reader.read(buffer, 0, Math.min(buffer.length, total - got), Duration.ofSeconds(10));
      assertThat(n).as("bytes of stream %s", reader.streamId()).isGreaterThanOrEqualTo(0);
      got += n;
    }
  }

  @Test
  void oneClientSwitchesAHundredTimesOnOneTunerOpeningTheNewChannelBeforeClosingTheOld()
      throws Exception {
    registry = oneTuner();
    ClientLease current = registry.acquire("p1", "ch0", KEY, tuners(1));
    play(current.reader(), PACKET * 20);
    for (int i = 1; i <= 100; i++) {
      String channel = "ch" + (i % 3);
      ClientLease next = registry.acquire("p1", channel, KEY, tuners(1)); // no 503
      play(next.reader(), PACKET * 20);
      ClientLease old = current;
      assertThat(old.isOpen()).as("old lease of switch %d", i).isFalse();
      assertThatThrownBy(() -> play(old.reader(), Integer.MAX_VALUE))
          .isInstanceOfSatisfying(StreamSwitchedException.class, switched -> {
            assertThat(switched.switchedTo()).isEqualTo(channel);
            assertThat(switched.streamId()).isEqualTo(old.streamId());
          });
      assertThatThrownBy(() -> old.reader().poll(ByteBuffer.allocateDirect(PACKET)))
          .as("a direct-buffer poll of the old lease of switch %d", i)
          .isInstanceOf(StreamSwitchedException.class);
      old.close(); // the player closes the old channel after opening the new one: changes nothing
      RegistrySnapshot snapshot = registry.snapshot();
      assertThat(snapshot.totalStreams()).as("streams after switch %d", i).isEqualTo(1);
      assertThat(snapshot.totalClients()).isEqualTo(1);
      assertThat(pool.heldSlots("p1")).as("tuner slots after switch %d", i).isEqualTo(1);
      current = next;
    }
    assertThat(source.mostOpen.get()).as("upstream connections ever open at once").isEqualTo(1);
    assertThat(source.opened.get()).isEqualTo(101);
    current.close();
    registry.close();
    assertThat(pool.heldSlots("p1")).as("no slot leaked").isZero();
    assertThat(source.open.get()).isZero();
  }

  @Test
  void aSwitchThatCannotHaveTheTunerChangesNothing() throws Exception {
    registry = oneTuner();
    ClientLease mine = registry.acquire("p1", "ch0", KEY, tuners(1));
    try (ClientLease other = registry.acquire("p1", "ch0", ClientKey.of("someone else"))) {
      // Another viewer still watches ch0, so its tuner is not ours to hand over.
      assertThatThrownBy(() -> registry.acquire("p1", "ch1", KEY))
          .isInstanceOfSatisfying(TunerLimitExceededException.class,
              refused -> assertThat(refused.activeStreams()).containsExactly("ch0"));
      assertThat(mine.isOpen()).isTrue();
      play(mine.reader(), PACKET * 10);
      assertThat(other.isOpen()).isTrue();
    }
    mine.close();
    assertThat(source.mostOpen.get()).isEqualTo(1);
  }

  @Test
  void theSameKeyOnTheSameChannelAndAKeylessClientDoNotSwitch() throws Exception {
    registry = oneTuner();
    try (ClientLease first = registry.acquire("p1", "ch0", KEY, tuners(1));
        ClientLease again = registry.acquire("p1", "ch0", KEY)) {
      assertThat(first.isOpen()).isTrue();
      assertThat(again.clientKey()).contains(KEY);
      assertThatThrownBy(() -> registry.acquire("p1", "ch1"))
          .isInstanceOf(TunerLimitExceededException.class); // no key, no switch: still a 503
      assertThat(first.isOpen()).isTrue();
    }
  }

  @Test
  void aSwitchedLeaseThatNeverReadGetsTheSignalFromReader() {
    registry = oneTuner();
    ClientLease old = registry.acquire("p1", "ch0", KEY, tuners(1));
    try (ClientLease next = registry.acquire("p1", "ch1", KEY)) {
      assertThatThrownBy(old::reader).isInstanceOf(StreamSwitchedException.class)
          .hasMessageContaining("'ch0'").hasMessageContaining("'ch1'").hasMessageContaining("'p1'");
      assertThat(next.isOpen()).isTrue();
    }
  }

  @Test
  void aMalformedKeyIsRefusedNamingIt() {
    assertThatThrownBy(() -> ClientKey.of("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 1024");
    assertThatThrownBy(() -> ClientKey.of("a\nb")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a?b");
    assertThatThrownBy(() -> ClientKey.of("x".repeat(1025))).isInstanceOf(IllegalArgumentException.class);
    registry = oneTuner();
    assertThatThrownBy(() -> registry.acquire("p1", "ch0", (ClientKey) null, tuners(1)))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("clientKey");
    assertThat(registry.snapshot().totalStreams()).isZero();
  }
}
