package io.github.buffercore.bench.baseline;

import io.github.buffercore.CleanupReport;
import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import java.util.function.UnaryOperator;

/** {@code impl=buffercore}: a pass-through adapter over the real {@link PlaylistRegistry}. */
final class BufferCoreRegistry implements RegistryUnderTest {

  private final PlaylistRegistry registry;

  BufferCoreRegistry(UnderTestConfig config) {
    this.registry = PlaylistRegistry.builder()
        .staleAfter(config.staleAfter())
        .streamGrace(config.streamGrace())
        .idleGrace(config.idleGrace())
        .ticker(config.ticker())
        .manualCleanup() // the benchmarks run cleanup themselves, like the baselines
        .build();
  }

  @Override
  public Object getOrCreate(String playlistId, PlaylistInitializer initializer) {
    return registry.getOrCreate(playlistId, initializer);
  }

  @Override
  public ClientLease acquire(String playlistId, String streamId) {
    return registry.acquire(playlistId, streamId);
  }

  @Override
  public Object update(String playlistId, UnaryOperator<PlaylistSettings> fn) {
    return registry.update(playlistId, fn);
  }

  @Override
  public int cleanup() {
    CleanupReport report = registry.cleanup();
    return report.evictedClients().size() + report.stoppedStreams().size()
        + report.removedPlaylists().size();
  }

  @Override
  public void close() {
    registry.close();
  }
}
