package io.github.buffercore;

import java.time.Duration;
import java.util.Objects;

/**
 * How often, and how patiently, the upstream of a stream is (re)opened before the stream fails.
 *
 * <p>A stream has a primary URL and an ordered list of backup URLs. A <em>round</em> tries each URL
 * in turn, starting with the URL that last worked (the primary at start), then the ones after it,
 * wrapping around; each URL gets up to {@link #maxAttempts()} attempts, with a backoff of
 * {@link #backoffBefore(int)} before every attempt but the first. Switching to the next URL happens
 * without a wait. When a round fails (no attempt delivered a byte), the stream fails. When a
 * connection that delivered data later drops or ends, a new round starts at that URL after
 * {@link #initialBackoff()}.
 *
 * <p>Immutable and thread-safe. Build one with {@link #builder()}, or use {@link #defaults()} or
 * {@link #none()}.
 */
public final class ReconnectPolicy {

  private static final ReconnectPolicy DEFAULTS = builder().build();
  private static final ReconnectPolicy NONE =
      builder().maxAttempts(1).initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;

  private ReconnectPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
  }

  /**
   * Returns the default policy: 3 attempts per URL, backoff 500 ms doubling up to 5 s.
   *
   * @return the default policy
   */
  public static ReconnectPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a policy without retries: each URL is tried once per round, without waiting; a stream
   * without backup URLs fails as soon as its first attempt fails.
   *
   * @return the policy without retries
   */
  public static ReconnectPolicy none() {
    return NONE;
  }

  /**
   * Returns a builder preset to the {@linkplain #defaults() defaults}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns how many attempts each URL gets per round.
   *
   * @return at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Returns the backoff before the second attempt at a URL, and before reconnecting after a working
   * connection dropped.
   *
   * @return a non-negative duration
   */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /**
   * Returns the upper bound of every backoff.
   *
   * @return a duration not less than {@link #initialBackoff()}
   */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * Returns the factor by which the backoff grows after each failed attempt at the same URL.
   *
   * @return at least 1.0
   */
  public double multiplier() {
    return multiplier;
  }

  /**
   * Returns how long to wait before attempt number {@code attempt} at one URL: zero for the first,
   * {@code initialBackoff * multiplier^(attempt - 2)} capped at {@link #maxBackoff()} after that.
   *
   * @param attempt the attempt number, starting at 1
   * @return the backoff, never negative
   * @throws IllegalArgumentException if {@code attempt} is less than 1
   */
  public Duration backoffBefore(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, got: " + attempt);
    }
    if (attempt == 1) {
      return Duration.ZERO;
    }
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, attempt - 2);
    long cap = maxBackoff.toNanos();
    return nanos >= cap ? maxBackoff : Duration.ofNanos((long) nanos);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ReconnectPolicy)) {
      return false;
    }
    ReconnectPolicy p = (ReconnectPolicy) o;
    return maxAttempts == p.maxAttempts && Double.compare(multiplier, p.multiplier) == 0
        && initialBackoff.equals(p.initialBackoff) && maxBackoff.equals(p.maxBackoff);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxAttempts, initialBackoff, maxBackoff, multiplier);
  }

  @Override
  public String toString() {
    return "ReconnectPolicy[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff
        + ", maxBackoff=" + maxBackoff + ", multiplier=" + multiplier + "]";
  }

  /**
   * Builds a {@link ReconnectPolicy}. Every setter validates its argument at once and throws
   * {@link IllegalArgumentException} naming the rejected value. Not thread-safe.
   */
  public static final class Builder {

    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private double multiplier = 2.0;

    private Builder() {}

    /**
     * Sets how many attempts each URL gets per round (default 3).
     *
     * @param maxAttempts at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code maxAttempts} is less than 1
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the first backoff (default 500 ms).
     *
     * @param initialBackoff a non-negative duration
     * @return this builder
     * @throws IllegalArgumentException if {@code initialBackoff} is {@code null} or negative
     */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = nonNegative("initialBackoff", initialBackoff);
      return this;
    }

    /**
     * Sets the upper bound of every backoff (default 5 s).
     *
     * @param maxBackoff a non-negative duration
     * @return this builder
     * @throws IllegalArgumentException if {@code maxBackoff} is {@code null} or negative
     */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = nonNegative("maxBackoff", maxBackoff);
      return this;
    }

    /**
     * Sets the factor by which the backoff grows per failed attempt (default 2.0).
     *
     * @param multiplier a finite number, at least 1.0
     * @return this builder
     * @throws IllegalArgumentException if {@code multiplier} is less than 1.0 or not finite
     */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException(
            "multiplier must be a finite number of at least 1.0, got: " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws IllegalArgumentException if {@code maxBackoff} is less than {@code initialBackoff}
     */
    public ReconnectPolicy build() {
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("maxBackoff (" + maxBackoff
            + ") must not be less than initialBackoff (" + initialBackoff + ")");
      }
      return new ReconnectPolicy(this);
    }

    private static Duration nonNegative(String name, Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be a non-negative duration, got: " + d);
      }
      return d;
    }
  }
}
