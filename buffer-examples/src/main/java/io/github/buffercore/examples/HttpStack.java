package io.github.buffercore.examples;

import java.net.InetSocketAddress;

/**
 * One HTTP server technology serving a {@link ProxyApp}. An implementation follows the contract of
 * {@link ProxyApp} (no commit before the first byte, abort after a failure once committed) and
 * enforces the {@link EdgeLimits}; the conformance kit in this module's tests ({@code EdgeConformanceKit})
 * checks both through real sockets, and a new stack passes it by extending it.
 */
public interface HttpStack {

  /** A started server. */
  interface RunningServer extends AutoCloseable {
    /**
     * The port it listens on.
     *
     * @return the port
     */
    int port();

    /** Stops accepting and aborts every open stream response; does not close the app. */
    @Override
    void close();
  }

  /**
   * The stack's name, for the banner.
   *
   * @return the name
   */
  String name();

  /**
   * Whether every open stream response holds a thread of its own (a blocking stack): the JIT warm-up
   * then keeps its crowds as small as its first flood, since each warm-up viewer would cost a thread
   * and its stack for the life of the process's memory.
   *
   * @return true for a thread-per-viewer stack; false (the default) for a non-blocking one
   */
  default boolean threadPerViewer() {
    return false;
  }

  /**
   * Starts serving {@code app} on {@code address} (port 0 picks a free port) with the given limits.
   *
   * @param app the application
   * @param address where to listen
   * @param limits the edge limits to enforce
   * @return the running server
   * @throws java.net.BindException (possibly as the cause of the exception thrown) if the address is in use
   * @throws Exception if it cannot start
   */
  RunningServer start(ProxyApp app, InetSocketAddress address, EdgeLimits limits) throws Exception;

  /**
   * Starts serving {@code app} on {@code address} with {@link EdgeLimits#defaults()}.
   *
   * @param app the application
   * @param address where to listen
   * @return the running server
   * @throws Exception if it cannot start
   */
  default RunningServer start(ProxyApp app, InetSocketAddress address) throws Exception {
    return start(app, address, EdgeLimits.defaults());
  }
}
