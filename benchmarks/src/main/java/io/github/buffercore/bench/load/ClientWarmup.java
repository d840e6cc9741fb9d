package io.github.buffercore.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the measuring instrument, not the server: before the first run, a {@link ViewerClient} storm
 * against a private stub server in this JVM (loopback, one selector thread: a head and 16 KB at once,
 * then 4 KB per viewer every 100 ms), so that the client's connect, head-parsing and read loop are
 * compiled when the measured viewers join. The server under test never sees these viewers.
 *
 * <p>Why: client and server share the machine's cores; measured on the Netty 2,000 run, the client's
 * JIT compiled its read path (tier 3, then C2) during the first second of the storm, beside the
 * server's own compiles.
 */
final class ClientWarmup implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClientWarmup.class);
  private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nConnection: close\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII);
  private static final int FIRST = 16 * 1024;
  private static final int LIVE = 4 * 1024;
  private static final long LIVE_EVERY_NANOS = 100_000_000L;

  private final ServerSocketChannel server;
  private final Selector selector;
  private final Thread thread;
  private final List<SocketChannel> accepted = new ArrayList<>();
  private volatile boolean closed;

  private ClientWarmup() throws IOException {
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
    server.configureBlocking(false);
    selector = Selector.open();
    server.register(selector, SelectionKey.OP_ACCEPT);
    thread = new Thread(this::serve, "client-warmup-stub");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs {@code viewers} client viewers against a private stub for {@code watch}, then closes both.
   *
   * @return how many of them were served
   */
  static int run(int viewers, int clientThreads, Duration watch) throws IOException, InterruptedException {
    if (viewers <= 0) {
      return 0;
    }
    long start = System.nanoTime();
    int served = 0;
    try (ClientWarmup stub = new ClientWarmup();
        ViewerClient client = new ViewerClient(new InetSocketAddress(InetAddress.getLoopbackAddress(),
            stub.port()), "/stream/warmup", viewers, clientThreads)) {
      client.start();
      client.awaitSettled(Duration.ofSeconds(30));
      Thread.sleep(watch.toMillis());
      client.stop();
      for (ViewerClient.Viewer viewer : client.viewers()) {
        served += viewer.served() ? 1 : 0;
      }
    }
    LOG.info("Client warm-up: {} of {} viewers served by a private stub in {} ms (the server under test is not "
        + "involved)", served, viewers, (System.nanoTime() - start) / 1_000_000);
    return served;
  }

  private int port() throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  private void serve() {
    ByteBuffer in = ByteBuffer.allocate(4096);
    ByteBuffer first = ByteBuffer.allocateDirect(HEAD.length + FIRST);
    first.put(HEAD).put(new byte[FIRST]).flip();
    ByteBuffer live = ByteBuffer.allocateDirect(LIVE);
    long nextLive = System.nanoTime() + LIVE_EVERY_NANOS;
    try {
      while (!closed) {
        selector.select(20);
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          try {
            if (key.isAcceptable()) {
              for (SocketChannel channel; (channel = server.accept()) != null; ) {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
              }
            } else if (key.isReadable()) {
              SocketChannel channel = (SocketChannel) key.channel();
              in.clear();
              if (channel.read(in) < 0) {
                key.cancel();
                channel.close();
                continue;
              }
              // The request is one short write; answer it once, then only the live writes follow.
              key.interestOps(0);
              channel.write(first.duplicate());
              accepted.add(channel);
            }
          } catch (IOException e) {
            key.cancel();
            key.channel().close();
          }
        }
        if (System.nanoTime() >= nextLive) {
          nextLive += LIVE_EVERY_NANOS;
          for (SocketChannel channel : accepted) {
            if (channel.isOpen()) {
              try {
                channel.write(live.duplicate());
              } catch (IOException e) {
                channel.close();
              }
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("Client warm-up stub failed: {}", e.toString());
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    closed = true;
    selector.wakeup();
    thread.join(5_000);
    for (SocketChannel channel : accepted) {
      channel.close();
    }
    selector.close();
    server.close();
  }
}
