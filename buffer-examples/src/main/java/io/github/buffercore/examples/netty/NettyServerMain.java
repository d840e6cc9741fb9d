package io.github.buffercore.examples.netty;

import io.github.buffercore.examples.Launcher;

/** Runs the example proxy on Netty 4 (non-blocking); see {@link Launcher} for the options. */
public final class NettyServerMain {

  private NettyServerMain() { }

  /**
   * Starts the server.
   *
   * @param args the command line
   * @throws Exception if it cannot start
   */
  public static void main(String[] args) throws Exception {
    Launcher.run(args, new NettyHttpStack());
  }
}
