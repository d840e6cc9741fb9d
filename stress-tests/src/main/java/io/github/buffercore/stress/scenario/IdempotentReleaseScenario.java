package io.github.buffercore.stress.scenario;

import static io.github.buffercore.stress.scenario.Scenarios.PLAYLIST;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * One client on a stream (one tuner, {@code streamGrace} 10 s so the idle stream stays); its lease is
 * closed by two threads at once, and one of those threads then joins a new client to the same
 * stream.
 *
 * <p>Result: r1 = clients of the stream afterwards (-1: no stream); r2 = tuners in use; r3 = 1 if
 * the second client's lease is open.
 */
public final class IdempotentReleaseScenario {

  private static final String STREAM = "channel-1";

  private final PlaylistRegistry registry;
  private final ClientLease first;
  private ClientLease second;

  public IdempotentReleaseScenario(RegistryFactory factory) {
    registry = factory.create(Duration.ofSeconds(10), Duration.ofSeconds(60), Ticker.manual());
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
    first = registry.acquire(PLAYLIST, STREAM);
  }

  /** Actor 1: closes the first client's lease. */
  public void closeFirst() {
    first.close();
  }

  /** Actor 2: closes the same lease again, then a second client joins. */
  public void closeFirstAndJoin() {
    first.close();
    second = registry.acquire(PLAYLIST, STREAM);
  }

  /** Arbiter. */
  public void arbiter(III_Result r) {
    var snapshot = registry.snapshot();
    r.r1 = Scenarios.clientsOf(snapshot, STREAM);
    r.r2 = Scenarios.tunersInUse(snapshot);
    r.r3 = second != null && second.isOpen() ? 1 : 0;
  }
}
