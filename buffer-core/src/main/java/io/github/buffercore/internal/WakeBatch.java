package io.github.buffercore.internal;

import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * Wake-up batching of a ring's parked readers: a reader waiting for data (a pending readiness
 * callback or a thread blocked in {@code read}) is woken only once at least {@link #bytes()} are
 * readable for it, or {@link #delayNanos()} have passed since it last received data, or the stream
 * ended, or the reader was closed. A reader that never received anything is woken by its first byte.
 *
 * <p>Why: a live upstream arrives in small pieces (a TCP segment or a 20 ms slice, about 1 KB at
 * 400 kbit/s), and waking every parked viewer on every piece costs each viewer one task hop and one
 * write syscall per piece. Batching turns that into a few larger writes per viewer-second, the way a
 * dedicated streaming server writes; the price is up to {@code delay} of added latency, which a
 * player's own buffer absorbs. Whole-packet reads, laps and the stall sweep are unchanged: a reader
 * parked for its batch is waiting on the writer, not stalled.
 *
 * <p>The writer checks the due condition after each publication; a periodic flush (every half delay,
 * on the registry's timer thread) wakes readers whose delay passed while the writer published
 * nothing. Immutable and thread-safe.
 *
 * @param bytes wake once this many bytes are readable; at least 2 (1 would be no batching)
 * @param delayNanos wake once this long passed since the reader's last delivery; positive
 * @param ticker the clock of {@code delayNanos}
 */
public record WakeBatch(int bytes, long delayNanos, Ticker ticker) {

  /** A reader's {@code lastDelivery} before its first delivery: its first byte wakes it at once. */
  static final long NEVER = Long.MIN_VALUE;

  /**
   * Checks the batching.
   *
   * @throws IllegalArgumentException if {@code bytes < 2} or the delay is not positive
   */
  public WakeBatch {
    Objects.requireNonNull(ticker, "ticker");
    if (bytes < 2 || delayNanos <= 0) {
      throw new IllegalArgumentException("wake batching needs at least 2 bytes and a positive delay: " + bytes
          + " bytes, " + delayNanos + " ns");
    }
  }

  /**
   * The batching a registry asks for, or {@code null} when it is off ({@code bytes <= 1} or a zero
   * delay: every publication wakes every parked reader).
   *
   * @param bytes readable bytes that wake a reader at once
   * @param delay the longest wait after a reader's last delivery
   * @param ticker the clock of the delay
   * @return the batching, or {@code null} for none
   */
  public static WakeBatch of(int bytes, Duration delay, Ticker ticker) {
    if (bytes <= 1 || delay.isZero()) {
      return null;
    }
    // Saturate rather than overflow (about 292 years): a batch delay that long is just "never".
    long nanos = delay.compareTo(Duration.ofDays(100_000)) > 0 ? Long.MAX_VALUE : delay.toNanos();
    return new WakeBatch(bytes, nanos, ticker);
  }

  long now() {
    return ticker.read();
  }

  /** Whether a reader with {@code pending} readable bytes and the given last delivery is due now. */
  boolean due(long pending, long lastDelivery, long now) {
    return pending >= bytes || lastDelivery == NEVER || now - lastDelivery >= delayNanos;
  }

  /** The period of the flush that catches delays which passed without a publication. */
  long flushPeriodNanos() {
    return Math.max(1_000_000L, delayNanos / 2);
  }
}
