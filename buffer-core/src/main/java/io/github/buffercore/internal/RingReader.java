package io.github.buffercore.internal;

import io.github.buffercore.SlowClientException;
import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.UpstreamException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader side of a {@link RingMemory}: one consumer's position and its lap-validated copy. The
 * writer side ({@code BroadcastRing}) creates readers, wakes them and runs their readiness callbacks;
 * the memory-ordering argument is in {@link RingMemory}.
 */
final class RingReader implements StreamReader {

  private static final Logger LOG = LoggerFactory.getLogger(BroadcastRingLogger.NAME);

  /** Result of {@link #tryCopy} when the copied bytes were (possibly) overwritten. */
  private static final int LAPPED = Integer.MIN_VALUE;

  // For the consumer's release stores on its own volatile fields (why: see pollNow).
  private static final VarHandle POSITION = handle("position");
  private static final VarHandle BYTES_READ = handle("bytesRead");
  private static final VarHandle LAST_DELIVERY = handle("lastDelivery");

  private final RingMemory ring;
  /** Removes this reader from the writer's list; called once, by close. */
  private final Consumer<RingReader> onClose;

  /** Next position to read. Written only by the consumer (release stores in pollNow); read volatile. */
  volatile long position;

  private volatile long bytesRead;
  private volatile long readerSkips;
  volatile boolean closed;
  /** Consumer only: stuffing bytes still owed to finish an MPEG-TS packet that a skip tore. */
  private int padding;

  /** Set when closed by a DISCONNECT lap; rethrown by later calls. */
  private volatile SlowClientException slowClientFailure;

  /**
   * Ticker time of the last poll that returned data, or {@link WakeBatch#NEVER}; written by the
   * consumer, read by the writer and the flush to decide whether a batched wake-up is due.
   */
  volatile long lastDelivery = WakeBatch.NEVER;

  /** The thread parked in {@link #read}, or {@code null}. Set before counting as waiting. */
  volatile Thread waiter;

  /** The pending readiness callback, or {@code null}; claimed with getAndSet so it runs once. */
  final AtomicReference<Runnable> callback = new AtomicReference<>();

  /**
   * Bytes sent before any ring byte (a keyframe join's PAT and PMT), or {@code null} once sent or when
   * there are none. Only the consumer advances it; volatile so a readiness check on another thread sees it.
   */
  private volatile byte[] prefix;
  private int prefixSent; // consumer only

  RingReader(RingMemory ring, long start, Consumer<RingReader> onClose) {
    this(ring, start, null, onClose);
  }

  RingReader(RingMemory ring, long start, byte[] prefix, Consumer<RingReader> onClose) {
    this.ring = ring;
    this.position = start;
    this.prefix = prefix == null || prefix.length == 0 ? null : prefix;
    this.onClose = onClose;
  }

