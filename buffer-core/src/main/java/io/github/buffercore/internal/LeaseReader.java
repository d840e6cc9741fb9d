package io.github.buffercore.internal;

import io.github.buffercore.ClientLease;
import io.github.buffercore.SlowClientException;
import io.github.buffercore.StreamReader;
import io.github.buffercore.StreamSwitchedException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A lease's reader: the ring's reader, recording the client's activity on every call. A lease ended
 * by a channel switch ends its reader with {@link StreamSwitchedException} instead of the ring's
 * "reader is closed".
 */
final class LeaseReader implements StreamReader {

  private final ClientLease lease;
  /** The stream the lease's client switched to, or {@code null}; read when the reader is found closed. */
  private final Supplier<String> switchedTo;
  private final StreamReader delegate;

  LeaseReader(ClientLease lease, StreamReader delegate, Supplier<String> switchedTo) {
    this.lease = lease;
    this.switchedTo = switchedTo;
    this.delegate = delegate;
  }

  @Override
  public int read(byte[] dst, int off, int len, Duration timeout) throws InterruptedException {
    lease.touch(); // a client blocked waiting for data is alive, not stale
    int n;
    try {
      n = delegate.read(dst, off, len, timeout);
    } catch (SlowClientException disconnected) {
      throw released(disconnected);
    } catch (IllegalStateException closed) {
      throw switchedOr(closed);
    }
    lease.touch();
    return n;
  }

  @Override
  public int poll(byte[] dst, int off, int len) {
    lease.touch();
    try {
      return delegate.poll(dst, off, len);
    } catch (SlowClientException disconnected) {
      throw released(disconnected);
    } catch (IllegalStateException closed) {
      throw switchedOr(closed);
    }
  }

  @Override
  public int poll(ByteBuffer dst) {
    lease.touch();
    try {
      return delegate.poll(dst);
    } catch (SlowClientException disconnected) {
      throw released(disconnected);
    } catch (IllegalStateException closed) {
      throw switchedOr(closed);
    }
  }

  /**
   * A DISCONNECT lap ends the client: its lease is released at once (the stream may stop and free
   * its tuner), not left for the embedder to close.
   */
  private SlowClientException released(SlowClientException disconnected) {
    lease.close();
    return disconnected;
  }

  /** The switch signal if the lease ended by a switch, else the reader's own failure. */
  private RuntimeException switchedOr(IllegalStateException closed) {
    String to = switchedTo.get();
    return to == null ? closed
        : new StreamSwitchedException(lease.playlistId(), lease.streamId(), to, lease.clientId());
  }

  /** The ring's reader underneath, for the stall sweep. */
  StreamReader ring() {
    return delegate;
  }

  @Override
  public void onReadable(Runnable callback) {
    delegate.onReadable(callback);
  }

  @Override
  public long position() {
    return delegate.position();
  }

  @Override
  public long bytesRead() {
    return delegate.bytesRead();
  }

  @Override
  public long skips() {
    return delegate.skips();
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String playlistId() {
    return delegate.playlistId();
  }

  @Override
  public String streamId() {
    return delegate.streamId();
  }

  @Override
  public String toString() {
    return "LeaseReader[" + lease + ", " + delegate + "]";
  }
}
