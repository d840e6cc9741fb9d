package io.github.buffercore.stress.scenario;

import static io.github.buffercore.stress.scenario.Scenarios.PLAYLIST;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.Ticker;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A stream with exactly one client, {@code streamGrace} 0 (the stream stops with its last client),
 * one tuner: the client leaves while a second client joins the same stream.
 *
 * <p>Result: r1 = clients of the stream afterwards (-1: no stream); r2 = 1 if the stream is still
 * the original generation, 0 if it was started again, -1 if there is no stream; r3 = 1 if the
 * joiner's {@code acquire} returned a lease, 0 if it was refused.
 */
public final class LastLeaveVersusJoinScenario {

  private static final String STREAM = "channel-1";

  private final PlaylistRegistry registry;
  private final ClientLease leaving;
  private final long originalGeneration;

  public LastLeaveVersusJoinScenario(RegistryFactory factory) {
    registry = factory.create(Duration.ZERO, Duration.ofSeconds(60), Ticker.manual());
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
    leaving = registry.acquire(PLAYLIST, STREAM);
    originalGeneration = Scenarios.stream(registry.snapshot(), STREAM).orElseThrow().generation();
  }

  /** Actor 1: the last client leaves. */
  public void leave() {
    leaving.close();
  }

  /** Actor 2: a new client joins the same stream. */
  public int join() {
    try {
      registry.acquire(PLAYLIST, STREAM);
      return 1;
    } catch (TunerLimitExceededException refused) {
      return 0;
    }
  }

  /** Arbiter: r1 and r2. */
  public void arbiter(III_Result r) {
    StreamSnapshot stream = Scenarios.stream(registry.snapshot(), STREAM).orElse(null);
    r.r1 = stream == null ? -1 : stream.clients();
    r.r2 = stream == null ? -1 : stream.generation() == originalGeneration ? 1 : 0;
  }
}
