package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InProcessTunerPoolTest {

  private final InProcessTunerPool pool = new InProcessTunerPool();

  private TunerSlot take(String playlistId, String streamId) {
    return pool.acquire(new TunerRequest(playlistId, streamId, 1, Duration.ZERO));
  }

  @Test
  void keepsTheBooksPerPlaylistWithStrictlyIncreasingTokens() {
    TunerSlot a = take("p1", "a");
    TunerSlot b = take("p1", "b"); // the registry's compute decided; the pool does not count again
    TunerSlot c = take("p2", "c");
    assertThat(pool.heldSlots("p1")).isEqualTo(2);
    assertThat(pool.heldSlots("p2")).isEqualTo(1);
    assertThat(b.fencingToken()).isGreaterThan(a.fencingToken());
    assertThat(c.fencingToken()).isGreaterThan(b.fencingToken());
    assertThat(a.playlistId()).isEqualTo("p1");
    assertThat(a.streamId()).isEqualTo("a");

    a.close();
    a.close(); // idempotent
    assertThat(a.isHeld()).isFalse();
    assertThat(b.isHeld()).isTrue();
    assertThat(pool.heldSlots("p1")).isEqualTo(1);
    b.close();
    c.close();
    assertThat(pool.heldSlots("p1")).isZero();
    assertThat(pool.toString()).isEqualTo("InProcessTunerPool{}");
    TunerSlot again = take("p1", "a");
    assertThat(again.fencingToken()).isGreaterThan(c.fencingToken()); // also after the books emptied
  }

  @Test
  void aSlotIsNeverLost() {
    TunerSlot slot = take("p1", "a");
    List<String> lost = new ArrayList<>();
    slot.onLost(lost::add);
    slot.close();
    assertThat(lost).isEmpty();
  }
}
