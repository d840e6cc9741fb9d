package io.github.buffercore;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;

/**
 * One HTTP client's view of a shared live stream: the bytes the single upstream writer publishes,
 * from the reader's start position onwards, copied into the caller's arrays or buffers.
 *
 * <p><b>Concurrency contract.</b> A reader belongs to one consumer at a time: {@link #read}, {@link
 * #poll} and {@link #onReadable} must not be called concurrently with each other on the same reader
 * (hand the reader from thread to thread only through a happens-before edge, such as an executor
 * submission or the readiness callback itself). {@link #close()}, {@link #isClosed()}, {@link
 * #position()}, {@link #bytesRead()}, {@link #skips()}, {@link #playlistId()} and {@link #streamId()}
 * may be called from any thread at any time, for example from a status page or a connection-closed
 * listener. Nothing a reader does ever blocks or slows down the stream's writer or its other readers.
 *
 * <p><b>Return values</b> of {@link #read} and {@link #poll}: a positive number is the count of bytes
 * copied; {@code 0} means no data right now (or {@code len == 0}); {@code -1} means the stream ended
 * and every byte published before the end has been read. The reader never returns bytes that the
 * writer overwrote while they were being copied.
 *
 * <p><b>Failures</b>: {@link UpstreamException} once the reader consumed everything published before
 * the upstream failed (thrown again on every later call); {@link SlowClientException} when the writer
 * lapped this reader and the stream's policy is {@link SlowClientPolicy#DISCONNECT} (the reader is
 * then closed, and later calls throw the same exception); {@link IllegalStateException} when the reader
 * was closed with {@link #close()}.
 */
public interface StreamReader extends AutoCloseable {

  /**
   * Copies available bytes into {@code dst}, waiting up to {@code timeout} for data to arrive. Meant
   * for thread-per-request servers. Must not be called concurrently with {@link #poll} or another
   * {@code read} on this reader; may be interrupted, and wakes up early when the stream ends or fails
   * or when another thread {@linkplain #close() closes} this reader.
   *
   * @param dst the array to copy into
   * @param off the first index of {@code dst} to write
   * @param len the maximum number of bytes to copy
   * @param timeout the longest time to wait for data; zero or negative means do not wait
   * @return the number of bytes copied (&gt; 0), {@code 0} if no data arrived within the timeout (or
   *     {@code len == 0}), or {@code -1} at the end of the stream
   * @throws InterruptedException if the calling thread was interrupted while waiting
   * @throws UpstreamException if the upstream failed and all data published before the failure was read
   * @throws SlowClientException if the reader was lapped under {@link SlowClientPolicy#DISCONNECT}
   * @throws IllegalStateException if this reader was closed
   * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code dst}
   */
  int read(byte[] dst, int off, int len, Duration timeout) throws InterruptedException;

  /**
   * Copies the bytes that are available right now into {@code dst} without waiting. Meant for async
   * servers, usually called from the task that a {@linkplain #onReadable readiness callback}
   * dispatched. Same single-consumer rule as {@link #read}.
   *
   * @param dst the array to copy into
   * @param off the first index of {@code dst} to write
   * @param len the maximum number of bytes to copy
   * @return the number of bytes copied (&gt; 0), {@code 0} if nothing is available right now (or
   *     {@code len == 0}), or {@code -1} at the end of the stream
   * @throws UpstreamException if the upstream failed and all data published before the failure was read
   * @throws SlowClientException if the reader was lapped under {@link SlowClientPolicy#DISCONNECT}
   * @throws IllegalStateException if this reader was closed
   * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code dst}
   */
  int poll(byte[] dst, int off, int len);

