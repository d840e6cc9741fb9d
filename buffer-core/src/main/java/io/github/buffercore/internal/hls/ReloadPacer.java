package io.github.buffercore.internal.hls;

/**
 * When to reload a live media playlist, and when it is stale (RFC 8216 section 6.3.4): after a load
 * that found the playlist new or changed, wait the target duration, measured from when that load
 * began; after a load that found it unchanged, wait half the target duration. A playlist unchanged
 * for longer than {@code staleFactor} target durations is stale: the server stopped adding segments.
 *
 * <p>Pure logic on nanosecond timestamps the caller supplies (so tests drive it with a manual clock).
 * Not thread-safe: used by the one thread that reads an HLS connection.
 */
public final class ReloadPacer {

  private final double staleFactor;
  private boolean loaded;
  private long targetNanos;
  private long lastLoadStart;
  private long lastChange;
  private boolean lastChanged;

  /**
   * Creates a pacer.
   *
   * @param staleFactor how many target durations an unchanged playlist is tolerated; at least 1
   * @throws IllegalArgumentException if {@code staleFactor} is less than 1 or not finite
   */
  public ReloadPacer(double staleFactor) {
    if (!(staleFactor >= 1) || Double.isInfinite(staleFactor)) {
      throw new IllegalArgumentException("staleFactor must be a finite number of at least 1, got: "
          + staleFactor);
    }
    this.staleFactor = staleFactor;
  }

  /**
   * Records a load of the playlist.
   *
   * @param startNanos when the load began
   * @param changed whether the playlist differed from the previous load (the first load counts as
   *     changed)
   * @param targetDurationSeconds the playlist's {@code EXT-X-TARGETDURATION}
   */
  public void loaded(long startNanos, boolean changed, int targetDurationSeconds) {
    targetNanos = targetDurationSeconds * 1_000_000_000L;
    lastLoadStart = startNanos;
    lastChanged = changed || !loaded;
    if (lastChanged) {
      lastChange = startNanos;
    }
    loaded = true;
  }

  /**
   * Returns when the next reload may begin: the last load's start plus the target duration if it
   * changed, plus half of it if not.
   *
   * @return a nanosecond timestamp on the caller's clock
   * @throws IllegalStateException before the first {@link #loaded}
   */
  public long nextReloadAt() {
    if (!loaded) {
      throw new IllegalStateException("no playlist loaded yet");
    }
    return lastLoadStart + (lastChanged ? targetNanos : targetNanos / 2);
  }

  /**
   * Returns whether a reload is due at {@code nowNanos}.
   *
   * @param nowNanos the current time
   * @return {@code true} if {@code nowNanos} is at or after {@link #nextReloadAt()}
   */
  public boolean due(long nowNanos) {
    return nowNanos - nextReloadAt() >= 0;
  }

  /**
   * Returns whether the playlist is stale: the last load that found it changed began more than
   * {@code staleFactor} target durations before the last load.
   *
   * @return {@code true} if stale
   */
  public boolean stale() {
    return loaded && lastLoadStart - lastChange > (long) (staleFactor * targetNanos);
  }

  /**
   * Returns how long the playlist had been unchanged at the last load.
   *
   * @return nanoseconds, 0 if the last load changed it
   */
  public long unchangedNanos() {
    return lastLoadStart - lastChange;
  }
}
