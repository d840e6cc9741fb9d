package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A cleanup pass removes an idle playlist without a listener by a conditional remove of the state it
 * saw; if the state changed in between (here an update, run from the ticker read that follows the
 * pass's look at the playlist), the pass must still remove the playlist when the newer state is
 * removable too: the sequential outcomes are "update, then cleanup removes it" or "cleanup removes
 * it, then update fails", never "both succeeded and nothing was removed". Found by
 * {@code RegistryLinearizabilityTest} ({@code update(): 2 | cleanup(): 0}).
 */
class CleanupRacesUpdateTest {

  @Test
  void anUpdateBetweenThePassesLookAndItsRemovalDoesNotSaveAnIdlePlaylist() {
    AtomicReference<Runnable> onNextRead = new AtomicReference<>();
    Ticker ticker = () -> {
      Runnable hook = onNextRead.getAndSet(null);
      if (hook != null) {
        hook.run();
      }
      return 0L;
    };
    try (PlaylistRegistry registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup()
        .idleGrace(Duration.ZERO).build()) {
      registry.getOrCreate("p", id -> PlaylistSettings.withTuners(1));
      onNextRead.set(() -> registry.update("p", settings -> PlaylistSettings.withTuners(2)));

      CleanupReport report = registry.cleanup();

      assertThat(onNextRead.get()).as("the update ran inside the pass").isNull();
      assertThat(report.removedPlaylists()).containsExactly("p");
      assertThat(registry.find("p")).isEmpty();
    }
  }
}
