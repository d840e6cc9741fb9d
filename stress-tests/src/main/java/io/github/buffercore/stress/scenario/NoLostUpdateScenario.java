package io.github.buffercore.stress.scenario;

import static io.github.buffercore.stress.scenario.Scenarios.PLAYLIST;

import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two concurrent {@code update}s of one playlist (tuner limit 1), each raising the tuner limit by 1.
 *
 * <p>Result: r1, r2 = tuner limit each update returned; r3 = tuner limit afterwards.
 */
public final class NoLostUpdateScenario {

  private final PlaylistRegistry registry;

  public NoLostUpdateScenario(RegistryFactory factory) {
    registry = factory.create(Duration.ofSeconds(10), Duration.ofSeconds(60), Ticker.manual());
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
  }

  /** One update: tunerLimit + 1. */
  public int addTuner() {
    return registry.update(PLAYLIST, s -> s.withTunerLimit(s.tunerLimit() + 1)).tunerLimit();
  }

  /** Arbiter: the final tuner limit. */
  public void arbiter(III_Result r) {
    r.r3 = registry.find(PLAYLIST).orElseThrow().tunerLimit();
  }
}
