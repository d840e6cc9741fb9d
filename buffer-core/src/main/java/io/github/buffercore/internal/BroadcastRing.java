package io.github.buffercore.internal;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.UpstreamException;
import java.lang.invoke.VarHandle;
import java.util.Objects;
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
public final class BroadcastRing extends RingMemory implements ChunkSink {

  /** The capacity callers use unless configured otherwise: 4 MiB. */
  public static final int DEFAULT_CAPACITY = 4 * 1024 * 1024;

  /** The largest capacity: 1 GiB, the largest power of two an array can have. */
  public static final int MAX_CAPACITY = RingMemory.MAX_CAPACITY;

  private static final Logger LOG = LoggerFactory.getLogger(BroadcastRingLogger.NAME);

  /**
   * Current readers; replaced under {@link #readersLock} (a join appends into the array the previous
   * list shares, a leave copies: {@link PrefixSharingList}), iterated lock-free by the writer.
   */
  private volatile PrefixSharingList<RingReader> readers = PrefixSharingList.empty();

  private final Object readersLock = new Object();

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
    super(playlistId, streamId, capacityBytes, policy, startBehindBytes, mpegTs);
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
  @Override
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
  @Override
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
  @Override
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

  /**
   * Unparks waiting readers and runs readiness callbacks of readable readers (writer thread, or the
   * flush timer: a callback is claimed atomically, so it runs once). Under wake batching only readers
   * whose batch is due are woken.
   */
  private void wakeReaders(boolean all) {
    final long currentTail = (long) TAIL.getVolatile(this);
    final boolean ended = terminal != null;
    final WakeBatch batch = all || ended ? null : wakeBatch;
    final long now = batch == null ? 0 : batch.now();
    final PrefixSharingList<RingReader> current = readers;
    for (int i = 0, n = current.size(); i < n; i++) {
      final RingReader reader = current.get(i);
      final boolean wake = all || ended || reader.closed || reader.position < currentTail
          && (batch == null || batch.due(currentTail - reader.position, reader.lastDelivery, now));
      Thread waiter = reader.waiter;
      if (waiter != null && (wake || batch == null)) {
        LockSupport.unpark(waiter);
      }
      if (wake && reader.callback.get() != null) {
        reader.fireCallback();
      }
    }
  }

  /**
   * Wakes the parked readers whose batch delay passed while the writer published nothing (see {@link
   * WakeBatch}); any thread, typically the registry's timer every half delay. Cheap when nobody waits.
   */
  void flushDueWakeups() {
    if (wakeBatch != null && (waitingReaders.get() > 0 || armedCallbacks.get() > 0)) {
      wakeReaders(false);
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
    return register(new RingReader(this, startPosition(), this::removeReader));
  }

  /**
   * Creates a reader at the oldest intact byte (a packet boundary in MPEG-TS mode): the fallback of an
   * {@code oldest} join on a stream without random access points. Safe from any thread.
   *
   * @return the new reader
   */
  public StreamReader newOldestReader() {
    return register(new RingReader(this, oldestPosition(), this::removeReader));
  }

  /**
   * Creates a reader that first receives {@code prefix} (a keyframe join's PAT and PMT) and then the
   * ring's bytes from {@code position} on. If {@code position} is no longer intact when the reader is
   * created, it starts where {@link #newReader()} would, without the prefix (the prefix belongs to
   * the lost point); if it is overwritten after that check, the reader's first read finds it lapped and
   * the stream's {@link SlowClientPolicy} applies, as for any lapped reader. Safe from any thread.
   *
   * @param position where the reader starts: at most the live edge, a packet boundary in MPEG-TS mode
   * @param prefix bytes sent before the first ring byte, or {@code null}; not copied, never modified
   * @return the new reader
   * @throws IllegalArgumentException if {@code position} is negative, beyond the live edge, or (in
   *     MPEG-TS mode) not a multiple of 188
   */
  public StreamReader newReaderAt(long position, byte[] prefix) {
    final long live = bytesWritten();
    if (position < 0 || position > live || (mpegTs && position % TsPacketAligner.PACKET_SIZE != 0)) {
      throw new IllegalArgumentException("reader start " + position + " of stream '" + streamId + "' in playlist '"
          + playlistId + "' is not a " + (mpegTs ? "packet boundary " : "position ") + "between 0 and " + live);
    }
    if ((long) TAIL_INTENT.getAcquire(this) - capacity > position) {
      LOG.debug("Join point {} of stream '{}' in playlist '{}' was overwritten before the reader started; "
          + "starting at the default position", position, streamId, playlistId);
      return newReader();
    }
    return register(new RingReader(this, position, prefix, this::removeReader));
  }

  private StreamReader register(RingReader reader) {
    synchronized (readersLock) {
      // Volatile store after the append's slot store: the writer's next read of readers sees both.
      readers = readers.append(reader);
    }
    LOG.debug("Reader joined stream '{}' of playlist '{}' at position {} ({} readers)", streamId, playlistId,
        reader.position, readerCount());
    return reader;
  }

  private void removeReader(RingReader reader) {
    synchronized (readersLock) {
      readers = readers.without(reader);
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
    return readers.size();
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

}
