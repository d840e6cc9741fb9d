package io.github.buffercore;

/**
 * A source of monotonic time in nanoseconds, read by the registry to decide staleness and idle grace.
 *
 * <p>Production code uses {@link #systemTicker()}; tests pass a ticker they advance by hand so that
 * cleanup decisions are deterministic. Implementations must be thread-safe and must never go backwards
 * for a single reader.
 */
@FunctionalInterface
public interface Ticker {

  /**
   * Returns the current time of this ticker in nanoseconds. Only differences between two readings are
   * meaningful.
   *
   * @return the current time in nanoseconds
   */
  long read();

  /**
   * Returns a ticker backed by {@link System#nanoTime()}.
   *
   * @return the system ticker
   */
  static Ticker systemTicker() {
    return System::nanoTime;
  }
}
