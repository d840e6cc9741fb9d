package io.github.buffercore.internal;

import io.github.buffercore.ClientLease;
import io.github.buffercore.StreamReader;
import java.time.Duration;

/** A lease's reader: the ring's reader, recording the client's activity on every call. */
final class LeaseReader implements StreamReader {

  private final ClientLease lease;
  private final StreamReader delegate;

  LeaseReader(ClientLease lease, StreamReader delegate) {
    this.lease = lease;
    this.delegate = delegate;
  }

  @Override
  public int read(byte[] dst, int off, int len, Duration timeout) throws InterruptedException {
    lease.touch(); // a client blocked waiting for data is alive, not stale
    int n = delegate.read(dst, off, len, timeout);
    lease.touch();
    return n;
  }

  @Override
  public int poll(byte[] dst, int off, int len) {
    lease.touch();
    return delegate.poll(dst, off, len);
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
