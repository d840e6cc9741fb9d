package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Under {@link SlowClientPolicy#DISCONNECT} a lapped lease is released at once, not by the embedder. */
class DisconnectReleasesLeaseTest {

  private static final Duration GUARD = Duration.ofSeconds(30);

  /** One read of a lapped viewer: it must throw {@link SlowClientException}. */
  private interface LappedRead {
    void read(StreamReader reader) throws Exception;
  }

  @Test
  void aLappedLeaseLeavesItsStreamAndFreesTheTunerWithoutClose() throws Exception {
    lappedLeaseIsReleased(reader -> reader.read(new byte[188], 0, 188, GUARD));
  }

  @Test
  void aLappedLeasePollingADirectBufferIsReleasedToo() throws Exception {
    lappedLeaseIsReleased(reader -> reader.poll(ByteBuffer.allocateDirect(188)));
  }

  private static void lappedLeaseIsReleased(LappedRead lappedRead) throws Exception {
    byte[] clip = new byte[188 * 64];
    for (int i = 0; i < clip.length; i += 188) {
      clip[i] = 0x47;
    }
    RecordingListener listener = new RecordingListener();
    try (PlaylistRegistry registry = PlaylistRegistry.builder()
        .upstream(InProcessUpstreamSource.looping(clip).bytesPerSecond(20_000_000).build(),
            (p, s) -> UpstreamTarget.of(URI.create("inprocess:" + s)))
        .bufferCapacity(64 * 1024)
        .startBehind(0)
        .slowClientPolicy(SlowClientPolicy.DISCONNECT)
        .streamGrace(Duration.ZERO)
        .listener(listener)
        .build()) {
      ClientLease lease = registry.acquire("p1", "slow", id -> PlaylistSettings.withTuners(1));
      StreamReader reader = lease.reader();
      // The viewer does not read until the writer is two buffers ahead of it. Measured from the
      // reader's own position: it starts at the live edge of the moment it was made, which a loaded
      // machine may reach late, so an absolute byte count could leave it less than a buffer behind.
      long deadline = System.nanoTime() + GUARD.toNanos();
      while (registry.snapshot().playlist("p1").orElseThrow().streams().get(0).stats().bytesIn()
          - reader.position() <= 2 * 64 * 1024) {
        assertThat(System.nanoTime()).as("the upstream delivers").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertThatThrownBy(() -> lappedRead.read(reader))
          .isInstanceOf(SlowClientException.class);
      // No lease.close(): the client left and its stream stopped with the failed read.
      assertThat(registry.snapshot().playlist("p1").orElseThrow().streams()).isEmpty();
      assertThat(listener.count(RegistryEvent.Type.CLIENT_LEFT)).isEqualTo(1);
      assertThat(listener.count(RegistryEvent.Type.STREAM_STOPPED)).isEqualTo(1);
      try (ClientLease other = registry.acquire("p1", "other")) {
        assertThat(other.streamId()).isEqualTo("other"); // the only tuner is free again
      }
      lease.close(); // idempotent: the only other CLIENT_LEFT is that of "other"
      assertThat(listener.count(RegistryEvent.Type.CLIENT_LEFT)).isEqualTo(2);
    }
  }
}
