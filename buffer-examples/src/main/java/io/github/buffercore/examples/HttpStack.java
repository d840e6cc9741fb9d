package io.github.buffercore.examples;

import java.net.InetSocketAddress;

/** One HTTP server technology serving a {@link ProxyApp}. */
public interface HttpStack {

  /** A started server. */
  interface RunningServer extends AutoCloseable {
    /** The port it listens on. */
    int port();

    /** Stops accepting and ends every open response; does not close the app. */
    @Override
    void close();
  }

  /** The stack's name, for the banner. */
  String name();

  /**
   * Starts serving {@code app} on {@code address} (port 0 picks a free port).
   *
   * @param app the application
   * @param address where to listen
   * @return the running server
   * @throws Exception if it cannot start
   */
  RunningServer start(ProxyApp app, InetSocketAddress address) throws Exception;
}