  private static VarHandle handle(String field) {
    try {
      return MethodHandles.lookup().findVarHandle(RingReader.class, field, long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  public int read(byte[] dst, int off, int len, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    // Not below 0: "timeout - elapsed" of a timeout near Long.MIN_VALUE would wrap to a huge wait.
    long timeoutNanos = Math.max(0L, RingMemory.saturatedNanos(timeout));
    final long startNanos = System.nanoTime();
    while (true) {
      // Under wake batching a read waits for its batch like a callback does, unless it must not wait:
      // at the deadline (or with no timeout) it returns whatever is there.
      final boolean last = timeoutNanos - (System.nanoTime() - startNanos) <= 0;
      if (last || len == 0 || readableNow()) {
        int n = poll(dst, off, len);
        if (n != 0 || len == 0 || last) {
          return n;
        }
      }
      awaitReadable(startNanos, timeoutNanos);
    }
  }

  /** Parks until readable, closed, interrupted or the deadline passes. */
  private void awaitReadable(long startNanos, long timeoutNanos) throws InterruptedException {
    // Register first (volatile store, then volatile increment), then re-check the tail with a
    // volatile load: pairs with the writer's volatile tail store followed by its counter load.
    waiter = Thread.currentThread();
    ring.waitingReaders.incrementAndGet();
    try {
      while (!readableNow()) {
        long remaining = timeoutNanos - (System.nanoTime() - startNanos);
        if (remaining <= 0) {
          return;
        }
        LockSupport.parkNanos(ring, remaining);
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while reading stream '" + ring.streamId + "' of playlist '"
              + ring.playlistId + "'");
        }
      }
    } finally {
      waiter = null;
      ring.waitingReaders.decrementAndGet();
    }
  }

  /** Whether a poll would return data and, under wake batching, the batch is due (volatile tail load). */
  private boolean readableNow() {
    return closed || prefix != null || ring.terminal != null
        || ring.wakeDue(position, lastDelivery, (long) RingMemory.TAIL.getVolatile(ring));
  }

  @Override
  public int poll(byte[] dst, int off, int len) {
    Objects.checkFromIndexSize(off, len, dst.length);
    return delivered(pollNow(dst, null, off, len));
  }

  @Override
  public int poll(ByteBuffer dst) { // one copy from the ring into dst, direct or heap
    if (dst.isReadOnly()) {
      throw new ReadOnlyBufferException();
    }
    final int at = dst.position();
    final int n = delivered(pollNow(null, dst, at, dst.remaining()));
    if (n > 0) {
      dst.position(at + n);
    }
    return n;
  }

  private int delivered(int n) {
    final WakeBatch batch = ring.wakeBatch;
    if (n > 0 && batch != null) {
      // The next batched wake-up counts its delay from here; a release store as in pollNow.
      LAST_DELIVERY.setRelease(this, batch.now());
    }
    return n;
  }

  /** Copies into {@code dst} at {@code off}, or, if {@code dst} is null, into {@code buf} at index {@code off}. */
  private int pollNow(byte[] dst, ByteBuffer buf, int off, int len) {
    ensureOpen();
    if (len == 0) {
      return 0;
    }
    final byte[] first = prefix;
    if (first != null) {
      return pollPrefix(first, dst, buf, off, len);
    }
    if (padding > 0) {
      return pad(dst, buf, off, len);
    }
    while (true) {
      final long pos = position;
      // Acquire: every byte below the observed tail was stored before the writer's tail store.
      final long available = (long) RingMemory.TAIL.getAcquire(ring);
      if (available > pos) {
        int n = tryCopy(pos, available, dst, buf, off, ring.wholePackets(pos, len));
        if (n != LAPPED) {
          // Release, not volatile, stores (a volatile store is a locked instruction on x86): the
          // writer acts on a position only after seeing this reader wait, and that registration is
          // a later volatile access of this thread, which publishes them (NoLostWakeUp, BatchedWakeup).
          POSITION.setRelease(this, pos + n);
          BYTES_READ.setRelease(this, bytesRead + n);
          ring.bytesDelivered.add(n);
          return n;
        }
        handleLap(pos);
        if (padding > 0) {
          return pad(dst, buf, off, len); // the torn packet's rest comes before the data after the skip
        }
        continue;
      }
      final Object end = ring.terminal;
      if (end == null) {
        return 0;
      }
      // The ring.terminal state was stored after the final tail: re-read it to drain what is left.
      if ((long) RingMemory.TAIL.getAcquire(ring) > pos) {
        continue;
      }
      if (end instanceof UpstreamException) {
        throw (UpstreamException) end;
      }
      return -1;
    }
  }

  /** Copies the next bytes of the join prefix; its position in the ring does not move. */
  private int pollPrefix(byte[] first, byte[] dst, ByteBuffer buf, int off, int len) {
    int n = Math.min(len, first.length - prefixSent);
    if (n >= TsPacketAligner.PACKET_SIZE) {
      n -= n % TsPacketAligner.PACKET_SIZE; // whole packets when the caller's buffer allows, as below
    }
    RingMemory.copyTo(first, prefixSent, dst, buf, off, n);
    prefixSent += n;
    if (prefixSent == first.length) {
      prefix = null;
    }
    bytesRead += n; // single writer (the consumer)
    ring.bytesDelivered.add(n);
    return n;
  }

  private int pad(byte[] dst, ByteBuffer buf, int off, int len) {
    int n = Math.min(padding, len);
    RingMemory.copyTo(RingMemory.STUFFING, 0, dst, buf, off, n);
    padding -= n;
    bytesRead += n;
    return n;
  }

  /**
   * Copies {@code [pos, min(available, pos + len))} into {@code dst} (or {@code buf}) and validates the copy.
   *
   * @return the number of bytes copied, or {@link #LAPPED} if they may have been overwritten
   */
  private int tryCopy(long pos, long available, byte[] dst, ByteBuffer buf, int off, int len) {
    // Early check: if a write already announced it overwrites pos, do not bother copying.
    if ((long) RingMemory.TAIL_INTENT.getAcquire(ring) - ring.capacity > pos) {
      return LAPPED;
    }
    final int n = (int) Math.min(available - pos, len);
    ring.copyOut((int) (pos & ring.mask), n, dst, buf, off);
    // LoadLoad fence: the byte loads above may not be reordered after the intent load below (the
    // StampedLock.validate pattern). If any byte we loaded came from a newer write, that write's
    // intent store (ordered before its bytes by the writer's StoreStore fence) is visible here.
    VarHandle.loadLoadFence();
    final long intent = (long) RingMemory.TAIL_INTENT.getAcquire(ring);
    // Positions below intent - ring.capacity may have been overwritten; our lowest position is pos.
    return intent - ring.capacity > pos ? LAPPED : n;
  }

  private void handleLap(long pos) {
    ring.laps.increment();
    final long lost = (long) RingMemory.TAIL_INTENT.getAcquire(ring) - ring.capacity - pos;
    if (ring.policy == SlowClientPolicy.DISCONNECT) {
      SlowClientException failure = new SlowClientException(ring.playlistId, ring.streamId, lost);
      LOG.debug("Reader of stream '{}' in playlist '{}' lapped at position {} and lost {} bytes; disconnecting",
          ring.streamId, ring.playlistId, pos, lost);
      slowClientFailure = failure;
      close();
      throw failure;
    }
    final long next = Math.max(ring.startPosition(), pos);
    if (ring.mpegTs && pos % TsPacketAligner.PACKET_SIZE != 0) {
      // A read shorter than a packet left the viewer inside one whose rest is gone: finish it with
      // stuffing, so the viewer's output stays whole packets and resumes on a boundary.
      padding = (int) (TsPacketAligner.PACKET_SIZE - pos % TsPacketAligner.PACKET_SIZE);
    }
    position = next;
    readerSkips += 1; // single writer (the consumer)
    ring.skips.increment();
    if (LOG.isDebugEnabled()) { // a lap can happen on every read of a slow client: no varargs or boxing then
      LOG.debug("Reader of stream '{}' in playlist '{}' lapped at position {} (about {} bytes lost); skipped to {}",
          ring.streamId, ring.playlistId, pos, lost, next);
    }
  }

  private void ensureOpen() {
    if (closed) {
      SlowClientException failure = slowClientFailure;
      if (failure != null) {
        throw failure;
      }
      throw new IllegalStateException("reader of stream '" + ring.streamId + "' in playlist '" + ring.playlistId
          + "' is closed");
    }
  }

  @Override
  public void onReadable(Runnable action) {
    Objects.requireNonNull(action, "callback");
    // Count first, then set: the counter is always >= the number of pending callbacks, so the
    // writer can never skip a pending one because of a transiently low counter.
    ring.armedCallbacks.incrementAndGet();
    if (!callback.compareAndSet(null, action)) {
      ring.armedCallbacks.decrementAndGet();
      throw new IllegalStateException("a readiness callback is already pending on a reader of stream '"
          + ring.streamId + "' in playlist '" + ring.playlistId + "'");
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
    ring.armedCallbacks.decrementAndGet();
    try {
      action.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      LOG.warn("Readiness callback of a reader of stream '{}' in playlist '{}' threw; ignoring it",
          ring.streamId, ring.playlistId, t);
    }
  }

  /**
   * Stall sweep (any thread): whether nothing is waiting for this reader (or it ended), or it is parked
   * for its wake batch (a callback or a thread waits on the writer: not stalled, unless lapped).
   */
  boolean caughtUp() {
    return closed || ring.terminal != null || (long) RingMemory.TAIL.getAcquire(ring) <= position
        || ring.wakeBatch != null && (callback.get() != null || waiter != null) && !lapped();
  }

  /** Stall sweep (any thread): whether the writer overwrote the data this reader reads next. */
  boolean lapped() {
    return !closed && (long) RingMemory.TAIL_INTENT.getAcquire(ring) - ring.capacity > position;
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
    onClose.accept(this);
    Thread parked = waiter;
    if (parked != null) {
      LockSupport.unpark(parked);
    }
    fireCallback();
    LOG.debug("Reader of stream '{}' in playlist '{}' closed at position {} after {} bytes", ring.streamId,
        ring.playlistId, position, bytesRead);
  }

  @Override
  public String playlistId() {
    return ring.playlistId;
  }

  @Override
  public String streamId() {
    return ring.streamId;
  }

  @Override
  public String toString() {
    return "StreamReader[playlist=" + ring.playlistId + ", stream=" + ring.streamId + ", position=" + position
        + ", closed=" + closed + "]";
  }
}
