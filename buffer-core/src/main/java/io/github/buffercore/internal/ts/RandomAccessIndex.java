package io.github.buffercore.internal.ts;

/**
 * A bounded index of a stream's random access points: (absolute stream position, media time, PSI
 * continuity, PAT/PMT packets in force) entries in a preallocated ring, oldest first. The writer adds
 * entries in stream order and tells the index how far the byte ring's intact data reaches ({@link
 * #dropBefore}); joining readers ask for a starting point. When the index is full, adding drops the
 * oldest entry.
 *
 * <p>Media time is the analyser's PCR clock ({@link TsAnalyser#mediaTimeNanos()}); for a stream without
 * PCR entries carry {@link #NO_TIME} and distances behind live are converted to bytes with the bitrate
 * observed on the writer's clock ({@link #observe}): bytes over wall time across a window of about
 * {@link #BITRATE_WINDOW_SAMPLES} samples taken at least {@link #BITRATE_SAMPLE_NANOS} apart.
 *
 * <h2>Thread-safety</h2>
 * One writer thread calls {@link #add}, {@link #dropBefore}, {@link #live} and {@link #observe}; any
 * thread may query. Every method holds the index's monitor for a few array reads or writes (no I/O, no
 * callbacks, no allocation), so a query sees the entries of one moment: never an entry that a
 * {@link #dropBefore} has already removed, and never the position of one entry with the time of
 * another. Queries fill a caller-owned {@link Point} so that they allocate nothing either. A point
 * returned is only a candidate: the byte ring is the authority on whether its bytes are still intact
 * when the reader starts copying (a reader that loses that race is handled as a lapped reader).
 */
public final class RandomAccessIndex {

  /** The time of an entry when the stream has no PCR. */
  public static final long NO_TIME = Long.MIN_VALUE;

  /** The default number of entries: at one point per second, 17 minutes. */
  public static final int DEFAULT_CAPACITY = 1024;

  /** The bitrate is measured over this many samples. */
  static final int BITRATE_WINDOW_SAMPLES = 32;

  /** Samples are taken at least this far apart (250 ms): a window of about 8 s. */
  static final long BITRATE_SAMPLE_NANOS = 250_000_000L;

  /** A query result: filled in by the query methods, owned by the caller. */
  public static final class Point {
    private long position = -1;
    private long timeNanos = NO_TIME;
    private int psiContinuity;
    private byte[] header;

    /**
     * Returns the stream position of the packet that starts the random access point.
     *
     * @return the position, or -1 if the last query found none
     */
    public long position() {
      return position;
    }

    /**
     * Returns the media time at the point, or {@link #NO_TIME}.
     *
     * @return the time in nanoseconds
     */
    public long timeNanos() {
      return timeNanos;
    }

    /**
     * Returns the packed PAT/PMT continuity counters at the point, for {@link
     * TsAnalyser#headerWithContinuity}.
     *
     * @return the packed counters
     */
    public int psiContinuity() {
      return psiContinuity;
    }

    /**
     * Returns the PAT and PMT packets in force at the point, as added (see {@link
     * TsAnalyser.RandomAccessListener}); send {@link TsAnalyser#headerWithContinuity} of them first.
     *
     * @return the header packets, never modified; {@code null} if the last query found none
     */
    public byte[] header() {
      return header;
    }

    @Override
    public String toString() {
      return "Point[position=" + position + ", timeNanos=" + timeNanos + "]";
    }
  }

  private final long[] positions;
  private final long[] times;
  private final int[] continuities;
  private final byte[][] headers;
  private final int capacity;
  private long head; // index of the oldest entry, counting since creation
  private long tail; // index after the newest entry

  private long livePosition = -1;
  private long liveTime = NO_TIME;

  private final long[] samplePositions = new long[BITRATE_WINDOW_SAMPLES];
  private final long[] sampleNanos = new long[BITRATE_WINDOW_SAMPLES];
  private long samples;

