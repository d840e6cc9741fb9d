package io.github.buffercore.stress;

import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.Ticker;
import java.time.Duration;

/**
 * Builds the registry a scenario runs against: the real one, or one of the broken variants in
 * {@code io.github.buffercore.stress.broken}. The same scenario code drives both, so a broken variant
 * is caught by exactly the test that runs against the real registry.
 */
@FunctionalInterface
public interface RegistryFactory {

  /** The real registry: {@link PlaylistRegistry#builder()}, no scheduler, the given ticker. */
  RegistryFactory REAL = (streamGrace, idleGrace, ticker) -> PlaylistRegistry.builder()
      .streamGrace(streamGrace)
      .idleGrace(idleGrace)
      .ticker(ticker)
      .build();

  /**
   * Builds a fresh registry.
   *
   * @param streamGrace how long a stream without clients is kept
   * @param idleGrace how long a playlist without streams is kept
   * @param ticker the time source
   * @return a new registry
   */
  PlaylistRegistry create(Duration streamGrace, Duration idleGrace, Ticker.Manual ticker);
}
