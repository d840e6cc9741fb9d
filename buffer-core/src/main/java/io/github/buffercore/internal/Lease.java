package io.github.buffercore.internal;

import io.github.buffercore.ClientKey;
import io.github.buffercore.ClientLease;
import io.github.buffercore.LeaseEnd;
import io.github.buffercore.JoinPosition;
import io.github.buffercore.StreamReader;
import io.github.buffercore.StreamSwitchedException;
import io.github.buffercore.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's lease. Membership in the registry is decided only by the immutable state (a lease is a
 * member while its stream's client map holds this very instance); the fields here are the client's
 * own: its last activity, read by cleanup, and whether it was released, which spares a second
 * {@code close()} a map computation.
 */
final class Lease implements ClientLease {

  /**
   * What a lease reports to the control plane: the narrow seam that keeps a lease from depending on
   * the registry implementation.
   */
  @FunctionalInterface
  interface Owner {
    /** Removes a released lease's client; called once per lease, by the thread that released it. */
    void release(Lease lease);
  }

  private static final Logger LOG = LoggerFactory.getLogger("io.github.buffercore.PlaylistRegistry");
  private static final VarHandle RELEASED;
  private static final VarHandle ENDING;
  private static final VarHandle GATE_SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
  /** The value of {@code ending} once the lease has ended; the {@link LeaseEnd} is built on demand. */
  private static final Object ENDED = new Object();

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      RELEASED = lookup.findVarHandle(Lease.class, "released", boolean.class);
      ENDING = lookup.findVarHandle(Lease.class, "ending", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Owner owner;
  private final String playlistId;
  private final String streamId;
  private final long clientId;
  private final Ticker ticker;
  private final ClientKey clientKey; // null: this lease never switches

  /** The stream this lease's client switched to; set before the lease is marked released. */
  private volatile String switchedTo;

  // volatile: cleanup on another thread must see the latest touch; a touch racing a cleanup is
  // ordered by whichever the cleanup reads, both outcomes are allowed.
  private volatile long lastTouched;
  @SuppressWarnings("unused") // accessed through RELEASED
  private volatile boolean released;
  private volatile LeaseEnd.Reason endReason; // set once, by the caller that won markReleased
  /**
   * {@code null}, the pending callbacks (an immutable list), or {@link #ENDED}; a field with a
   * VarHandle rather than an AtomicReference, and no {@link LeaseEnd} built when nobody listens: every
   * acquire makes a lease, and these were 48 of its bytes (AcquireCloseBenchmark, -prof gc).
   */
  @SuppressWarnings("unused") // accessed through ENDING
  private volatile Object ending;
  // Stall sweep: written by sweeps only (racing sweeps write equivalent values).
  private volatile long sweptPosition = Long.MIN_VALUE;
  private volatile boolean lappedStall;
  private SharedStream stream; // guarded by this; set once, right after the join
  private LeaseReader reader; // guarded by this
  private JoinPosition join; // guarded by this; null: the registry's default
  // The JoinGate slot this lease joined through, or null: written by the joining thread before the
  // lease is handed out, read only by its close (see JoinGate for why no compute is needed).
  private Object[] gateSlots;
  private int gateIndex;

  Lease(Owner owner, String playlistId, String streamId, long clientId,
      Ticker ticker) {
    this(owner, playlistId, streamId, clientId, ticker, null);
  }

  Lease(Owner owner, String playlistId, String streamId, long clientId, Ticker ticker,
      ClientKey clientKey) {
    this(owner, playlistId, streamId, clientId, ticker, clientKey, ticker.read());
  }

  /** A lease last active at {@code now}: the caller read the ticker already (one read per acquire). */
  Lease(Owner owner, String playlistId, String streamId, long clientId, Ticker ticker,
      ClientKey clientKey, long now) {
    this.clientKey = clientKey;
    this.owner = owner;
    this.playlistId = playlistId;
    this.streamId = streamId;
    this.clientId = clientId;
    this.ticker = ticker;
    this.lastTouched = now;
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
  public long clientId() {
    return clientId;
  }

  @Override
  public Optional<ClientKey> clientKey() {
    return Optional.ofNullable(clientKey);
  }

  /** The key, or {@code null}: for the transition, which compares keys without allocating. */
  ClientKey key() {
    return clientKey;
  }

  /** Records that the client switched to {@code streamId}; called before the lease is released. */
  void switchedTo(String toStreamId) {
    this.switchedTo = toStreamId;
  }

  /** The stream the client switched to, or {@code null} if it did not switch. */
  String switchedTo() {
    return switchedTo;
  }

  /** Called by the joining thread once the lease took slot {@code index} of a join gate. */
  void inGate(Object[] slots, int index) {
    this.gateSlots = slots;
    this.gateIndex = index;
  }

  /**
   * Frees this lease's join gate slot ({@code JoinGate}): {@code false} if it joined through the
   * compute, or if the compute that closed the gate took it first; then the leave is a compute.
   */
  private boolean leftGate() {
    return gateSlots != null && GATE_SLOT.compareAndSet(gateSlots, gateIndex, this, null);
  }

  /**
   * Called by the joining thread after the join that made this lease a member; {@code null} (a
   * registry without a data path) takes no monitor.
   */
  void attach(SharedStream joined) {
    if (joined != null) {
      synchronized (this) {
        this.stream = joined;
      }
    }
  }

  /** Called by the joining thread before {@link #attach}: where this client's reader starts. */
  synchronized void joinAt(JoinPosition position) {
    this.join = position;
  }

  @Override
  public StreamReader reader() {
    StreamReader existing;
    synchronized (this) {
      if (released && switchedTo != null) {
        throw new StreamSwitchedException(playlistId, streamId, switchedTo, clientId);
      }
      if (released) {
        throw new IllegalStateException("The lease of client " + clientId + " on stream '" + streamId
            + "' of playlist '" + playlistId + "' is no longer open");
      }
      if (reader == null) {
        if (stream == null) {
          throw new IllegalStateException("Stream '" + streamId + "' of playlist '" + playlistId
              + "' has no data path: build the registry with upstream(source, resolver)");
        }
        reader = new LeaseReader(this, join == null ? stream.newReader() : stream.newReader(join),
            this::switchedTo);
      }
      existing = reader;
    }
    if (released) {
      existing.close(); // released while we created it: the release may have missed this reader
    }
    return existing;
  }

  /** Closes the reader, if one was created; after the lease was released. */
  void closeReader() {
    LeaseReader toClose;
    synchronized (this) {
      toClose = reader;
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  @Override
  public void touch() {
    if (!released) {
      lastTouched = ticker.read();
    }
  }

  void activeAt(long now) {
    lastTouched = now;
  }

  long lastTouched() {
    return lastTouched;
  }

  /**
   * The writer-side stall sweep, run by cleanup before its compute: a reader that consumed since the
   * last sweep, or has nothing to read, is active now; a lapped reader that did not move since the
   * last sweep is a lapped stall. Reads only published positions; never blocks the reader.
   *
   * @param now the sweep's time
   */
  void sweep(long now) {
    LeaseReader leaseReader;
    synchronized (this) {
      leaseReader = reader;
    }
    if (leaseReader == null || released || !(leaseReader.ring() instanceof RingReader ring)) {
      return; // no reader: only touch() tells activity
    }
    long position = ring.position();
    boolean moved = position != sweptPosition;
    sweptPosition = position;
    if (moved || ring.caughtUp()) {
      lastTouched = now;
      lappedStall = false;
    } else {
      lappedStall = ring.lapped();
    }
  }

  /** Whether the last sweep found the reader lapped and not moving since the sweep before. */
  boolean lappedStall() {
    return lappedStall;
  }

  @Override
  public boolean isOpen() {
    return !released;
  }

  /** Marks the lease released; returns {@code true} for the one caller that did it first. */
  boolean markReleased(LeaseEnd.Reason reason) {
    if (RELEASED.compareAndSet(this, false, true)) {
      endReason = reason;
      return true;
    }
    return false;
  }

  /**
   * Runs the end callbacks, once; called by the caller that won {@link #markReleased}, after the
   * release took effect in the registry and outside any compute.
   */
  @SuppressWarnings("unchecked")
  void fireEnded() {
    Object previous = ENDING.getAndSet(this, ENDED);
    if (previous instanceof List<?> callbacks) {
      LeaseEnd end = ended();
      for (Consumer<LeaseEnd> callback : (List<Consumer<LeaseEnd>>) callbacks) {
        runCallback(callback, end);
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void onEnded(Consumer<LeaseEnd> callback) {
    Objects.requireNonNull(callback, "callback");
    while (true) {
      Object current = ending;
      if (current == ENDED) {
        runCallback(callback, ended());
        return;
      }
      List<Consumer<LeaseEnd>> next = new ArrayList<>(2);
      if (current != null) {
        next.addAll((List<Consumer<LeaseEnd>>) current);
      }
      next.add(callback);
      if (ENDING.compareAndSet(this, current, List.copyOf(next))) {
        return;
      }
    }
  }

  /** The end as callbacks see it; {@code endReason} was written before {@code ending} became ENDED. */
  private LeaseEnd ended() {
    return new LeaseEnd(playlistId, streamId, clientId, endReason);
  }

  private void runCallback(Consumer<LeaseEnd> callback, LeaseEnd end) {
    try {
      callback.accept(end);
    } catch (RuntimeException e) {
      LOG.warn("End callback of client {} of stream {} in playlist {} threw; ignoring it", clientId,
          streamId, playlistId, e);
    }
  }

  @Override
  public void close() {
    if (markReleased(LeaseEnd.Reason.CLOSED)) {
      closeReader();
      if (!leftGate()) {
        owner.release(this);
      }
      fireEnded();
    }
  }

  @Override
  public String toString() {
    return "ClientLease[" + playlistId + "/" + streamId + "/" + clientId
        + (released ? ", released]" : "]");
  }
}
