package io.github.buffercore.bench.baseline;

import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * Timings and time source given identically to every {@link RegistryUnderTest}.
 *
 * @param staleAfter clients not touched for this long are evicted by cleanup
 * @param streamGrace streams without clients are stopped after this long (zero: with their last client)
 * @param idleGrace playlists without streams are removed by cleanup after this long
 * @param ticker the time source
 */
public record UnderTestConfig(Duration staleAfter, Duration streamGrace, Duration idleGrace, Ticker ticker) {

  public UnderTestConfig {
    Objects.requireNonNull(staleAfter, "staleAfter");
    Objects.requireNonNull(streamGrace, "streamGrace");
    Objects.requireNonNull(idleGrace, "idleGrace");
    Objects.requireNonNull(ticker, "ticker");
  }

  /** The registry's own defaults (30 s / 10 s / 60 s) on the system ticker. */
  public static UnderTestConfig defaults() {
    return new UnderTestConfig(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(60),
        Ticker.systemTicker());
  }

  public UnderTestConfig withGraces(Duration stream, Duration idle) {
    return new UnderTestConfig(staleAfter, stream, idle, ticker);
  }

  public UnderTestConfig withTicker(Ticker newTicker) {
    return new UnderTestConfig(staleAfter, streamGrace, idleGrace, newTicker);
  }
}
