package io.github.buffercore.stress.scenario;

import static io.github.buffercore.stress.scenario.Scenarios.PLAYLIST;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A playlist with no streams, idle for longer than its grace period (the manual ticker is advanced
 * past {@code idleGrace} in the constructor), so a cleanup would remove it; a client joins it while
 * a cleanup runs.
 *
 * <p>Result: r1 = 1 if the join succeeded, 0 if it got {@link PlaylistNotFoundException}; r2 =
 * playlists the cleanup removed; r3 = clients of the playlist afterwards (-1: no playlist); r4 = 1
 * if the joined client's lease is open.
 */
public final class JoinSurvivesCleanupScenario {

  private final PlaylistRegistry registry;
  private ClientLease lease;

  public JoinSurvivesCleanupScenario(RegistryFactory factory) {
    Ticker.Manual ticker = Ticker.manual();
    registry = factory.create(Duration.ZERO, Duration.ofSeconds(1), ticker);
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
    ticker.advance(Duration.ofSeconds(2)); // past idleGrace: the playlist is removable
  }

  /** Actor 1: a client joins. */
  public int join() {
    try {
      lease = registry.acquire(PLAYLIST, "channel-1");
      return 1;
    } catch (PlaylistNotFoundException removedFirst) {
      return 0;
    }
  }

  /** Actor 2: a cleanup pass. */
  public int cleanup() {
    return registry.cleanup().removedPlaylists().size();
  }

  /** Arbiter: r3 and r4. */
  public void arbiter(IIII_Result r) {
    r.r3 = Scenarios.clientsOfPlaylist(registry.snapshot());
    r.r4 = lease != null && lease.isOpen() ? 1 : 0;
  }
}
