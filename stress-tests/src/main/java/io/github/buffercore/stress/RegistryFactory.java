package io.github.buffercore.stress;

import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.RegistryListener;
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
  RegistryFactory DEFAULT = new RegistryFactory() {
    @Override
    public PlaylistRegistry create(Duration streamGrace, Duration idleGrace, Ticker.Manual ticker) {
      return builder(streamGrace, idleGrace, ticker).build();
    }

    @Override
    public PlaylistRegistry create(Duration streamGrace, Duration idleGrace, Ticker.Manual ticker,
        RegistryListener listener) {
      return builder(streamGrace, idleGrace, ticker).listener(listener).build();
    }

    private PlaylistRegistry.Builder builder(Duration streamGrace, Duration idleGrace, Ticker ticker) {
      return StressKit.builder()
          .streamGrace(streamGrace)
          .idleGrace(idleGrace)
          .ticker(ticker)
          .manualCleanup(); // scenarios run cleanup as an actor; no sweep thread per instance
    }
  };

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

  /**
   * Builds a fresh registry that reports its events to {@code listener} (for {@code EventBalance}).
   * A factory of a registry without listener support keeps this default, and that proof then errs
   * with this exception instead of passing vacuously.
   *
   * @param streamGrace how long a stream without clients is kept
   * @param idleGrace how long a playlist without streams is kept
   * @param ticker the time source
   * @param listener receives every event of the registry
   * @return a new registry
   * @throws UnsupportedOperationException if this factory cannot attach a listener
   */
  default PlaylistRegistry create(Duration streamGrace, Duration idleGrace, Ticker.Manual ticker,
      RegistryListener listener) {
    throw new UnsupportedOperationException(getClass().getName() + " builds registries without a "
        + "listener; EventBalance needs create(streamGrace, idleGrace, ticker, listener)");
  }
}
