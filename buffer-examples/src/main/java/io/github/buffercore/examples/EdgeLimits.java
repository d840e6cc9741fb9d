package io.github.buffercore.examples;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits every {@link HttpStack} enforces at its edge, so that a slow or hostile client cannot
 * hold a connection, a thread or a tuner for long.
 *
 * @param headerTimeout a connection must deliver a complete request head within this time of being
 *     opened or of its previous response ending (the JDK stack: of its first byte); otherwise it is
 *     closed without an answer. Stops clients that trickle their headers.
 * @param idleWriteTimeout a response whose socket accepts no bytes for this long while there is data
 *     to send is aborted and its lease closed at once. A stream waiting for upstream data is not idle.
 * @param backlog the accept queue of the listening socket (the OS may cap it, e.g. at
 *     {@code net.core.somaxconn})
 * @param blockingThreads the most requests a thread-per-request stack (the JDK one) serves at once;
 *     further accepted connections wait for a thread. Non-blocking stacks serve every connection on
 *     their fixed event-loop threads and have no such bound.
 * @param sendBuffer the kernel send buffer of each client socket, in bytes. The ring buffer is the
 *     proxy's buffer; an OS-autotuned send buffer (up to 4 MiB on Linux) would take a viewer that
 *     stopped reading many seconds to fill before its socket "accepts nothing", delaying the idle write
 *     timeout by as much. Applied where the stack exposes it (Jetty, Netty); the JDK server offers no
 *     socket options and says so in its log at start.
 */
public record EdgeLimits(Duration headerTimeout, Duration idleWriteTimeout, int backlog, int blockingThreads,
    int sendBuffer) {

  /** Default {@link #headerTimeout()}: 10 seconds. */
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  /** Default {@link #idleWriteTimeout()}: 30 seconds. */
  public static final Duration DEFAULT_IDLE_WRITE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Default {@link #backlog()}: 4,096, so that thousands of viewers joining at once (a channel
   * announced to everybody) queue in the kernel instead of overflowing it into SYN retries of 1, 3, 7 s.
   */
  public static final int DEFAULT_BACKLOG = 4096;
  /** The smallest {@link #backlog()} allowed: 1,024. */
  public static final int MIN_BACKLOG = 1024;
  /** Default {@link #blockingThreads()}: 4,096. */
  public static final int DEFAULT_BLOCKING_THREADS = 4096;
  /** Default {@link #sendBuffer()}: 256 KiB, half a second of a 4 Mbit/s channel. */
  public static final int DEFAULT_SEND_BUFFER = 256 * 1024;

  /**
   * Checks the limits.
   *
   * @throws IllegalArgumentException if a timeout is not positive, the backlog is below 1,024,
   *     there are no blocking threads or the send buffer is below 4 KiB
   */
  public EdgeLimits {
    positive("headerTimeout", headerTimeout);
    positive("idleWriteTimeout", idleWriteTimeout);
    if (backlog < MIN_BACKLOG) {
      throw new IllegalArgumentException("backlog must be at least " + MIN_BACKLOG + " but was " + backlog);
    }
    if (blockingThreads < 1) {
      throw new IllegalArgumentException("blockingThreads must be at least 1 but was " + blockingThreads);
    }
    if (sendBuffer < 4096) {
      throw new IllegalArgumentException("sendBuffer must be at least 4096 bytes but was " + sendBuffer);
    }
  }

  /**
   * The defaults: header timeout 10 s, idle write timeout 30 s, backlog 4,096, 4,096 blocking threads,
   * 256 KiB send buffers.
   *
   * @return the default limits
   */
  public static EdgeLimits defaults() {
    return new EdgeLimits(DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_WRITE_TIMEOUT, DEFAULT_BACKLOG,
        DEFAULT_BLOCKING_THREADS, DEFAULT_SEND_BUFFER);
  }

  /**
   * These limits with another header timeout.
   *
   * @param timeout a positive duration
   * @return the new limits
   */
  public EdgeLimits withHeaderTimeout(Duration timeout) {
    return new EdgeLimits(timeout, idleWriteTimeout, backlog, blockingThreads, sendBuffer);
  }

  /**
   * These limits with another idle write timeout.
   *
   * @param timeout a positive duration
   * @return the new limits
   */
  public EdgeLimits withIdleWriteTimeout(Duration timeout) {
    return new EdgeLimits(headerTimeout, timeout, backlog, blockingThreads, sendBuffer);
  }

  /**
   * These limits with another backlog.
   *
   * @param backlog at least 1,024
   * @return the new limits
   */
  public EdgeLimits withBacklog(int backlog) {
    return new EdgeLimits(headerTimeout, idleWriteTimeout, backlog, blockingThreads, sendBuffer);
  }

  /**
   * These limits with another bound on blocking threads.
   *
   * @param threads at least 1
   * @return the new limits
   */
  public EdgeLimits withBlockingThreads(int threads) {
    return new EdgeLimits(headerTimeout, idleWriteTimeout, backlog, threads, sendBuffer);
  }

  /**
   * These limits with another send buffer size.
   *
   * @param bytes at least 4 KiB
   * @return the new limits
   */
  public EdgeLimits withSendBuffer(int bytes) {
    return new EdgeLimits(headerTimeout, idleWriteTimeout, backlog, blockingThreads, bytes);
  }

  /**
   * How often a watchdog checks these limits: a quarter of the shorter timeout, between 50 ms and 1 s,
   * so a limit is enforced at most about a quarter late.
   *
   * @return the check interval
   */
  public Duration checkInterval() {
    long shorter = Math.min(headerTimeout.toMillis(), idleWriteTimeout.toMillis());
    return Duration.ofMillis(Math.max(50, Math.min(1000, shorter / 4)));
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive but was " + value);
    }
  }
}
