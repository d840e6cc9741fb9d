package io.github.buffercore.internal;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.UpstreamException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

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
 * <p>This class is the memory both sides share, as Agrona's {@code BroadcastTransmitter} and
 * {@code BroadcastReceiver} share one buffer: {@link BroadcastRing} is the writer side (and the list of
 * readers), {@link RingReader} the reader side. Tiny capacities (for example 16 or 64 bytes) are
 * allowed, so that stress tests can race a writer and a reader over many laps.
 */
abstract class RingMemory {

  /** The largest capacity: 1 GiB, the largest power of two an array can have. */
  static final int MAX_CAPACITY = 1 << 30;

  /** The value of {@link #terminal} after the writer completed the stream. */
  static final Object COMPLETED = new Object();

  /** A packet's worth of MPEG-TS stuffing (0xFF): what finishes a packet a skip tore. Never written. */
  static final byte[] STUFFING = stuffing();

  static final VarHandle TAIL;
  static final VarHandle TAIL_INTENT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAIL = lookup.findVarHandle(RingMemory.class, "tail", long.class);
      TAIL_INTENT = lookup.findVarHandle(RingMemory.class, "tailIntent", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final String playlistId;
  final String streamId;
  final byte[] buffer;
  final int capacity;
  final int mask;
  final SlowClientPolicy policy;
  final int startBehind;
  final boolean mpegTs;

  /** Position after the last completed write. Accessed through {@link #TAIL} only. */
  @SuppressWarnings("unused")
  long tail;

  /** Position after the write in progress (equals {@link #tail} between writes). Via {@link #TAIL_INTENT}. */
  @SuppressWarnings("unused")
  long tailIntent;

  /** {@code null} while live; {@link #COMPLETED} or the {@link UpstreamException} once terminal. */
  volatile Object terminal;

  /** Readers parked in {@link RingReader#read}; the writer unparks only when this is non-zero. */
  final AtomicInteger waitingReaders = new AtomicInteger();

  /** Upper bound of pending readiness callbacks; the writer looks for them only when non-zero. */
  final AtomicInteger armedCallbacks = new AtomicInteger();

  /**
   * Wake-up batching of parked readers, or {@code null} to wake them on every publication. Set once,
   * before the ring is published to any reader or writer thread (see {@link #batchWakeups}).
   */
  volatile WakeBatch wakeBatch;

  final LongAdder bytesDelivered = new LongAdder();
  final LongAdder laps = new LongAdder();
  final LongAdder skips = new LongAdder();

  /**
   * Allocates the ring.
   *
   * @param playlistId the playlist of the stream, for logs and exceptions
   * @param streamId the stream, for logs and exceptions
   * @param capacityBytes the capacity in bytes, rounded up to a power of two; between 1 and {@link
   *     #MAX_CAPACITY}
   * @param policy what to do with a lapped reader
   * @param startBehindBytes how far behind the live edge a new (or skipping) reader starts; 0 means at
   *     the live edge; at most the (rounded) capacity. Values close to the capacity make a new reader
   *     likely to be lapped quickly.
   * @param mpegTs whether the stream is MPEG-TS: writes must then be whole 188-byte packets, and
   *     readers start and skip only to packet boundaries
   * @throws IllegalArgumentException if a size is out of range
   */
  RingMemory(String playlistId, String streamId, int capacityBytes, SlowClientPolicy policy,
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

  /**
   * Turns on wake-up batching (see {@link WakeBatch}); called once, right after construction and
   * before any reader exists.
   *
   * @param batch the batching, or {@code null} for none
   */
  public final void batchWakeups(WakeBatch batch) {
    this.wakeBatch = batch;
  }

  /** Whether a reader at {@code position} that last received data at {@code lastDelivery} is due. */
  final boolean wakeDue(long position, long lastDelivery, long tail) {
    final WakeBatch batch = wakeBatch;
    return tail > position && (batch == null || batch.due(tail - position, lastDelivery, batch.now()));
  }

  /**
   * Copies {@code n} bytes from ring index {@code index}, wrapping at the end, into a reader's target:
   * {@code dst} at {@code off}, or, when {@code dst} is null, {@code buf} at index {@code off} (its
   * position untouched). Plain loads: the reader validates them against the intent afterwards.
   */
  final void copyOut(int index, int n, byte[] dst, ByteBuffer buf, int off) {
    final int first = Math.min(n, capacity - index);
    copyTo(buffer, index, dst, buf, off, first);
    if (n > first) {
      copyTo(buffer, 0, dst, buf, off + first, n - first);
    }
  }

  /**
   * Copies {@code src[from, from + n)} to {@code dst} at {@code off}, or, when {@code dst} is null, to
   * {@code buf} at index {@code off} (its position untouched).
   */
  static void copyTo(byte[] src, int from, byte[] dst, ByteBuffer buf, int off, int n) {
    if (dst != null) {
      System.arraycopy(src, from, dst, off, n);
    } else {
      buf.put(off, src, from, n);
    }
  }

  /**
   * In MPEG-TS mode, shortens a read so it ends on a packet boundary whenever it can reach one, so
   * the viewer's position is a boundary and a skip never tears a packet it has begun.
   */
  final int wholePackets(long pos, int len) {
    if (!mpegTs) {
      return len;
    }
    long end = pos + len;
    long alignedEnd = end - end % TsPacketAligner.PACKET_SIZE;
    return alignedEnd > pos ? (int) (alignedEnd - pos) : len;
  }

  /** Where a new or skipping reader starts, computed from the current tail. */
  long startPosition() {
    return startBehindLive(startBehind);
  }

  /** The oldest intact byte (packet boundary in MPEG-TS mode): where an {@code oldest} join falls back to. */
  long oldestPosition() {
    return startBehindLive(capacity);
  }

  private long startBehindLive(long behind) {
    // Acquire: tail first, then the intent, so intent >= tail for the values we read.
    final long currentTail = (long) TAIL.getAcquire(this);
    final long intent = (long) TAIL_INTENT.getAcquire(this);
    long start = Math.max(Math.max(currentTail - behind, intent - capacity), 0);
    if (mpegTs) {
      // Round up to a packet boundary; tail and intent are multiples of 188, so this stays <= intent.
      long packet = TsPacketAligner.PACKET_SIZE;
      start = (start + packet - 1) / packet * packet;
    }
    return start;
  }

  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static byte[] stuffing() {
    byte[] bytes = new byte[TsPacketAligner.PACKET_SIZE];
    Arrays.fill(bytes, (byte) 0xFF);
    return bytes;
  }
}
