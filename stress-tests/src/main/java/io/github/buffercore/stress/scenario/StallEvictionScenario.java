package io.github.buffercore.stress.scenario;

import static io.github.buffercore.stress.scenario.Scenarios.PLAYLIST;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A stalled viewer on a 1-tuner playlist ({@code streamGrace} 0, {@code staleAfter} 30 s): its lease
 * is 31 s old when the sweep (a cleanup pass) evicts it, while its holder's final read gives up and
 * closes the lease, and a second viewer then joins the same channel and keeps streaming.
 *
 * <p>Result: r1 = how many times the stalled lease's end was told ({@code onEnded}); r2 = clients of
 * the stream afterwards (-1: no stream); r3 = tuners in use.
 */
public final class StallEvictionScenario {

  private static final String STREAM = "channel-1";

  private final PlaylistRegistry registry;
  private final ClientLease stalled;
  private final AtomicInteger endsTold = new AtomicInteger();
  private ClientLease streaming;

  public StallEvictionScenario(RegistryFactory factory) {
    Ticker.Manual ticker = Ticker.manual();
    registry = factory.create(Duration.ZERO, Duration.ofSeconds(60), ticker);
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
    stalled = registry.acquire(PLAYLIST, STREAM);
    stalled.onEnded(end -> endsTold.incrementAndGet());
    ticker.advance(Duration.ofSeconds(31)); // past staleAfter: the sweep may evict it from now on
  }

  /** Actor 1: the sweep. */
  public void sweep() {
    registry.cleanup();
  }

  /** Actor 2: the stalled viewer's final read fails, its holder closes the lease, a new viewer joins. */
  public void closeAndJoin() {
    stalled.close();
    streaming = registry.acquire(PLAYLIST, STREAM);
  }

  /** Arbiter. */
  public void arbiter(III_Result r) {
    var snapshot = registry.snapshot();
    r.r1 = endsTold.get();
    r.r2 = Scenarios.clientsOf(snapshot, STREAM);
    r.r3 = Scenarios.tunersInUse(snapshot);
    if (streaming == null || !streaming.isOpen()) {
      r.r2 = -2; // the streaming viewer lost its lease: always forbidden
    }
  }
}
