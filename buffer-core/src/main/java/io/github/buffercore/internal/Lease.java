package io.github.buffercore.internal;

import io.github.buffercore.ClientLease;
import io.github.buffercore.JoinPosition;
import io.github.buffercore.StreamReader;
import io.github.buffercore.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

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

  private static final VarHandle RELEASED;

  static {
    try {
      RELEASED = MethodHandles.lookup().findVarHandle(Lease.class, "released", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Owner owner;
  private final String playlistId;
  private final String streamId;
  private final long clientId;
  private final Ticker ticker;

  // volatile: cleanup on another thread must see the latest touch; a touch racing a cleanup is
  // ordered by whichever the cleanup reads, both outcomes are allowed.
  private volatile long lastTouched;
  @SuppressWarnings("unused") // accessed through RELEASED
  private volatile boolean released;
  private SharedStream stream; // guarded by this; set once, right after the join
  private LeaseReader reader; // guarded by this
  private JoinPosition join; // guarded by this; null: the registry's default

  Lease(Owner owner, String playlistId, String streamId, long clientId,
      Ticker ticker) {
    this.owner = owner;
    this.playlistId = playlistId;
    this.streamId = streamId;
    this.clientId = clientId;
    this.ticker = ticker;
    this.lastTouched = ticker.read();
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

  /** Called by the joining thread after the compute that made this lease a member. */
  synchronized void attach(SharedStream joined) {
    this.stream = joined;
  }

  /** Called by the joining thread before {@link #attach}: where this client's reader starts. */
  synchronized void joinAt(JoinPosition position) {
    this.join = position;
  }

  @Override
  public StreamReader reader() {
    StreamReader existing;
    synchronized (this) {
      if (released) {
        throw new IllegalStateException("The lease of client " + clientId + " on stream '" + streamId
            + "' of playlist '" + playlistId + "' is no longer open");
      }
      if (reader == null) {
        if (stream == null) {
          throw new IllegalStateException("Stream '" + streamId + "' of playlist '" + playlistId
              + "' has no data path: build the registry with upstream(source, resolver)");
        }
        reader = new LeaseReader(this, join == null ? stream.newReader() : stream.newReader(join));
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

  @Override
  public boolean isOpen() {
    return !released;
  }

  /** Marks the lease released; returns {@code true} for the one caller that did it first. */
  boolean markReleased() {
    return RELEASED.compareAndSet(this, false, true);
  }

  @Override
  public void close() {
    if (markReleased()) {
      closeReader();
      owner.release(this);
    }
  }

  @Override
  public String toString() {
    return "ClientLease[" + playlistId + "/" + streamId + "/" + clientId
        + (released ? ", released]" : "]");
  }
}
