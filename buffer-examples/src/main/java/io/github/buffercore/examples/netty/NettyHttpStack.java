package io.github.buffercore.examples.netty;

import io.github.buffercore.ClientLease;
import io.github.buffercore.StreamReader;
import io.github.buffercore.examples.EdgeLimits;
import io.github.buffercore.examples.EdgeWatchdog;
import io.github.buffercore.examples.ClientRequest;
import io.github.buffercore.examples.HttpStack;
import io.github.buffercore.examples.Problems;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamHead;
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
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
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
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example on Netty 4, fully non-blocking: each stream response is pumped on its channel's event
 * loop. The pump polls the reader while the channel is writable; when Netty's outbound buffer passes
 * its high-water mark it stops and resumes on {@code channelWritabilityChanged}, so a slow client never
 * queues unbounded data inside Netty (the library's ring buffer decides when it is too far behind);
 * when the reader has nothing, it parks on the reader's readiness callback, which only queues the
 * pump for its event loop ({@code LoopWakeups}: one task per loop and round, not one per viewer).
 *
 * <p>Edge limits: the header timeout is a task on the channel's event loop, armed when the connection
 * opens or a response ends and cancelled when a complete request arrives; a stream response is
 * watched by an {@link EdgeWatchdog} (idle write timeout, lease ended by the library); the accept
 * backlog is {@code SO_BACKLOG}.
 */
public final class NettyHttpStack implements HttpStack {

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

  /** System property that forces the JDK's NIO transport ({@code nio}) instead of native epoll. */
  static final String TRANSPORT_PROPERTY = "buffercore.netty.transport";

  /** Largest request (headers and body) accepted; the proxy only serves bodiless GET and HEAD. */
  static final int MAX_REQUEST = 16 * 1024;

  /**
   * Event loops per core, twice Netty's default: each loop serves its share of a join storm in turn,
   * so fewer connections per loop means a shorter wait for the last of them.
   */
  static final int EVENT_LOOPS_PER_CORE = 4;

  /** Whether the native epoll transport is used where it loads; false forces the JDK's NIO. */
  private final boolean nativeTransport;

  /** A stack on Netty's native epoll transport where it loads, else on the JDK's NIO. */
  public NettyHttpStack() {
    this(true);
  }

  /**
   * A stack on the given transport.
   *
   * @param nativeTransport true for the native epoll transport where it loads (the default); false for
   *     the JDK's NIO everywhere, as {@code -Dbuffercore.netty.transport=nio} does for the default
   */
  public NettyHttpStack(boolean nativeTransport) {
    this.nativeTransport = nativeTransport;
  }

  @Override
  public String name() {
    return "Netty 4 (non-blocking)";
  }

  @Override
  public RunningServer start(ProxyApp app, InetSocketAddress address, EdgeLimits limits) throws Exception {
    // Netty's native epoll transport where it loads (Linux): per connection it saves the JDK selector's
    // bookkeeping (selected-key sets, interest-op syscalls), which a storm of joins pays thousands of
    // times; elsewhere, or with -Dbuffercore.netty.transport=nio, the JDK's NIO.
    boolean epoll = nativeTransport && !"nio".equals(System.getProperty(TRANSPORT_PROPERTY))
        && Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> serverChannelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netty-boss", true), io);
    // Four loops per core, not Netty's two: on the 2-core load machine, 5,000 viewers joining at once got
    // their first byte at p99 56-285 ms (median 79) with eight loops against 84-647 ms (median 201) with
    // four, better in 11 of 14 alternating runs, at the same CPU per viewer-second; two loops were worse
    // than four in 6 of 6. A loop runs the joins of its connections one after the other, and a loop the
    // scheduler has parked holds its whole share. benchmarks/results/LOAD-NOTES.md, 2026-12-03.
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
        EVENT_LOOPS_PER_CORE * Runtime.getRuntime().availableProcessors(),
        new DefaultThreadFactory("netty-http", true), io);
    EdgeWatchdog watchdog = new EdgeWatchdog("netty", limits);
    Map<EventExecutor, LoopWakeups> wakeups = new ConcurrentHashMap<>();
    Channel serverChannel;
    try {
      serverChannel = new ServerBootstrap()
          .group(boss, workers)
          .channel(serverChannelType)
          .option(ChannelOption.SO_BACKLOG, limits.backlog())
          .childOption(ChannelOption.SO_SNDBUF, limits.sendBuffer())
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              channel.pipeline()
                  .addLast(new HttpServerCodec())
                  .addLast(new HttpObjectAggregator(MAX_REQUEST))
                  .addLast(new ProxyHandler(app, limits, watchdog, wakeups));
            }
          })
          .bind(address).sync().channel();
    } catch (Exception e) {
      watchdog.close();
      shutdown(boss, workers);
      throw e;
    }
    LOG.debug("Netty transport: {}", epoll ? "native epoll" : "NIO");
    return new RunningServer() {
      @Override
      public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
      }

      @Override
      public void close() {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Shutting the workers down closes every client channel (no last chunk: an abort);
        // channelInactive releases the leases.
        shutdown(boss, workers);
        watchdog.close();
      }
    };
  }

  /**
   * The readiness callbacks of one event loop's viewers, run by one task per round: a publication (or
   * the batch flush) wakes many viewers of a stream at once on the writer's thread, and handing each
   * its own task would cost a task and a selector wake-up per viewer; here it is one per loop.
   */
  private static final class LoopWakeups implements Runnable {

    private final EventExecutor loop;
    private final Queue<ProxyHandler.StreamPump> due = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    LoopWakeups(EventExecutor loop) {
      this.loop = loop;
    }

    /** Any thread (the stream's writer, the flush timer, a closing thread): queues a viewer's pump. */
    void add(ProxyHandler.StreamPump pump) {
      due.offer(pump);
      if (scheduled.compareAndSet(false, true)) {
        try {
          loop.execute(this);
        } catch (RejectedExecutionException stopped) {
          // The server is shutting down: closing the loop closes its channels, and their
          // channelInactive releases the leases; there is nothing left to pump.
          LOG.debug("Event loop {} stopped; not waking stream {} of client {}", loop,
              pump.stream.channelId(), pump.lease().clientId());
        }
      }
    }

    @Override
    public void run() {
      // Cleared before draining: a pump queued after this point schedules the next round itself.
      scheduled.set(false);
      ProxyHandler.StreamPump pump;
      while ((pump = due.poll()) != null) {
        pump.wake();
      }
    }
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
    private final EdgeLimits limits;
    private final EdgeWatchdog watchdog;
    private final Map<EventExecutor, LoopWakeups> wakeups;
    /** The stream being sent on this connection, or {@code null}; event-loop confined. */
    private StreamPump pump;
    /** The pending header timeout, or {@code null}; event-loop confined. */
    private ScheduledFuture<?> headerTimeout;

    ProxyHandler(ProxyApp app, EdgeLimits limits, EdgeWatchdog watchdog,
        Map<EventExecutor, LoopWakeups> wakeups) {
      this.wakeups = wakeups;
      this.app = app;
      this.limits = limits;
      this.watchdog = watchdog;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      armHeaderTimeout(ctx);
      ctx.fireChannelActive();
    }

    /** The next request head must be complete within the header timeout, or the connection closes. */
    private void armHeaderTimeout(ChannelHandlerContext ctx) {
      disarmHeaderTimeout();
      headerTimeout = ctx.executor().schedule(() -> {
        headerTimeout = null;
        LOG.debug("Closing connection {}: no complete request head within {}", ctx.channel(),
            limits.headerTimeout());
        ctx.close();
      }, limits.headerTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void disarmHeaderTimeout() {
      if (headerTimeout != null) {
        headerTimeout.cancel(false);
        headerTimeout = null;
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      disarmHeaderTimeout();
      if (pump != null) {
        // A request pipelined behind an endless stream could never be answered in order.
        LOG.debug("Closing connection {}: request {} pipelined behind stream {}", ctx.channel(),
            request.method(), pump.stream.channelId());
        ctx.close();
        return;
      }
      if (request.decoderResult().isFailure()) {
        sendText(ctx, request, Problems.problem(400, "Malformed request"), false);
        return;
      }
      String rawPath = rawPath(request.uri());
      if (rawPath == null) {
        sendText(ctx, request, Problems.problem(400, "Malformed request target"), false);
        return;
      }
      InetSocketAddress remote = ctx.channel().remoteAddress() instanceof InetSocketAddress address
          ? address : null;
      ClientRequest client = new ClientRequest(
          remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress(),
          request.headers().get(HttpHeaderNames.USER_AGENT), request.headers().get(ClientRequest.KEY_HEADER),
          ClientRequest.queryOf(request.uri()));
      ProxyApp.Outcome outcome = app.handle(request.method().name(), rawPath, client);
      if (outcome instanceof TextOutcome text) {
        sendText(ctx, request, text, HttpUtil.isKeepAlive(request));
        return;
      }
      boolean chunked = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
      if (outcome instanceof StreamHead) {
        // HEAD answers the headers of a GET (chunked, no Content-Length) and gives nothing back.
        FullHttpResponse headers = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.EMPTY_BUFFER);
        headers.headers().set(streamHead(chunked).headers());
        boolean keepAlive = chunked && HttpUtil.isKeepAlive(request);
        ctx.writeAndFlush(headers).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE
            : ChannelFutureListener.CLOSE);
        if (keepAlive) {
          armHeaderTimeout(ctx);
        }
        return;
      }
      StreamOutcome stream = (StreamOutcome) outcome;
      pump = new StreamPump(stream, ctx, request, chunked);
      pump.pump();
    }

    private static HttpResponse streamHead(boolean chunked) {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, StreamOutcome.CONTENT_TYPE);
      head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      if (chunked) {
        HttpUtil.setTransferEncodingChunked(head, true);
      } else {
        // HTTP/1.0 has no chunks: the body ends when the connection closes.
        head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      return head;
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
      disarmHeaderTimeout();
      if (pump != null) {
        pump.clientGone();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Usually a reset connection; channelInactive follows and releases the lease.
      LOG.debug("Connection {} failed: {}", ctx.channel(), cause.toString());
      ctx.close();
    }

    /** Called by the pump when its response is complete, so the connection can serve again. */
    void streamDone(StreamPump finished) {
      if (pump == finished) {
        pump = null;
      }
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

    private void sendText(ChannelHandlerContext ctx, FullHttpRequest request, TextOutcome text,
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
      if (keepAlive) {
        armHeaderTimeout(ctx);
      }
    }

    /**
     * Copies one stream to one connection. Every method but the {@link EdgeWatchdog.Watched} ones runs
     * on the channel's event loop, which makes it the reader's single consumer; the readiness callback
     * only schedules {@link #pump()} there. Nothing is sent before the reader's first byte; a failure
     * before it is answered with its problem; after it, the connection is closed without the last
     * chunk once the data read before the failure was flushed.
     */
    private final class StreamPump implements EdgeWatchdog.Watched {

      final StreamOutcome stream;
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

      StreamPump(StreamOutcome stream, ChannelHandlerContext ctx, FullHttpRequest request, boolean chunked) {
        this.stream = stream;
        this.reader = stream.reader();
        this.lease = stream.lease();
        this.ctx = ctx;
        this.request = request;
        this.chunked = chunked;
        this.pastEncoder = Objects.requireNonNull(ctx.pipeline().context(HttpServerCodec.class), "codec");
        LoopWakeups loop = wakeups.computeIfAbsent(ctx.executor(), LoopWakeups::new);
        this.readable = () -> loop.add(this);
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
                lastWrite = ctx.write(streamHead(chunked)).addListener(writeDone);
                watched = watchdog.watch(this);
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
        sendText(ctx, request, problem, HttpUtil.isKeepAlive(request));
      }

      /**
       * Closes the connection without the last chunk, so the client sees a truncated body; first lets
       * it have what was read before (a prompt close would discard queued chunks). A client that does
       * not take that within the idle write timeout loses it.
       */
      private void abort() {
        finish();
        ctx.flush();
        lastWrite.addListener(ChannelFutureListener.CLOSE);
        ctx.executor().schedule(() -> {
          ctx.close();
        }, limits.idleWriteTimeout().toNanos(), TimeUnit.NANOSECONDS);
      }

      private void finish() {
        done = true;
        streamDone(this);
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
        app.left(stream, writeFailure == null ? "connection closed" : "connection failed: " + writeFailure);
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
        app.left(stream, why);
        ctx.channel().close(); // thread-safe; channelInactive ends the pump
      }
    }
  }
}
