package io.github.buffercore;

/**
 * Counters of one running stream's data path, read without locking for a status page; each counter is
 * exact in itself, the set is not one atomic instant. All zero for a registry without an upstream.
 *
 * @param bytesIn bytes received from the upstream
 * @param bytesOut bytes delivered to readers, summed over readers
 * @param readers readers attached now
 * @param laps times a reader was lapped by the writer (slow client detected)
 * @param skips laps handled by moving the reader forward ({@link SlowClientPolicy#SKIP})
 * @param reconnects upstream connection attempts after the first
 * @param connectionsOpened upstream connections opened in total
 */
public record StreamStats(
    long bytesIn, long bytesOut, int readers, long laps, long skips, int reconnects,
    int connectionsOpened) {

  /** All zero. */
  public static final StreamStats NONE = new StreamStats(0, 0, 0, 0, 0, 0, 0);
}
