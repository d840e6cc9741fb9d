package io.github.buffercore.examples.netty;

import io.github.buffercore.examples.ClientRequest;
import io.github.buffercore.examples.EdgeLimits;
import io.github.buffercore.examples.EdgeWatchdog;
import io.github.buffercore.examples.Problems;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamHead;
import io.github.buffercore.examples.ProxyApp.StreamOutcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import io.github.buffercore.examples.WakeupRounds;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per connection: answers requests and hands a stream response to its {@link StreamPump}, at most
 * one at a time. Event-loop confined, like every Netty handler of one channel.
 */
final class ProxyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(NettyHttpStack.class);

  final ProxyApp app;
  final EdgeLimits limits;
  final EdgeWatchdog watchdog;
  /** Every loop's wake-up queue, shared by the handlers of all connections. */
  private final Map<EventExecutor, WakeupRounds<StreamPump>> wakeups;
  /** The stream being sent on this connection, or {@code null}; event-loop confined. */
  private StreamPump pump;
  /** The pending header timeout, or {@code null}; event-loop confined. */
  private ScheduledFuture<?> headerTimeout;

  ProxyHandler(ProxyApp app, EdgeLimits limits, EdgeWatchdog watchdog,
      Map<EventExecutor, WakeupRounds<StreamPump>> wakeups) {
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
    pump = new StreamPump(this, stream, ctx, request, chunked,
        wakeups.computeIfAbsent(ctx.executor(),
            loop -> new WakeupRounds<>(loop, PlatformDependent.newMpscQueue(), StreamPump::wake)));
    pump.pump();
  }

  /** The head of a stream response: chunked on HTTP/1.1; on HTTP/1.0 the body ends with the connection. */
  static HttpResponse streamHead(boolean chunked) {
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

  /** Sends a whole text response; on keep-alive the next request head is timed from now. */
  void sendText(ChannelHandlerContext ctx, FullHttpRequest request, TextOutcome text, boolean keepAlive) {
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
}
