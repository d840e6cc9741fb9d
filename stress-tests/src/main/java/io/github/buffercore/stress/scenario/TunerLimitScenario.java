package io.github.buffercore.stress.scenario;

import static io.github.buffercore.stress.scenario.Scenarios.PLAYLIST;

import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A playlist with two tuners, one held by a stream with a client: two clients start two different
 * new streams at once, racing for the last tuner.
 *
 * <p>Result: r1, r2 = 1 if that client's stream started, 0 if it got
 * {@link TunerLimitExceededException}; r3 = tuners in use afterwards.
 */
public final class TunerLimitScenario {

  private final PlaylistRegistry registry;

  public TunerLimitScenario(RegistryFactory factory) {
    registry = factory.create(Duration.ofSeconds(10), Duration.ofSeconds(60), Ticker.manual());
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(2));
    registry.acquire(PLAYLIST, "channel-0");
  }

  /**
   * A client starts a stream.
   *
   * @param streamId the new stream
   * @return 1 if it started, 0 if refused
   */
  public int start(String streamId) {
    try {
      registry.acquire(PLAYLIST, streamId);
      return 1;
    } catch (TunerLimitExceededException refused) {
      return 0;
    }
  }

  /** Arbiter: tuners in use. */
  public void arbiter(III_Result r) {
    r.r3 = Scenarios.tunersInUse(registry.snapshot());
  }
}