  /**
   * Creates an index.
   *
   * @param capacity the number of entries kept, at least 1 ({@link #DEFAULT_CAPACITY} normally)
   * @throws IllegalArgumentException if {@code capacity} is less than 1
   */
  public RandomAccessIndex(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("random access index capacity must be at least 1, got: " + capacity);
    }
    this.capacity = capacity;
    this.positions = new long[capacity];
    this.times = new long[capacity];
    this.continuities = new int[capacity];
    this.headers = new byte[capacity][];
  }

  // ---------------------------------------------------------------------------------------------
  // Writer side
  // ---------------------------------------------------------------------------------------------

  /**
   * Adds the newest random access point; drops the oldest entry when full.
   *
   * @param position its stream position, greater than every position added before
   * @param timeNanos its media time, or {@link #NO_TIME}
   * @param psiContinuity packed PAT/PMT continuity counters
   * @param header the PAT and PMT packets in force at the point (kept by reference, never modified)
   * @throws IllegalArgumentException if {@code position} is negative or not after the newest entry
   */
  public synchronized void add(long position, long timeNanos, int psiContinuity, byte[] header) {
    if (position < 0 || (tail > head && position <= positions[slot(tail - 1)])) {
      throw new IllegalArgumentException("random access point at position " + position
          + " is not after the newest entry " + (tail > head ? positions[slot(tail - 1)] : -1));
    }
    if (tail - head == capacity) {
      head++; // the slot is overwritten below
    }
    int s = slot(tail);
    positions[s] = position;
    times[s] = timeNanos;
    continuities[s] = psiContinuity;
    headers[s] = header;
    tail++;
  }

  /**
   * Drops every entry before {@code oldestIntact}, the oldest position whose bytes the byte ring still
   * holds, so that no query returns a point whose data was overwritten.
   *
   * @param oldestIntact the oldest intact stream position
   */
  public synchronized void dropBefore(long oldestIntact) {
    while (head < tail && positions[slot(head)] < oldestIntact) {
      headers[slot(head)] = null; // let a replaced table's packets be collected
      head++;
    }
  }

  /**
   * Records the live edge: the stream position after the newest byte written and its media time.
   *
   * @param position the live position
   * @param timeNanos the media time there, or {@link #NO_TIME}
   */
  public synchronized void live(long position, long timeNanos) {
    livePosition = position;
    liveTime = timeNanos;
  }

  /**
   * Records that the stream reached {@code position} at {@code wallNanos} on the writer's clock (a
   * {@code Ticker}); used for the bitrate when the stream has no PCR. Cheap to call on every write.
   *
   * @param position the stream position
   * @param wallNanos the writer's monotonic clock
   */
  public synchronized void observe(long position, long wallNanos) {
    if (samples > 0 && wallNanos - sampleNanos[(int) ((samples - 1) % BITRATE_WINDOW_SAMPLES)] < BITRATE_SAMPLE_NANOS) {
      return;
    }
    int s = (int) (samples % BITRATE_WINDOW_SAMPLES);
    samplePositions[s] = position;
    sampleNanos[s] = wallNanos;
    samples++;
  }

  // ---------------------------------------------------------------------------------------------
  // Queries (any thread)
  // ---------------------------------------------------------------------------------------------

  /**
   * Finds the newest random access point.
   *
   * @param out filled with the point
   * @return whether there is one
   */
  public synchronized boolean newest(Point out) {
    return fill(tail - 1, out);
  }

  /**
   * Finds the newest random access point at least {@code distanceNanos} of media time behind live. If
   * none is that far behind, the oldest one. Media time comes from the entries when they and the live
   * edge have times; otherwise the distance is converted to bytes with the observed bitrate, and when
   * that is not known yet either, the oldest point is returned.
   *
   * @param distanceNanos how far behind live; zero or more
   * @param out filled with the point
   * @return whether there is one
   */
  public synchronized boolean behind(long distanceNanos, Point out) {
    if (tail == head) {
      return fill(-1, out);
    }
    long newestTime = times[slot(tail - 1)];
    if (liveTime != NO_TIME && newestTime != NO_TIME) {
      long limit = liveTime - distanceNanos;
      for (long i = tail - 1; i >= head; i--) {
        long t = times[slot(i)];
        if (t != NO_TIME && t <= limit) {
          return fill(i, out);
        }
      }
      return fill(head, out);
    }
    double bytesPerNano = bytesPerNano();
    if (bytesPerNano <= 0 || livePosition < 0) {
      return fill(head, out);
    }
    long limit = livePosition - (long) (distanceNanos * bytesPerNano);
    for (long i = tail - 1; i >= head; i--) {
      if (positions[slot(i)] <= limit) {
        return fill(i, out);
      }
    }
    return fill(head, out);
  }

  /**
   * Finds the oldest random access point at or after {@code position}.
   *
   * @param position the stream position
   * @param out filled with the point
   * @return whether there is one
   */
  public synchronized boolean oldestAtOrAfter(long position, Point out) {
    for (long i = head; i < tail; i++) {
      if (positions[slot(i)] >= position) {
        return fill(i, out);
      }
    }
    return fill(-1, out);
  }

  /**
   * Returns the number of entries.
   *
   * @return the count
   */
  public synchronized int size() {
    return (int) (tail - head);
  }

  /**
   * Returns the observed bitrate in bytes per second, or 0 while unknown.
   *
   * @return bytes per second
   */
  public synchronized double bytesPerSecond() {
    return bytesPerNano() * 1e9;
  }

  private double bytesPerNano() {
    if (samples < 2) {
      return 0;
    }
    int newest = (int) ((samples - 1) % BITRATE_WINDOW_SAMPLES);
    int oldest = (int) (samples > BITRATE_WINDOW_SAMPLES ? samples % BITRATE_WINDOW_SAMPLES : 0);
    long nanos = sampleNanos[newest] - sampleNanos[oldest];
    return nanos <= 0 ? 0 : (double) (samplePositions[newest] - samplePositions[oldest]) / nanos;
  }

  private boolean fill(long index, Point out) {
    if (index < head || index >= tail) {
      out.position = -1;
      out.timeNanos = NO_TIME;
      out.psiContinuity = 0;
      out.header = null;
      return false;
    }
    int s = slot(index);
    out.position = positions[s];
    out.timeNanos = times[s];
    out.psiContinuity = continuities[s];
    out.header = headers[s];
    return true;
  }

  private int slot(long index) {
    return (int) (index % capacity);
  }
}
