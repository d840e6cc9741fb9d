package io.github.buffercore.examples.jetty;

import io.github.buffercore.examples.Launcher;

/** Runs the example proxy on Jetty 12 (core API, non-blocking); see {@link Launcher} for the options. */
public final class JettyServerMain {

  private JettyServerMain() { }

  /**
   * Starts the server.
   *
   * @param args the command line
   * @throws Exception if it cannot start
   */
  public static void main(String[] args) throws Exception {
    Launcher.run(args, new JettyHttpStack());
  }
}
