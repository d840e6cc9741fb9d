package io.github.buffercore.internal;

import io.github.buffercore.ClientLease;
import io.github.buffercore.SlowClientException;
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
    int n;
    try {
      n = delegate.read(dst, off, len, timeout);
    } catch (SlowClientException disconnected) {
      throw released(disconnected);
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
