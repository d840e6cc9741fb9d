package io.github.buffercore.examples.netty;

import io.github.buffercore.examples.EdgeLimits;
import io.github.buffercore.examples.EdgeWatchdog;
import io.github.buffercore.examples.HttpStack;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.WakeupRounds;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example on Netty 4, fully non-blocking: each stream response is pumped on its channel's event
 * loop. The pump polls the reader while the channel is writable; when Netty's outbound buffer passes
 * its high-water mark it stops and resumes on {@code channelWritabilityChanged}, so a slow client never
 * queues unbounded data inside Netty (the library's ring buffer decides when it is too far behind);
 * when the reader has nothing, it parks on the reader's readiness callback, which only queues the
 * pump for its event loop ({@link WakeupRounds}: one task per loop and round, not one per viewer).
 *
 * <p>Edge limits: the header timeout is a task on the channel's event loop, armed when the connection
 * opens or a response ends and cancelled when a complete request arrives; a stream response is
 * watched by an {@link EdgeWatchdog} (idle write timeout, lease ended by the library); the accept
 * backlog is {@code SO_BACKLOG}.
 */
public final class NettyHttpStack implements HttpStack {

  private static final Logger LOG = LoggerFactory.getLogger(NettyHttpStack.class);

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
    Map<EventExecutor, WakeupRounds<StreamPump>> wakeups = new ConcurrentHashMap<>();
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

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
    // No quiet period: nothing new arrives once the server channel is closed. Bounded either way.
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    if (!boss.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS)
        || !workers.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS)) {
      LOG.warn("Netty event loops did not terminate within 10 seconds");
    }
  }
}
