package io.github.buffercore.examples.jdk;

import io.github.buffercore.examples.Launcher;

/** Runs the example proxy on the JDK's built-in HTTP server; see {@link Launcher} for the options. */
public final class JdkServerMain {

  private JdkServerMain() { }

  /**
   * Starts the server.
   *
   * @param args the command line
   * @throws Exception if it cannot start
   */
  public static void main(String[] args) throws Exception {
    Launcher.run(args, new JdkHttpStack());
  }
}