  /**
   * Copies the bytes that are available right now into {@code dst}, from its position up to its limit,
   * without waiting, and advances its position past them; the same as {@link #poll(byte[], int, int)}
   * otherwise (return values, failures, single-consumer rule). Meant for servers that write from direct
   * buffers: polling straight into one (a pooled Netty or Jetty buffer, say) saves the socket layer's
   * copy of a heap array into a direct buffer. The library's readers copy from the stream's ring into
   * {@code dst} once, whether it is direct or heap.
   *
   * <p>The default implementation is for other implementations of this interface: it polls into {@code
   * dst}'s array when it has an accessible one, and otherwise through a temporary array of at most 64
   * KiB.
   *
   * @param dst the buffer to copy into, at its position; its limit bounds the copy
   * @return the number of bytes copied (&gt; 0), {@code 0} if nothing is available right now (or
   *     {@code dst} has no room), or {@code -1} at the end of the stream
   * @throws UpstreamException if the upstream failed and all data published before the failure was read
   * @throws SlowClientException if the reader was lapped under {@link SlowClientPolicy#DISCONNECT}
   * @throws IllegalStateException if this reader was closed
   * @throws ReadOnlyBufferException if {@code dst} is read-only (nothing is consumed then)
   * @throws NullPointerException if {@code dst} is {@code null}
   */
  default int poll(ByteBuffer dst) {
    if (dst.isReadOnly()) {
      throw new ReadOnlyBufferException();
    }
    int position = dst.position();
    int n;
    if (dst.hasArray()) {
      n = poll(dst.array(), dst.arrayOffset() + position, dst.remaining());
      if (n > 0) {
        dst.position(position + n);
      }
      return n;
    }
    byte[] through = new byte[Math.min(dst.remaining(), 64 * 1024)];
    n = poll(through, 0, through.length);
    if (n > 0) {
      dst.put(through, 0, n);
    }
    return n;
  }

  /**
   * Registers a one-shot callback that runs once this reader becomes readable: data is available, the
   * stream ended or failed, or the reader was closed. If the reader is already readable, the callback
   * runs immediately on the calling thread before this method returns.
   *
   * <p>Otherwise it runs on the <b>stream's writer thread</b> right after the writer published new
   * data or the end/failure of the stream, on the registry's timer thread (wake batching, below), or
   * on the thread that calls {@link #close()}. Under the registry's {@linkplain
   * PlaylistRegistry.Builder#wakeBatching wake batching} (on by default: 64 KiB or 500 ms) "readable"
   * means: the reader's first data since it joined, or at least the batch's bytes, or any data once
   * the batch's delay passed since this reader last received data; so a viewer is woken a few times
   * per second with larger reads instead of once per upstream read. A thread blocked in {@link
   * #read} waits for the same condition. Callbacks
   * must therefore be cheap and must not block: typically they dispatch the actual {@link #poll} to an
   * executor or event loop. A callback that throws is logged with the playlist and stream ids and
   * affects neither the writer nor other readers. At most one callback may be pending per reader; to
   * be notified again, register again after the callback ran. Same single-consumer rule as {@link
   * #read}.
   *
   * @param callback the action to run once
   * @throws IllegalStateException if a callback is already pending on this reader
   * @throws NullPointerException if {@code callback} is {@code null}
   */
  void onReadable(Runnable callback);

  /**
   * Returns the absolute stream position (bytes since the start of the stream) of the next byte this
   * reader will return. Safe from any thread; the value may be stale by the time it is used.
   *
   * @return the position of the next byte to read
   */
  long position();

  /**
   * Returns the number of bytes this reader has returned so far. Safe from any thread.
   *
   * @return the bytes returned by {@link #read} and {@link #poll}
   */
  long bytesRead();

  /**
   * Returns how many times the writer lapped this reader and the reader skipped forward, under {@link
   * SlowClientPolicy#SKIP}. Safe from any thread.
   *
   * @return the number of skips
   */
  long skips();

  /**
   * Returns whether this reader was closed, by {@link #close()} or by a lap under {@link
   * SlowClientPolicy#DISCONNECT}. Safe from any thread.
   *
   * @return {@code true} once closed
   */
  boolean isClosed();

  /**
   * Closes this reader and detaches it from the stream. Idempotent and safe from any thread: a reader
   * blocked in {@link #read} wakes up and throws {@link IllegalStateException}, and a pending
   * {@linkplain #onReadable readiness callback} runs on the calling thread.
   */
  @Override
  void close();

  /**
   * Returns the id of the playlist whose stream this reader reads. Safe from any thread.
   *
   * @return the playlist id
   */
  String playlistId();

  /**
   * Returns the id of the stream this reader reads. Safe from any thread.
   *
   * @return the stream id
   */
  String streamId();
}
