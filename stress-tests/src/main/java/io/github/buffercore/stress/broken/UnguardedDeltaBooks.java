package io.github.buffercore.stress.broken;

import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSnapshot;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.StreamStats;
import io.github.buffercore.stress.scenario.ExactDeltasScenario;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code BufferCoreMetrics.refresh} without its monitor: a concurrent map of the stats last seen per
 * stream generation, read, then replaced, then the difference added, in three separate steps. Each step
 * is thread-safe on its own, which is why this looks right; two refreshes that read the same "last
 * seen" both add the same delta.
 */
public final class UnguardedDeltaBooks implements ExactDeltasScenario.Books {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Map<String, StreamStats> lastSeen = new ConcurrentHashMap<>();

  @Override
  public void monitor(PlaylistRegistry registry) {
    for (PlaylistSnapshot playlist : registry.snapshot().playlists()) {
      for (StreamSnapshot stream : playlist.streams()) {
        String key = playlist.id() + "/" + stream.streamId() + "/" + stream.generation();
        StreamStats before = lastSeen.getOrDefault(key, StreamStats.NONE);
        RaceWindow.widen();
        lastSeen.put(key, stream.stats());
        long delta = stream.stats().bytesIn() - before.bytesIn();
        if (delta > 0) {
          Counter.builder("buffercore.received").tag("playlist", playlist.id()).register(meters)
              .increment(delta);
        }
      }
    }
  }

  @Override
  public SimpleMeterRegistry meters() {
    return meters;
  }
}
