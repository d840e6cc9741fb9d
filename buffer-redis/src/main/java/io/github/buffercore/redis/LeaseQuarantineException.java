package io.github.buffercore.redis;

import java.time.Duration;
import java.time.Instant;

/**
 * Why a {@link RedisTunerPool} refuses new slots right after Redis lost its data (a restart without
 * persistence, a flush, a failover to an empty replica) or on the first use of a new Redis: leases
 * granted before may still be in use by their holders for up to one lease TTL, and Redis no longer
 * knows about them. It is the cause of the {@link io.github.buffercore.TunerPoolUnavailableException}
 * that {@link RedisTunerPool#acquire} throws when the request cannot wait that long.
 */
public final class LeaseQuarantineException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** When Redis lost its leases (the marker key was found missing), for the accessor and the serialized form. */
  private final Instant epoch;
  /** How long the quarantine still lasts, for the accessor and the serialized form. */
  private final Duration remaining;

  /**
   * Creates the exception.
   *
   * @param redis the Redis server, as {@code host:port}
   * @param epoch when (server time) the server's lease data began
   * @param remaining how long new slots stay refused
   */
  public LeaseQuarantineException(String redis, Instant epoch, Duration remaining) {
    super("Redis " + redis + " holds tuner leases only since " + epoch
        + " (its data is new or was lost); leases granted before that may still be in use, so no new"
        + " lease is granted for another " + remaining.toMillis() + " ms");
    this.epoch = epoch;
    this.remaining = remaining;
  }

  /**
   * Returns when, by the Redis server's clock, its current lease data began.
   *
   * @return the data epoch
   */
  public Instant epoch() {
    return epoch;
  }

  /**
   * Returns how long, from the refusal, new slots stay refused.
   *
   * @return the remaining quarantine
   */
  public Duration remaining() {
    return remaining;
  }
}
