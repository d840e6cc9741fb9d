package io.github.buffercore;

import java.io.Closeable;
import java.io.IOException;

/**
 * An open upstream of one stream: a blocking source of bytes, returned by
 * {@link UpstreamSource#open(UpstreamRequest)}.
 *
 * <p>Thread-safety: one connection is read by one thread (the stream's pump thread);
 * {@link #close()} may be called from any thread at any time, also while that thread is blocked in
 * {@link #read(byte[], int, int)}.
 */
public interface UpstreamConnection extends Closeable {

  /**
   * Reads up to {@code len} bytes into {@code buf}, blocking until at least one byte is available,
   * the upstream ends, or the read fails.
   *
   * @param buf where to put the bytes
   * @param off where to start in {@code buf}
   * @param len the maximum number of bytes to read; if 0, returns 0 at once
   * @return the number of bytes read (at least 1 if {@code len > 0}), or -1 if the upstream ended
   * @throws IOException if the upstream failed, timed out, or this connection was closed (also when
   *     {@link #close()} is called while this method is blocked)
   * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code buf}
   */
  int read(byte[] buf, int off, int len) throws IOException;

  /**
   * Closes the connection and releases its resources. Idempotent. Callable from any thread: a read
   * blocked in another thread is unblocked and throws {@link IOException}. Implementations do not
   * throw; a failure to release a resource is logged.
   */
  @Override
  void close();

  /**
   * Returns how many discontinuities this connection has passed so far: points after which the bytes
   * do not continue the bytes before in timestamps or MPEG-TS continuity counters (an HLS
   * {@code EXT-X-DISCONTINUITY}, a media-sequence jump, a switch to another source inside one
   * connection). The data path checks the count before using the bytes of each {@link #read}; when it
   * grew, it splices exactly as after a reconnect (packet aligner reset, PAT/PMT re-sent, discontinuity
   * marked), so viewers' decoders resynchronize.
   *
   * <p>Contract for implementations: one {@code read} never returns bytes from both sides of a
   * discontinuity, and the count grows before the read that returns the first byte after it. The
   * default, for a plain byte stream, is always {@code 0}.
   *
   * @return the number of discontinuities passed, never decreasing
   */
  default int discontinuityCount() {
    return 0;
  }
}
