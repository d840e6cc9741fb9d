package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InProcessTunerPoolTest {

  private final InProcessTunerPool pool = new InProcessTunerPool();

  private TunerSlot take(String playlistId, String streamId) throws InterruptedException {
    return pool.acquire(new TunerRequest(playlistId, streamId, 2, Duration.ZERO));
  }

  @Test
  void keepsTheBooksPerPlaylistWithStrictlyIncreasingTokens() throws InterruptedException {
    TunerSlot a = take("p1", "a");
    TunerSlot b = take("p1", "b");
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
  void aSlotIsNeverLost() throws InterruptedException {
    TunerSlot slot = take("p1", "a");
    List<String> lost = new ArrayList<>();
    slot.onLost(lost::add);
    slot.close();
    assertThat(lost).isEmpty();
  }

  @Test
  void aFullPlaylistRefusesNamingTheHoldersUntilAConnectionClosed() throws InterruptedException {
    TunerSlot a = take("p1", "a");
    take("p1", "b");
    assertThatThrownBy(() -> take("p1", "c"))
        .isInstanceOf(TunerLimitExceededException.class)
        .hasMessageContaining("p1").hasMessageContaining("a#").hasMessageContaining("b#");
    a.close();
    assertThat(take("p1", "c").isHeld()).isTrue();
  }

  @Test
  void aWaitingRequestGetsTheSlotOfAClosingConnection() throws Exception {
    TunerSlot a = pool.acquire(new TunerRequest("p1", "a", 1, Duration.ZERO));
    CompletableFuture<TunerSlot> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return pool.acquire(new TunerRequest("p1", "b", 1, Duration.ofMinutes(1)));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(waiting).isNotDone();
    a.close();
    assertThat(waiting.get(1, TimeUnit.MINUTES).streamId()).isEqualTo("b");
  }

  @Test
  void aLimitRaisedSinceTheRequestWasMadeCounts() throws InterruptedException {
    InProcessTunerPool raised = new InProcessTunerPool(id -> 3);
    for (String stream : List.of("a", "b", "c")) {
      raised.acquire(new TunerRequest("p1", stream, 1, Duration.ZERO));
    }
    assertThat(raised.heldSlots("p1")).isEqualTo(3);
  }
}
