package io.github.buffercore.internal;

import io.github.buffercore.SlowClientException;
import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.UpstreamException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-writer, many-reader broadcast ring buffer of one stream: the upstream writer publishes
 * bytes once, and any number of {@link StreamReader}s copy them out at their own pace. The ring holds
 * one copy of the data; the writer never waits for readers, and a reader that falls more than the
 * capacity behind is <em>lapped</em> and handled by the stream's {@link SlowClientPolicy}.
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>Positions are absolute byte offsets since the start of the stream ({@code long}, never wrap).
 *       The byte at position {@code p} lives at {@code buffer[p & mask]}.
 *   <li>{@code tail <= tailIntent} at all times; both only grow, and only the writer thread stores
 *       them. Between writes they are equal. {@code tailIntent} is stored (and made visible before any
 *       byte of the write) before the bytes are copied in, {@code tail} after.
 *   <li>Bytes {@code [max(0, tailIntent - capacity), tail)} are valid. A copy of {@code [pos, x)} that
 *       started after observing {@code tail >= x} is valid iff, re-reading {@code tailIntent} after the
 *       copy, {@code tailIntent - capacity <= pos} (the seqlock / Agrona {@code BroadcastReceiver}
 *       validation). Otherwise the reader was lapped and the copied bytes are discarded.
 *   <li>A reader's position is {@code <= tail} except transiently right after a skip during a write
 *       longer than the capacity; it only grows. Only the reader's consumer changes it.
 *   <li>In MPEG-TS mode every write is a whole number of 188-byte packets, so {@code tail} is always a
 *       multiple of 188, and readers start and skip only to multiples of 188: a reader never starts in
 *       the middle of a packet.
 *   <li>The terminal state (completed or failed) is stored after the last {@code tail}; a reader that
 *       sees it and then re-reads {@code tail} sees every byte that was ever published.
 *   <li>Wakeups: a waiting reader registers (thread or callback) and increments a counter, then
 *       re-reads {@code tail}; the writer stores {@code tail} and then reads the counter. All four are
 *       sequentially consistent (volatile) accesses, so at least one side sees the other: no lost
 *       wakeup. When the counters are zero a write costs no more than two volatile reads for wakeups.
 * </ul>
 *
 * <p>Writer methods ({@link #write}, {@link #complete}, {@link #fail}) must be called from one thread
 * at a time (the stream's writer thread). {@link #newReader()} and all getters are safe from any
 * thread. Tiny capacities (for example 16 or 64 bytes) are allowed, so that stress tests can race a
 * writer and a reader over many laps.
 */
public final class BroadcastRing {

  /** The capacity callers use unless configured otherwise: 4 MiB. */
  public static final int DEFAULT_CAPACITY = 4 * 1024 * 1024;

  /** The largest capacity: 1 GiB, the largest power of two an array can have. */
  public static final int MAX_CAPACITY = 1 << 30;

  private static final Logger LOG = LoggerFactory.getLogger(BroadcastRing.class);

  /** The value of {@link #terminal} after {@link #complete()}. */
  private static final Object COMPLETED = new Object();

  private static final VarHandle TAIL;
  private static final VarHandle TAIL_INTENT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAIL = lookup.findVarHandle(BroadcastRing.class, "tail", long.class);
      TAIL_INTENT = lookup.findVarHandle(BroadcastRing.class, "tailIntent", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String playlistId;
  private final String streamId;
  private final byte[] buffer;
  private final int capacity;
  private final int mask;
  private final SlowClientPolicy policy;
  private final int startBehind;
  private final boolean mpegTs;

  /** Position after the last completed write. Accessed through {@link #TAIL} only. */
  @SuppressWarnings("unused")
  private long tail;

  /** Position after the write in progress (equals {@link #tail} between writes). Via {@link #TAIL_INTENT}. */
  @SuppressWarnings("unused")
  private long tailIntent;

  /** {@code null} while live; {@link #COMPLETED} or the {@link UpstreamException} once terminal. */
  private volatile Object terminal;

  /** Current readers; copy-on-write under {@link #readersLock}, iterated lock-free by the writer. */
  private volatile Reader[] readers = new Reader[0];

  private final Object readersLock = new Object();

  /** Readers parked in {@link Reader#read}; the writer unparks only when this is non-zero. */
  private final AtomicInteger waitingReaders = new AtomicInteger();

  /** Upper bound of pending readiness callbacks; the writer looks for them only when non-zero. */
  private final AtomicInteger armedCallbacks = new AtomicInteger();

  private final LongAdder bytesDelivered = new LongAdder();
  private final LongAdder laps = new LongAdder();
  private final LongAdder skips = new LongAdder();

  /**
   * Creates the ring of one stream.
   *
   * @param playlistId the playlist of the stream, for logs and exceptions
   * @param streamId the stream, for logs and exceptions
   * @param capacityBytes the capacity in bytes, rounded up to a power of two; between 1 and {@link
   *     #MAX_CAPACITY} (callers normally use {@link #DEFAULT_CAPACITY})
   * @param policy what to do with a lapped reader
   * @param startBehindBytes how far behind the live edge a new (or skipping) reader starts; 0 means at
   *     the live edge; at most the (rounded) capacity. Values close to the capacity make a new reader
   *     likely to be lapped quickly.
   * @param mpegTs whether the stream is MPEG-TS: writes must then be whole 188-byte packets, and
   *     readers start and skip only to packet boundaries
   * @throws IllegalArgumentException if a size is out of range
   */
  public BroadcastRing(String playlistId, String streamId, int capacityBytes, SlowClientPolicy policy,
      int startBehindBytes, boolean mpegTs) {
    this.playlistId = Objects.requireNonNull(playlistId, "playlistId");
    this.streamId = Objects.requireNonNull(streamId, "streamId");
    this.policy = Objects.requireNonNull(policy, "policy");
    if (capacityBytes < 1 || capacityBytes > MAX_CAPACITY) {
      throw new IllegalArgumentException("capacity of stream '" + streamId + "' in playlist '" + playlistId
          + "' must be between 1 and " + MAX_CAPACITY + " bytes: " + capacityBytes);
    }
    this.capacity = capacityBytes == 1 ? 1 : Integer.highestOneBit(capacityBytes - 1) << 1;
    this.mask = capacity - 1;
    if (startBehindBytes < 0 || startBehindBytes > capacity) {
      throw new IllegalArgumentException("start-behind of stream '" + streamId + "' in playlist '" + playlistId
          + "' must be between 0 and the capacity " + capacity + ": " + startBehindBytes);
    }
    this.startBehind = startBehindBytes;
    this.mpegTs = mpegTs;
    this.buffer = new byte[capacity];
  }

  // ---------------------------------------------------------------------------------------------
  // Writer side (one thread)
  // ---------------------------------------------------------------------------------------------

  /**
   * Publishes {@code len} bytes to all readers. Writer thread only; never blocks on readers and does
   * not allocate. A write longer than the capacity advances the stream by {@code len} but stores only
   * its last {@code capacity} bytes (the earlier ones would be overwritten by the same write anyway);
   * readers then see the earlier bytes as lost.
   *
   * @param src the bytes
   * @param off the first index in {@code src}
   * @param len the number of bytes; in MPEG-TS mode a multiple of 188
   * @throws IllegalStateException if the stream already completed or failed
   * @throws IllegalArgumentException in MPEG-TS mode if {@code len} is not a whole number of packets
   * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code src}
   */
  public void write(byte[] src, int off, int len) {
    Objects.checkFromIndexSize(off, len, src.length);
    if (terminal != null) {
      throw new IllegalStateException("write to stream '" + streamId + "' in playlist '" + playlistId
          + "' after it " + (terminal == COMPLETED ? "completed" : "failed"));
    }
    if (mpegTs && len % TsPacketAligner.PACKET_SIZE != 0) {
      throw new IllegalArgumentException("MPEG-TS write to stream '" + streamId + "' in playlist '"
          + playlistId + "' is not a whole number of 188-byte packets: " + len + " bytes");
    }
    if (len == 0) {
      return;
    }
    // Plain read: this thread is the only one that ever stores tail.
    final long oldTail = (long) TAIL.get(this);
    final long newTail = oldTail + len;

    // Announce the overwrite before touching any byte. setRelease keeps the previous write's bytes
    // ordered before it; the StoreStore fence keeps the bytes below from being stored before it. A
    // reader that sees any of the new bytes therefore also sees this intent in its validation load.
    TAIL_INTENT.setRelease(this, newTail);
    VarHandle.storeStoreFence();

    int copyOff = off;
    int copyLen = len;
    long copyPos = oldTail;
    if (len > capacity) {
      copyOff = off + len - capacity;
      copyLen = capacity;
      copyPos = newTail - capacity;
    }
    final int index = (int) (copyPos & mask);
    final int first = Math.min(copyLen, capacity - index);
    System.arraycopy(src, copyOff, buffer, index, first);
    if (copyLen > first) {
      System.arraycopy(src, copyOff + first, buffer, 0, copyLen - first);
    }

    // Volatile (not just release) store: release alone would publish the bytes to readers that
    // acquire-load tail, but the waiter check below needs StoreLoad ordering against the readers'
    // "register, then re-read tail" (Dekker), which only sequentially consistent accesses give.
    TAIL.setVolatile(this, newTail);
    if (waitingReaders.get() > 0 || armedCallbacks.get() > 0) {
      wakeReaders(false);
    }
  }

  /**
   * Ends the stream normally: readers get the remaining data and then {@code -1}. Writer thread only;
   * idempotent (a later {@code complete} or {@link #fail} is ignored).
   */
  public void complete() {
    if (terminate(COMPLETED)) {
      LOG.debug("Stream '{}' of playlist '{}' completed after {} bytes", streamId, playlistId, bytesWritten());
    }
  }

  /**
   * Ends the stream with a failure: readers get the remaining data and then {@code failure}. Writer
   * thread only; ignored if the stream already completed or failed.
   *
   * @param failure the failure every reader will see
   */
  public void fail(UpstreamException failure) {
    Objects.requireNonNull(failure, "failure");
    if (terminate(failure)) {
      LOG.debug("Stream '{}' of playlist '{}' failed after {} bytes: {}", streamId, playlistId, bytesWritten(),
          failure.getMessage());
    }
  }

  private boolean terminate(Object state) {
    if (terminal != null) {
      LOG.debug("Stream '{}' of playlist '{}' is already terminal; ignoring a second end", streamId, playlistId);
      return false;
    }
    // Volatile store after the last tail store: seeing it implies seeing the final tail.
    terminal = state;
    // Wake every reader regardless of the counters: an end must never be missed.
    wakeReaders(true);
    return true;
  }

  /** Unparks waiting readers and runs readiness callbacks of readable readers (writer thread). */
  private void wakeReaders(boolean all) {
    final long currentTail = (long) TAIL.getVolatile(this);
    final boolean ended = terminal != null;
    for (Reader reader : readers) {
      Thread waiter = reader.waiter;
      if (waiter != null) {
        LockSupport.unpark(waiter);
      }
      if (reader.callback.get() != null && (all || ended || reader.closed || reader.position < currentTail)) {
        reader.fireCallback();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reader side
  // ---------------------------------------------------------------------------------------------

  /**
   * Creates a reader starting at {@code max(live - startBehind, oldest still-valid byte)}, rounded up
   * to a packet boundary in MPEG-TS mode. Safe from any thread; any number of readers may exist.
   *
   * @return the new reader
   */
  public StreamReader newReader() {
    Reader reader = new Reader(startPosition());
    synchronized (readersLock) {
      Reader[] current = readers;
      Reader[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = reader;
      readers = next;
    }
    LOG.debug("Reader joined stream '{}' of playlist '{}' at position {} ({} readers)", streamId, playlistId,
        reader.position, readerCount());
    return reader;
  }

  /** Where a new or skipping reader starts, computed from the current tail. */
  private long startPosition() {
    // Acquire: tail first, then the intent, so intent >= tail for the values we read.
    final long currentTail = (long) TAIL.getAcquire(this);
    final long intent = (long) TAIL_INTENT.getAcquire(this);
    long start = Math.max(Math.max(currentTail - startBehind, intent - capacity), 0);
    if (mpegTs) {
      // Round up to a packet boundary; tail and intent are multiples of 188, so this stays <= intent.
      long packet = TsPacketAligner.PACKET_SIZE;
      start = (start + packet - 1) / packet * packet;
    }
    return start;
  }

  private void removeReader(Reader reader) {
    synchronized (readersLock) {
      Reader[] current = readers;
      for (int i = 0; i < current.length; i++) {
        if (current[i] == reader) {
          Reader[] next = new Reader[current.length - 1];
          System.arraycopy(current, 0, next, 0, i);
          System.arraycopy(current, i + 1, next, i, current.length - i - 1);
          readers = next;
          return;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Status getters (any thread)
  // ---------------------------------------------------------------------------------------------

  /**
   * Returns the playlist id.
   *
   * @return the playlist id
   */
  public String playlistId() {
    return playlistId;
  }

  /**
   * Returns the stream id.
   *
   * @return the stream id
   */
  public String streamId() {
    return streamId;
  }

  /**
   * Returns the capacity in bytes (a power of two).
   *
   * @return the capacity
   */
  public int capacity() {
    return capacity;
  }

  /**
   * Returns the total number of bytes written so far, which is also the live-edge position.
   *
   * @return the bytes written
   */
  public long bytesWritten() {
    return (long) TAIL.getAcquire(this);
  }

  /**
   * Returns the total number of bytes delivered to all readers (each reader's copy counts).
   *
   * @return the bytes delivered
   */
  public long bytesDelivered() {
    return bytesDelivered.sum();
  }

  /**
   * Returns how many times readers were lapped, under either policy.
   *
   * @return the number of laps
   */
  public long laps() {
    return laps.sum();
  }

  /**
   * Returns how many laps were handled by skipping forward ({@link SlowClientPolicy#SKIP}).
   *
   * @return the number of skips
   */
  public long skips() {
    return skips.sum();
  }

  /**
   * Returns the number of open readers.
   *
   * @return the reader count
   */
  public int readerCount() {
    return readers.length;
  }

  /**
   * Returns the number of readers currently blocked in {@link StreamReader#read}; for tests and status.
   *
   * @return the number of waiting readers
   */
  public int waitingReaderCount() {
    return waitingReaders.get();
  }

  /**
   * Returns whether the stream completed or failed.
   *
   * @return {@code true} once terminal
   */
  public boolean isTerminal() {
    return terminal != null;
  }

  @Override
  public String toString() {
    return "BroadcastRing[playlist=" + playlistId + ", stream=" + streamId + ", capacity=" + capacity
        + ", written=" + bytesWritten() + ", readers=" + readerCount() + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // The reader
  // ---------------------------------------------------------------------------------------------

  /** Result of {@link Reader#tryCopy} when the copied bytes were (possibly) overwritten. */
  private static final int LAPPED = Integer.MIN_VALUE;

  private final class Reader implements StreamReader {

    /** Next position to read. Written only by the consumer; volatile so the writer and status see it. */
    private volatile long position;

    private volatile long bytesRead;
    private volatile long readerSkips;
    private volatile boolean closed;

    /** Set when closed by a DISCONNECT lap; rethrown by later calls. */
    private volatile SlowClientException slowClientFailure;

    /** The thread parked in {@link #read}, or {@code null}. Set before counting as waiting. */
    private volatile Thread waiter;

    /** The pending readiness callback, or {@code null}; claimed with getAndSet so it runs once. */
    private final AtomicReference<Runnable> callback = new AtomicReference<>();

    Reader(long start) {
      this.position = start;
    }

    @Override
    public int read(byte[] dst, int off, int len, Duration timeout) throws InterruptedException {
      Objects.requireNonNull(timeout, "timeout");
      long timeoutNanos = saturatedNanos(timeout);
      final long startNanos = System.nanoTime();
      while (true) {
        int n = poll(dst, off, len);
        if (n != 0 || len == 0) {
          return n;
        }
        long remaining = timeoutNanos - (System.nanoTime() - startNanos);
        if (remaining <= 0) {
          return 0;
        }
        awaitReadable(startNanos, timeoutNanos);
      }
    }

    /** Parks until readable, closed, interrupted or the deadline passes. */
    private void awaitReadable(long startNanos, long timeoutNanos) throws InterruptedException {
      // Register first (volatile store, then volatile increment), then re-check the tail with a
      // volatile load: pairs with the writer's volatile tail store followed by its counter load.
      waiter = Thread.currentThread();
      waitingReaders.incrementAndGet();
      try {
        while (!readableNow()) {
          long remaining = timeoutNanos - (System.nanoTime() - startNanos);
          if (remaining <= 0) {
            return;
          }
          LockSupport.parkNanos(BroadcastRing.this, remaining);
          if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while reading stream '" + streamId + "' of playlist '"
                + playlistId + "'");
          }
        }
      } finally {
        waiter = null;
        waitingReaders.decrementAndGet();
      }
    }

    /** Whether a poll would return something other than 0; uses a volatile tail load (Dekker). */
    private boolean readableNow() {
      return closed || terminal != null || (long) TAIL.getVolatile(BroadcastRing.this) > position;
    }

    @Override
    public int poll(byte[] dst, int off, int len) {
      Objects.checkFromIndexSize(off, len, dst.length);
      ensureOpen();
      if (len == 0) {
        return 0;
      }
      while (true) {
        final long pos = position;
        // Acquire: every byte below the observed tail was stored before the writer's tail store.
        final long available = (long) TAIL.getAcquire(BroadcastRing.this);
        if (available > pos) {
          int n = tryCopy(pos, available, dst, off, len);
          if (n != LAPPED) {
            position = pos + n;
            bytesRead += n; // single writer (the consumer): the volatile read-modify-write is not racy
            bytesDelivered.add(n);
            return n;
          }
          handleLap(pos);
          continue;
        }
        final Object end = terminal;
        if (end == null) {
          return 0;
        }
        // The terminal state was stored after the final tail: re-read it to drain what is left.
        if ((long) TAIL.getAcquire(BroadcastRing.this) > pos) {
          continue;
        }
        if (end instanceof UpstreamException) {
          throw (UpstreamException) end;
        }
        return -1;
      }
    }

    /**
     * Copies {@code [pos, min(available, pos + len))} into {@code dst} and validates the copy.
     *
     * @return the number of bytes copied, or {@link #LAPPED} if they may have been overwritten
     */
    private int tryCopy(long pos, long available, byte[] dst, int off, int len) {
      // Early check: if a write already announced it overwrites pos, do not bother copying.
      if ((long) TAIL_INTENT.getAcquire(BroadcastRing.this) - capacity > pos) {
        return LAPPED;
      }
      final int n = (int) Math.min(available - pos, len);
      final int index = (int) (pos & mask);
      final int first = Math.min(n, capacity - index);
      System.arraycopy(buffer, index, dst, off, first);
      if (n > first) {
        System.arraycopy(buffer, 0, dst, off + first, n - first);
      }
      // LoadLoad fence: the byte loads above may not be reordered after the intent load below (the
      // StampedLock.validate pattern). If any byte we loaded came from a newer write, that write's
      // intent store (ordered before its bytes by the writer's StoreStore fence) is visible here.
      VarHandle.loadLoadFence();
      final long intent = (long) TAIL_INTENT.getAcquire(BroadcastRing.this);
      // Positions below intent - capacity may have been overwritten; our lowest position is pos.
      return intent - capacity > pos ? LAPPED : n;
    }

    private void handleLap(long pos) {
      laps.increment();
      final long lost = (long) TAIL_INTENT.getAcquire(BroadcastRing.this) - capacity - pos;
      if (policy == SlowClientPolicy.DISCONNECT) {
        SlowClientException failure = new SlowClientException(playlistId, streamId, lost);
        LOG.info("Reader of stream '{}' in playlist '{}' lapped at position {} and lost {} bytes; disconnecting",
            streamId, playlistId, pos, lost);
        slowClientFailure = failure;
        close();
        throw failure;
      }
      final long next = Math.max(startPosition(), pos);
      position = next;
      readerSkips += 1; // single writer (the consumer)
      skips.increment();
      if (LOG.isDebugEnabled()) { // a lap can happen on every read of a slow client: no varargs or boxing then
        LOG.debug("Reader of stream '{}' in playlist '{}' lapped at position {} (about {} bytes lost); skipped to {}",
            streamId, playlistId, pos, lost, next);
      }
    }

    private void ensureOpen() {
      if (closed) {
        SlowClientException failure = slowClientFailure;
        if (failure != null) {
          throw failure;
        }
        throw new IllegalStateException("reader of stream '" + streamId + "' in playlist '" + playlistId
            + "' is closed");
      }
    }

    @Override
    public void onReadable(Runnable action) {
      Objects.requireNonNull(action, "callback");
      // Count first, then set: the counter is always >= the number of pending callbacks, so the
      // writer can never skip a pending one because of a transiently low counter.
      armedCallbacks.incrementAndGet();
      if (!callback.compareAndSet(null, action)) {
        armedCallbacks.decrementAndGet();
        throw new IllegalStateException("a readiness callback is already pending on a reader of stream '"
            + streamId + "' in playlist '" + playlistId + "'");
      }
      // Re-check after registering (volatile loads), pairing with the writer's tail store + counter load.
      if (readableNow()) {
        fireCallback();
      }
    }

    /** Runs the pending callback if this thread wins the claim; logs and swallows its failure. */
    void fireCallback() {
      Runnable action = callback.getAndSet(null);
      if (action == null) {
        return;
      }
      armedCallbacks.decrementAndGet();
      try {
        action.run();
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable t) {
        LOG.warn("Readiness callback of a reader of stream '{}' in playlist '{}' threw; ignoring it",
            streamId, playlistId, t);
      }
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public long bytesRead() {
      return bytesRead;
    }

    @Override
    public long skips() {
      return readerSkips;
    }

    @Override
    public boolean isClosed() {
      return closed;
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      removeReader(this);
      Thread parked = waiter;
      if (parked != null) {
        LockSupport.unpark(parked);
      }
      fireCallback();
      LOG.debug("Reader of stream '{}' in playlist '{}' closed at position {} after {} bytes", streamId,
          playlistId, position, bytesRead);
    }

    @Override
    public String playlistId() {
      return playlistId;
    }

    @Override
    public String streamId() {
      return streamId;
    }

    @Override
    public String toString() {
      return "StreamReader[playlist=" + playlistId + ", stream=" + streamId + ", position=" + position
          + ", closed=" + closed + "]";
    }
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
