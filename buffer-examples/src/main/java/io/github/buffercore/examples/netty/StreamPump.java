package io.github.buffercore.examples.netty;

import io.github.buffercore.ClientLease;
import io.github.buffercore.StreamReader;
import io.github.buffercore.examples.EdgeWatchdog;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamOutcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import io.github.buffercore.examples.WakeupRounds;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one stream to one connection. Every method but the {@link EdgeWatchdog.Watched} ones runs on
 * the channel's event loop, which makes it the reader's single consumer; the readiness callback only
 * schedules {@link #pump()} there. Nothing is sent before the reader's first byte; a failure before it
 * is answered with its problem; after it, the connection is closed without the last chunk once the
 * data read before the failure was flushed.
 */
final class StreamPump implements EdgeWatchdog.Watched {

  private static final Logger LOG = LoggerFactory.getLogger(NettyHttpStack.class);

  /**
   * Bytes copied per chunk: whole 1316-byte (7 TS packets) datagrams, about 62 KB, so that one wake-up
   * of a batched reader (64 KiB or 500 ms, see {@code PlaylistRegistry.Builder#wakeBatching}) or a
   * joiner's burst is one poll, one chunk and one write. The chunk is a pooled direct buffer, held only
   * while its write is in flight.
   */
  static final int CHUNK = 48 * 1316;
  /** A chunk's buffer: its payload and the HTTP/1.1 chunk framing around it. */
  private static final int FRAMED_CHUNK = ChunkFrame.capacity(CHUNK);

  final StreamOutcome stream;
  /** The connection's handler: its app, limits and watchdog, and the text answers it sends. */
  private final ProxyHandler handler;
  private final StreamReader reader;
  private final ClientLease lease;
  private final ChannelHandlerContext ctx;
  private final FullHttpRequest request;
  private final boolean chunked;
  /** The codec's context: a write from it goes to the handlers before the codec, not through it. */
  private final ChannelHandlerContext pastEncoder;
  /** The readiness callback: runs on the stream's writer thread, so it only hops to the loop. */
  private final Runnable readable;
  /** A readiness callback is registered and has not run its pump yet (one may be pending). */
  private boolean parked;
  private boolean done;
  private boolean committed;
  private EdgeWatchdog.Registration watched;
  /** The latest write; Netty completes writes in order, so this one completes after all others. */
  private volatile ChannelFuture lastWrite;
  private volatile long writesDone;
  /** Why a write failed (the client is usually gone), for the log line of channelInactive. */
  private Throwable writeFailure;
  /** A failed write closes the connection; channelInactive then releases the lease. */
  private final ChannelFutureListener writeDone = future -> {
    writesDone++;
    if (!future.isSuccess()) {
      if (writeFailure == null) {
        writeFailure = future.cause();
      }
      future.channel().close();
    }
  };

  StreamPump(ProxyHandler handler, StreamOutcome stream, ChannelHandlerContext ctx,
      FullHttpRequest request, boolean chunked, WakeupRounds<StreamPump> loop) {
    this.handler = handler;
    this.stream = stream;
    this.reader = stream.reader();
    this.lease = stream.lease();
    this.ctx = ctx;
    this.request = request;
    this.chunked = chunked;
    this.pastEncoder = Objects.requireNonNull(ctx.pipeline().context(HttpServerCodec.class), "codec");
    this.readable = () -> {
      if (!loop.add(this)) {
        // The server is shutting down: closing the loop closes its channels, and their
        // channelInactive releases the leases; there is nothing left to pump.
        LOG.debug("Event loop {} stopped; not waking stream {} of client {}", ctx.executor(),
            stream.channelId(), lease.clientId());
      }
    };
  }

  void wake() {
    parked = false;
    pump();
  }

  /** Sends what the reader has while the channel accepts it; then parks or waits for writability. */
  void pump() {
    if (done || parked) {
      return; // a pending readiness callback will resume; polling now could register a second one
    }
    ProxyApp app = handler.app;
    boolean wrote = false;
    try {
      while (ctx.channel().isWritable()) {
        ByteBuf chunk = ctx.alloc().directBuffer(FRAMED_CHUNK, FRAMED_CHUNK);
        int n;
        try {
          // Poll straight into the pooled direct buffer: one copy from the ring, and the socket
          // writes from it (a heap buffer costs the epoll and NIO transports a copy into a direct one).
          n = reader.poll(chunk.internalNioBuffer(ChunkFrame.SIZE_LINE_ROOM, CHUNK));
        } catch (RuntimeException e) {
          chunk.release();
          throw e;
        }
        if (n > 0) {
          if (!committed) {
            committed = true;
            lastWrite = ctx.write(ProxyHandler.streamHead(chunked)).addListener(writeDone);
            watched = handler.watchdog.watch(this);
          }
          // Framed in its own buffer and written past the HTTP encoder (ChunkFrame); the head went
          // through the encoder just before, on this thread, so the order on the wire holds.
          ByteBuf body = chunked ? ChunkFrame.frame(chunk, n) : ChunkFrame.bare(chunk, n);
          lastWrite = pastEncoder.write(body).addListener(writeDone);
          wrote = true;
          continue;
        }
        chunk.release();
        if (n < 0) {
          if (!committed) {
            answer(app.beforeData(stream, null));
          } else {
            app.left(stream, "the stream ended");
            abort();
          }
          return;
        }
        parked = true;
        reader.onReadable(readable);
        break;
      }
      // Not writable: channelWritabilityChanged calls pump() once Netty drained below the low mark.
    } catch (RuntimeException failure) {
      if (!committed) {
        answer(app.beforeData(stream, failure));
      } else {
        app.ended(stream, failure); // logs with the ids and closes the lease
        abort();
      }
      wrote = false;
    } finally {
      if (wrote) {
        ctx.flush();
      }
    }
  }

  /** Answers a failure before the first byte; the connection may serve again afterwards. */
  private void answer(TextOutcome problem) {
    finish();
    handler.sendText(ctx, request, problem, HttpUtil.isKeepAlive(request));
  }

  /**
   * Closes the connection without the last chunk, so the client sees a truncated body; first lets it
   * have what was read before (a prompt close would discard queued chunks). A client that does not
   * take that within the idle write timeout loses it.
   */
  private void abort() {
    finish();
    ctx.flush();
    lastWrite.addListener(ChannelFutureListener.CLOSE);
    ctx.executor().schedule(() -> {
      ctx.close();
    }, handler.limits.idleWriteTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void finish() {
    done = true;
    handler.streamDone(this);
    if (watched != null) {
      watched.close();
    }
  }

  /** The connection closed while the stream was running: release the lease at once. */
  void clientGone() {
    if (done) {
      return;
    }
    finish();
    handler.app.left(stream,
        writeFailure == null ? "connection closed" : "connection failed: " + writeFailure);
  }

  @Override
  public boolean writePending() {
    ChannelFuture last = lastWrite;
    return last != null && !last.isDone();
  }

  @Override
  public long writeProgress() {
    return writesDone;
  }

  @Override
  public ClientLease lease() {
    return lease;
  }

  @Override
  public void abort(String why) {
    handler.app.left(stream, why);
    ctx.channel().close(); // thread-safe; channelInactive ends the pump
  }
}
