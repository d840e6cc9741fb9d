package io.github.buffercore.stress;

import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.Ticker;
import java.time.Duration;

/**
 * Builds the registry a scenario runs against: the real one, or one of the broken variants in
 * {@code io.github.buffercore.stress.broken}. The same scenario code drives both, so a broken variant
 * is caught by exactly the test that runs against the real registry.
 *
 * <p>The suite is a kit: {@link #REAL} is whatever {@link StressKit} was told to test (system
 * properties {@value StressKit#REGISTRY_FACTORY} and {@value StressKit#TUNER_POOL}, or a
 * {@link java.util.ServiceLoader} provider of this interface), and buffer-core's default registry
 * otherwise.
 */
@FunctionalInterface
public interface RegistryFactory {

  /** buffer-core's registry: {@link PlaylistRegistry#builder()}, no scheduler, the given ticker. */
  RegistryFactory DEFAULT = (streamGrace, idleGrace, ticker) -> StressKit.builder()
      .streamGrace(streamGrace)
      .idleGrace(idleGrace)
      .ticker(ticker)
      .manualCleanup() // scenarios run cleanup as an actor; no sweep thread per instance
      .build();

  /** The registry under test: the configured one (see {@link StressKit}), else {@link #DEFAULT}. */
  RegistryFactory REAL = StressKit.registryFactory();

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
