package io.github.buffercore.internal;

import io.github.buffercore.UpstreamException;

/**
 * Where the bytes of one stream go: an {@link UpstreamPump} writes what it reads from the upstream, a
 * {@link TsPacketAligner} writes whole packets (in practice both end in the writer side of the stream's
 * {@link BroadcastRing}, which implements this).
 *
 * <p>Thread-safety: every method is called from one pump thread only, never concurrently. After
 * {@link #complete()} or {@link #fail(UpstreamException)} no further method is called.
 */
public interface ChunkSink {

  /**
   * Appends {@code len} bytes of {@code src} starting at {@code off}. The caller reuses {@code src}
   * after this method returns, so an implementation must copy what it keeps; it may rewrite the bytes
   * of {@code [off, off + len)} in place (a splicer does), since no caller reads them again. Must not block for long:
   * the pump calls it between two reads from the upstream.
   *
   * @param src the bytes
   * @param off where the bytes start in {@code src}
   * @param len how many bytes to append, at least 1
   */
  void write(byte[] src, int off, int len);

  /**
   * A new upstream connection has opened; its first {@link #write} follows. Bytes of an earlier
   * connection never continue in it, so a sink that keeps state across writes (a packet aligner's
   * carried partial packet) drops that state here. Called on the pump thread, once per connection.
   */
  default void newConnection() {
    // stateless sinks have nothing to reset
  }

  /**
   * The bytes of the next {@link #write} do not continue the bytes before in timestamps or
   * continuity counters although the connection stayed the same ({@link
   * io.github.buffercore.UpstreamConnection#discontinuityCount()} grew). Called on the pump thread,
   * before that write. A sink that makes splices clean treats it like a new connection.
   */
  default void discontinuity() {
    // sinks that do not look into the bytes have nothing to do
  }

  /** Ends the stream normally (the pump was stopped). Called at most once. */
  void complete();

  /**
   * Ends the stream because its upstream failed for good. Called at most once, and never after
   * {@link #complete()}.
   *
   * @param cause the failure, naming the playlist and stream
   */
  void fail(UpstreamException cause);
}
