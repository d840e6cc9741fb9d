package io.github.buffercore.stress.scenario;

import static io.github.buffercore.stress.scenario.Scenarios.PLAYLIST;

import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Two requests for a playlist that does not exist yet: one only needs the playlist, the other
 * (the seed's {@code bufferingStream}) gets-or-creates it and then joins a client to a stream.
 *
 * <p>Result: r1 = initializer runs; r2 = distinct playlist instances seen (by the two callers and
 * in the registry afterwards); r3 = how many of those seen instances were not fully initialized
 * (the initializer's attribute missing); r4 = clients of the playlist afterwards (-1: none).
 */
public final class SingleCreationScenario {

  static final String ATTRIBUTE = "initialized-by";

  private final PlaylistRegistry registry;
  private final AtomicInteger initializerRuns = new AtomicInteger();
  private final PlaylistInitializer initializer = id -> {
    initializerRuns.incrementAndGet();
    return PlaylistSettings.withTuners(4).withAttribute(ATTRIBUTE, "initializer");
  };
  private Playlist seenByCreator;
  private Playlist seenByJoiner;

  public SingleCreationScenario(RegistryFactory factory) {
    registry = factory.create(Duration.ofSeconds(10), Duration.ofSeconds(60), Ticker.manual());
  }

  /** Actor 1: only needs the playlist. */
  public void creator() {
    seenByCreator = registry.getOrCreate(PLAYLIST, initializer);
  }

  /** Actor 2: gets or creates the playlist, then joins a client to a stream of it. */
  public void joiner() {
    seenByJoiner = registry.getOrCreate(PLAYLIST, initializer);
    registry.acquire(PLAYLIST, "channel-1");
  }

  /** Arbiter: see the class comment for r1..r4. */
  public void arbiter(IIII_Result r) {
    var snapshot = registry.snapshot();
    Playlist inRegistry = snapshot.playlist(PLAYLIST).map(p -> p.playlist()).orElse(null);
    Set<Playlist> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    seen.add(seenByCreator);
    seen.add(seenByJoiner);
    if (inRegistry != null) {
      seen.add(inRegistry);
    }
    int halfBuilt = 0;
    for (Playlist playlist : seen) {
      if (playlist == null || playlist.settings().attribute(ATTRIBUTE) == null) {
        halfBuilt++;
      }
    }
    r.r1 = initializerRuns.get();
    r.r2 = seen.size();
    r.r3 = halfBuilt;
    r.r4 = Scenarios.clientsOfPlaylist(snapshot);
  }
}
