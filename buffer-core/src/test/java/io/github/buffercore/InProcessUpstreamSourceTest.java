package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class InProcessUpstreamSourceTest {

  private static final UpstreamRequest REQ =
      new UpstreamRequest("pl", "st", URI.create("mem://clip"), 1);

  @Test
  void loopsTheClipAndCountsConnections() throws IOException {
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(new byte[] {1, 2, 3}).build();
    byte[] buf = new byte[8];
    try (UpstreamConnection c = source.open(REQ)) {
      int got = 0;
      while (got < 8) {
        got += c.read(buf, got, 8 - got);
      }
      assertThat(buf).containsExactly(1, 2, 3, 1, 2, 3, 1, 2);
      assertThat(source.activeConnections()).isEqualTo(1);
    }
    assertThat(source.openedConnections()).isEqualTo(1);
    assertThat(source.activeConnections()).isZero();
    assertThat(source.requests()).containsExactly(REQ);
  }

  @Test
  void injectedFailuresAndEnd() throws IOException {
    InProcessUpstreamSource source = InProcessUpstreamSource.looping(new byte[] {7})
        .failFirstOpens(2).endAfterBytes(3).build();
    assertThatThrownBy(() -> source.open(REQ)).isInstanceOf(IOException.class)
        .hasMessageContaining("Injected").hasMessageContaining("'st'");
    assertThatThrownBy(() -> source.open(REQ)).isInstanceOf(IOException.class);
    try (UpstreamConnection c = source.open(REQ)) {
      byte[] buf = new byte[10];
      int got = 0;
      for (int n; (n = c.read(buf, got, 10 - got)) > 0; ) {
        got += n;
      }
      assertThat(got).isEqualTo(3);
    }
    assertThat(source.openAttempts()).isEqualTo(3);
    assertThat(source.openedConnections()).isEqualTo(1);
  }

  @Test
  void closeUnblocksAPacedRead() throws Exception {
    // 1 byte per second: the second read waits about a second unless the connection is closed.
    InProcessUpstreamSource source =
        InProcessUpstreamSource.looping(new byte[] {1}).bytesPerSecond(1).build();
    UpstreamConnection c = source.open(REQ);
    byte[] buf = new byte[4];
    assertThat(c.read(buf, 0, 4)).isEqualTo(1);
    Thread closer = new Thread(c::close);
    closer.start();
    closer.join(10_000);
    assertThatThrownBy(() -> c.read(buf, 0, 4)).isInstanceOf(IOException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void validatesArguments() {
    assertThatThrownBy(() -> InProcessUpstreamSource.looping(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 bytes");
    assertThatThrownBy(() -> InProcessUpstreamSource.looping(new byte[1]).bytesPerSecond(-5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
  }

  @Test
  void reconnectPolicyBackoffAndValidation() {
    ReconnectPolicy p = ReconnectPolicy.defaults();
    assertThat(p.maxAttempts()).isEqualTo(3);
    assertThat(p.backoffBefore(1)).isEqualTo(Duration.ZERO);
    assertThat(p.backoffBefore(2)).isEqualTo(Duration.ofMillis(500));
    assertThat(p.backoffBefore(3)).isEqualTo(Duration.ofMillis(1000));
    assertThat(p.backoffBefore(10)).isEqualTo(Duration.ofSeconds(5));
    assertThat(ReconnectPolicy.none().maxAttempts()).isEqualTo(1);
    assertThat(ReconnectPolicy.builder().build()).isEqualTo(p);
    assertThatThrownBy(() -> ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxBackoff(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    assertThatThrownBy(() -> ReconnectPolicy.builder().initialBackoff(Duration.ofSeconds(9)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT9S");
  }
}
