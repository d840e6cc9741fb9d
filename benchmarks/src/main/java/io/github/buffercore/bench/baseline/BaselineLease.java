package io.github.buffercore.bench.baseline;

import io.github.buffercore.ClientLease;
import io.github.buffercore.StreamReader;
import io.github.buffercore.Ticker;
import java.util.concurrent.atomic.AtomicBoolean;

/** A baseline's client handle: the same fields and release-once rule as buffer-core's lease. */
final class BaselineLease implements ClientLease {

  /** Called once, by the thread that released the lease first. */
  interface Owner {
    void release(BaselineLease lease);
  }

  private final Owner owner;
  private final String playlistId;
  private final String streamId;
  private final long clientId;
  private final Ticker ticker;
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile long lastTouched;

  BaselineLease(Owner owner, String playlistId, String streamId, long clientId, Ticker ticker) {
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

  @Override
  public void touch() {
    if (!released.get()) {
      lastTouched = ticker.read();
    }
  }

  long lastTouched() {
    return lastTouched;
  }

  /** The baselines model the registry only, without an upstream or a buffer (like a registry built without one). */
  @Override
  public StreamReader reader() {
    throw new IllegalStateException("baseline registries have no upstream: no reader");
  }

  /** The baselines model the registry only: nothing ends a lease but its close, so nobody needs telling. */
  @Override
  public void onEnded(java.util.function.Consumer<io.github.buffercore.LeaseEnd> callback) {
    throw new UnsupportedOperationException("baseline registries send no end notifications (client "
        + clientId + ")");
  }

  @Override
  public boolean isOpen() {
    return !released.get();
  }

  boolean markReleased() {
    return released.compareAndSet(false, true);
  }

  @Override
  public void close() {
    if (markReleased()) {
      owner.release(this);
    }
  }
}
