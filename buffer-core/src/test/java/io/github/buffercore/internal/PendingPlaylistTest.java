package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.CleanupReport;
import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistSettings;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pending creation's hand-off without a future until someone waits, and the cleanup report's
 * lazily made lists: both exist for {@code ChurnBenchmark}'s allocation, neither may change what a
 * caller sees.
 */
class PendingPlaylistTest {

  private static final Playlist PLAYLIST =
      new Playlist("p1", 1, PlaylistSettings.withTuners(1), Optional.empty());

  @Test
  void aWaiterBeforeTheOutcomeGetsItAndSharesTheFutureWithLaterWaiters() {
    PendingPlaylist pending = PendingPlaylist.byCurrentThread();
    CompletableFuture<Playlist> first = pending.result();
    assertThat(first).isNotDone();
    assertThat(pending.result()).isSameAs(first);

    pending.complete(PLAYLIST);

    assertThat(first.join()).isSameAs(PLAYLIST);
    assertThat(pending.result().join()).isSameAs(PLAYLIST); // after the outcome: settled at once
    assertThat(pending.creator()).isSameAs(Thread.currentThread());
  }

  @Test
  void aFailureReachesWaitersBeforeAndAfterIt() {
    PendingPlaylist pending = PendingPlaylist.byCurrentThread();
    CompletableFuture<Playlist> before = pending.result();
    IllegalStateException cause = new IllegalStateException("initializer failed");

    pending.fail(cause);

    assertThatThrownBy(before::join).isInstanceOf(CompletionException.class).hasCause(cause);
    assertThatThrownBy(() -> pending.result().join()).isInstanceOf(CompletionException.class)
        .hasCause(cause);
  }

  @Test
  void aWaiterRacingTheCreatorIsNeverLeftWaiting() throws Exception {
    for (int round = 0; round < 2_000; round++) {
      PendingPlaylist pending = PendingPlaylist.byCurrentThread();
      CountDownLatch start = new CountDownLatch(1);
      CompletableFuture<Playlist> seen = new CompletableFuture<>();
      Thread waiter = new Thread(() -> {
        try {
          start.await();
          seen.complete(pending.result().get(5, TimeUnit.SECONDS));
        } catch (Exception e) {
          seen.completeExceptionally(e);
        }
      });
      waiter.start();
      start.countDown();
      pending.complete(PLAYLIST);
      assertThat(seen.get(10, TimeUnit.SECONDS)).isSameAs(PLAYLIST);
      waiter.join();
    }
  }

  @Test
  void aPassThatRemovesNothingReportsNothingAndOneRemovalIsReportedAsOne() {
    assertThat(RegistryViews.CleanupTally.report(null)).isEqualTo(
        new CleanupReport(List.of(), List.of(), List.of()));
    assertThat(RegistryViews.CleanupTally.report(null).isEmpty()).isTrue();

    Object one = RegistryViews.CleanupTally.removed(null, "p1");
    assertThat(one).isEqualTo("p1"); // no lists for a single removal
    assertThat(RegistryViews.CleanupTally.report(one))
        .isEqualTo(new CleanupReport(List.of(), List.of(), List.of("p1")));

    Object three = RegistryViews.CleanupTally.removed(RegistryViews.CleanupTally.removed(one, "p2"), "p3");
    assertThat(three).isInstanceOf(RegistryViews.CleanupTally.class);
    assertThat(RegistryViews.CleanupTally.report(three).removedPlaylists()).containsExactly("p1", "p2", "p3");

    Step unchanged = Step.unchanged(PlaylistState.created(PLAYLIST, 0));
    assertThat(RegistryViews.CleanupTally.record(null, "p1", unchanged)).isNull();
  }
}
