package io.github.buffercore.bench.baseline;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistSettings;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The slice of the registry API the benchmarks exercise, so one {@code @Param("impl")} picks the real
 * {@link io.github.buffercore.PlaylistRegistry} or a baseline in the same run (the way Caffeine's
 * {@code ComputeBenchmark} compares map implementations).
 *
 * <p>Every implementation models the same state: playlists with settings (a tuner limit), streams
 * with clients, clients with a last-touched time, and the same cleanup rules (evict clients stale
 * after {@code staleAfter}, stop streams idle for {@code streamGrace}, remove playlists idle for
 * {@code idleGrace}). They differ only in how they make it concurrent.
 */
public interface RegistryUnderTest extends AutoCloseable {

  /** The implementations, in the order the reports list them; the first is the one under test. */
  List<String> IMPLS = List.of("buffercore", "seed", "synchronized", "chm");

  /**
   * Returns the playlist with this id, creating it with {@code initializer} if there is none.
   *
   * @return the implementation's playlist object (for a Blackhole)
   */
  Object getOrCreate(String playlistId, PlaylistInitializer initializer);

  /** Joins a client to a stream of an existing playlist, starting the stream if needed. */
  ClientLease acquire(String playlistId, String streamId);

  /** Replaces the settings of an existing playlist with {@code fn} applied to the current ones. */
  Object update(String playlistId, UnaryOperator<PlaylistSettings> fn);

  /**
   * One cleanup pass.
   *
   * @return evicted clients + stopped streams + removed playlists, so benchmarks can check that
   *     every implementation did the same work
   */
  int cleanup();

  @Override
  void close();

  /**
   * Creates an implementation by its {@code impl} parameter value.
   *
   * @param impl one of {@link #IMPLS}
   * @param config timings and ticker, applied identically to every implementation
   * @return a new, empty registry
   */
  static RegistryUnderTest create(String impl, UnderTestConfig config) {
    return switch (impl) {
      case "buffercore" -> new BufferCoreRegistry(config);
      case "seed" -> new SeedPatternRegistry(config);
      case "synchronized" -> new SynchronizedRegistry(config);
      case "chm" -> new ChmRegistry(config);
      default -> throw new IllegalArgumentException("unknown impl '" + impl + "', expected one of " + IMPLS);
    };
  }
}
