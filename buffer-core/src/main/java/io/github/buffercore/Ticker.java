package io.github.buffercore;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A source of monotonic time in nanoseconds, read by the registry to decide staleness and idle grace.
 *
 * <p>Production code uses {@link #systemTicker()}; tests pass a {@link #manual()} ticker they advance
 * by hand so that cleanup decisions are deterministic. Implementations must be thread-safe and must never go backwards
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

  /**
   * Returns a ticker that moves only when {@link Manual#advance} or {@link Manual#set} is called,
   * starting at 0: for tests (and benchmarks) of grace periods and staleness that must not depend on
   * the wall clock.
   *
   * @return a new manual ticker at 0
   */
  static Manual manual() {
    return new Manual();
  }

  /**
   * A {@link Ticker} moved by hand; see {@link Ticker#manual()}. Thread-safe: any thread may move it
   * while others read it.
   */
  final class Manual implements Ticker {

    private final AtomicLong nanos = new AtomicLong();

    private Manual() {}

    @Override
    public long read() {
      return nanos.get();
    }

    /**
     * Moves the time forward.
     *
     * @param duration how far; not negative
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public void advance(Duration duration) {
      Objects.requireNonNull(duration, "duration");
      if (duration.isNegative()) {
        throw new IllegalArgumentException("a ticker never goes back; advance by " + duration);
      }
      nanos.addAndGet(duration.toNanos());
    }

    /**
     * Sets the time, also backwards, e.g. to stage clients that were last seen long ago. Going back
     * breaks the {@link Ticker} contract for a reader comparing two readings, so do it only while
     * nothing under test reads the ticker.
     *
     * @param nanos the new reading
     */
    public void set(long nanos) {
      this.nanos.set(nanos);
    }

    @Override
    public String toString() {
      return "Ticker.manual[" + nanos.get() + " ns]";
    }
  }
}
