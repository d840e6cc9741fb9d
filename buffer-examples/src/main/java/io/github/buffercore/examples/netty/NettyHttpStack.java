package io.github.buffercore.examples.netty;

import io.github.buffercore.ClientLease;
import io.github.buffercore.StreamReader;
import io.github.buffercore.examples.HttpStack;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamOutcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example on Netty 4, fully non-blocking: each stream response is pumped on its channel's event
 * loop. The pump polls the reader while the channel is writable; when Netty's outbound buffer passes
 * its high-water mark it stops and resumes on {@code channelWritabilityChanged}, so a slow client never
 * queues unbounded data inside Netty (the library's ring buffer decides when it is too far behind);
 * when the reader has nothing, it parks on the reader's readiness callback, which only schedules the
 * next pump on the event loop.
 */
public final class NettyHttpStack implements HttpStack {

  private static final Logger LOG = LoggerFactory.getLogger(NettyHttpStack.class);

  /** Bytes copied per chunk: whole 1316-byte (7 TS packets) datagrams, about 21 KB. */
  static final int CHUNK = 16 * 1316;

  /** Largest request (headers and body) accepted; the proxy only serves bodiless GET and HEAD. */
  static final int MAX_REQUEST = 16 * 1024;

  /** How long a failed response may take to deliver the data read before the failure. */
  static final Duration FAILED_DRAIN = Duration.ofSeconds(10);

  @Override
  public String name() {
    return "Netty 4 (non-blocking)";
  }

  @Override
  public RunningServer start(ProxyApp app, InetSocketAddress address) throws Exception {
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory("netty-boss", true), NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0,
        new DefaultThreadFactory("netty-http", true), NioIoHandler.newFactory());
    Channel serverChannel;
    try {
      serverChannel = new ServerBootstrap()
          .group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              channel.pipeline()
                  .addLast(new HttpServerCodec())
                  .addLast(new HttpObjectAggregator(MAX_REQUEST))
                  .addLast(new ProxyHandler(app));
            }
          })
          .bind(address).sync().channel();
    } catch (Exception e) {
      shutdown(boss, workers);
      throw e;
    }
    return new RunningServer() {
      @Override
      public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
      }

      @Override
      public void close() {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Shutting the workers down closes every client channel; channelInactive releases the leases.
        shutdown(boss, workers);
      }
    };
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
    // No quiet period: nothing new arrives once the server channel is closed. Bounded either way.
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    if (!boss.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS)
        || !workers.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS)) {
      LOG.warn("Netty event loops did not terminate within 10 seconds");
    }
  }

  /** One per connection: answers requests and pumps at most one stream response. */
  private static final class ProxyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final ProxyApp app;
    /** The stream being sent on this connection, or {@code null}; event-loop confined. */
    private StreamPump pump;

    ProxyHandler(ProxyApp app) {
      this.app = app;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (pump != null) {
        // A request pipelined behind an endless stream could never be answered in order.
        LOG.info("Closing connection {}: request {} {} pipelined behind stream {}", ctx.channel(),
            request.method(), request.uri(), pump.stream.channelId());
        ctx.close();
        return;
      }
      if (request.decoderResult().isFailure()) {
        sendText(ctx, request, badRequest("Malformed request"), false);
        return;
      }
      String rawPath = rawPath(request.uri());
      if (rawPath == null) {
        sendText(ctx, request, badRequest("Malformed request target"), false);
        return;
      }
      ProxyApp.Outcome outcome = app.handle(request.method().name(), rawPath);
      if (outcome instanceof TextOutcome text) {
        sendText(ctx, request, text, HttpUtil.isKeepAlive(request));
        return;
      }
      StreamOutcome stream = (StreamOutcome) outcome;
      boolean chunked = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, StreamOutcome.CONTENT_TYPE);
      head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      if (chunked) {
        HttpUtil.setTransferEncodingChunked(head, true);
      } else {
        // HTTP/1.0 has no chunks: the body ends when the connection closes.
        head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (request.method().equals(HttpMethod.HEAD)) {
        // A live stream never ends, so HEAD answers with the headers only and gives the lease back.
        stream.lease().close();
        FullHttpResponse headers = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.EMPTY_BUFFER);
        headers.headers().set(head.headers());
        ctx.writeAndFlush(headers).addListener(chunked && HttpUtil.isKeepAlive(request)
            ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        return;
      }
      pump = new StreamPump(stream, ctx, !chunked || !HttpUtil.isKeepAlive(request));
      // Flushed at once: the viewer sees 200 and the content type even before the first byte of data.
      pump.lastWrite = ctx.writeAndFlush(head).addListener(pump.writeDone);
      pump.pump();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (pump != null && ctx.channel().isWritable()) {
        pump.pump();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (pump != null) {
        pump.clientGone();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Usually a reset connection; channelInactive follows and releases the lease.
      LOG.info("Connection {} failed: {}", ctx.channel(), cause.toString());
      ctx.close();
    }

    /** Called by the pump when its response is complete, so the connection can serve again. */
    void streamDone(StreamPump finished) {
      if (pump == finished) {
        pump = null;
      }
    }

    private static TextOutcome badRequest(String message) {
      return new TextOutcome(400, "text/plain; charset=utf-8", message + "\n", Map.of());
    }

    /** The path of an origin-form or absolute-form request target, still percent-encoded. */
    private static String rawPath(String target) {
      if (target.startsWith("/")) {
        int end = target.indexOf('?');
        int fragment = target.indexOf('#');
        if (fragment >= 0 && (end < 0 || fragment < end)) {
          end = fragment;
        }
        return end < 0 ? target : target.substring(0, end);
      }
      try {
        String path = new URI(target).getRawPath();
        return path == null || path.isEmpty() ? null : path;
      } catch (URISyntaxException malformed) {
        return null;
      }
    }

    private static void sendText(ChannelHandlerContext ctx, FullHttpRequest request, TextOutcome text,
        boolean keepAlive) {
      byte[] body = text.body().getBytes(StandardCharsets.UTF_8);
      boolean head = request.method().equals(HttpMethod.HEAD);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(text.status()),
          head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, text.contentType());
      text.headers().forEach((name, value) -> response.headers().set(name, value));
      HttpUtil.setContentLength(response, body.length);
      if (!keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else if (!request.protocolVersion().isKeepAliveDefault()) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      ctx.writeAndFlush(response).addListener(
          keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    /**
     * Copies one stream to one connection. Every method runs on the channel's event loop, which makes
     * it the reader's single consumer; the readiness callback only schedules {@link #pump()} there.
     */
    private final class StreamPump {

      final StreamOutcome stream;
      private final StreamReader reader;
      private final ClientLease lease;
      private final ChannelHandlerContext ctx;
      /** Whether the connection ends with the response (HTTP/1.0, or the client asked for it). */
      private final boolean closeAtEnd;
      /** The readiness callback: runs on the stream's writer thread, so it only hops to the loop. */
      private final Runnable readable;
      /** A readiness callback is registered and has not run its pump yet (one may be pending). */
      private boolean parked;
      private boolean done;
      /** The latest write; Netty completes writes in order, so this one completes after all others. */
      ChannelFuture lastWrite;
      /** Why a write failed (the client is usually gone), for the log line of channelInactive. */
      private Throwable writeFailure;
      /** A failed write closes the connection; channelInactive then releases the lease. */
      final ChannelFutureListener writeDone = future -> {
        if (!future.isSuccess()) {
          if (writeFailure == null) {
            writeFailure = future.cause();
          }
          future.channel().close();
        }
      };

      StreamPump(StreamOutcome stream, ChannelHandlerContext ctx, boolean closeAtEnd) {
        this.stream = stream;
        this.reader = stream.reader();
        this.lease = stream.lease();
        this.ctx = ctx;
        this.closeAtEnd = closeAtEnd;
        this.readable = () -> ctx.executor().execute(this::wake);
      }

      private void wake() {
        parked = false;
        pump();
      }

      /** Sends what the reader has while the channel accepts it; then parks or waits for writability. */
      void pump() {
        if (done || parked) {
          return; // a pending readiness callback will resume; polling now could register a second one
        }
        boolean wrote = false;
        try {
          while (ctx.channel().isWritable()) {
            ByteBuf chunk = ctx.alloc().heapBuffer(CHUNK, CHUNK);
            int n;
            try {
              // Poll straight into the (pooled) buffer's array: one copy from the ring, none after.
              n = reader.poll(chunk.array(), chunk.arrayOffset(), CHUNK);
            } catch (RuntimeException e) {
              chunk.release();
              throw e;
            }
            if (n > 0) {
              chunk.writerIndex(n);
              lastWrite = ctx.write(new DefaultHttpContent(chunk)).addListener(writeDone);
              wrote = true;
              continue;
            }
            chunk.release();
            if (n < 0) {
              finish();
              return;
            }
            parked = true;
            reader.onReadable(readable);
            break;
          }
          // Not writable: channelWritabilityChanged calls pump() once Netty drained below the low mark.
        } catch (RuntimeException failure) {
          done = true;
          streamDone(this);
          app.ended(stream, failure); // logs with the ids and closes the lease
          // Closing without the last chunk tells the client the response was cut short; but first let
          // it have what was read before the failure (a prompt close would discard queued chunks).
          // A client that does not read that within FAILED_DRAIN loses it.
          ctx.flush();
          lastWrite.addListener(ChannelFutureListener.CLOSE);
          ctx.executor().schedule(() -> {
            ctx.close();
          }, FAILED_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
          wrote = false;
          return;
        } finally {
          if (wrote) {
            ctx.flush();
          }
        }
      }

      private void finish() {
        done = true;
        streamDone(this);
        LOG.info("Stream {} of playlist {} ended for client {}", stream.channelId(), lease.playlistId(),
            lease.clientId());
        lease.close();
        // The last chunk (empty when not chunked) completes the response; the connection stays
        // open for the next request unless it ends with the response.
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(
            closeAtEnd ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
      }

      /** The connection closed while the stream was running: release the lease at once. */
      void clientGone() {
        if (done) {
          return;
        }
        done = true;
        streamDone(this);
        LOG.info("Client {} of stream {} in playlist {} disconnected{}", lease.clientId(),
            stream.channelId(), lease.playlistId(), writeFailure == null ? "" : ": " + writeFailure);
        lease.close(); // runs a pending readiness callback; its wake() then sees done
      }
    }
  }
}
