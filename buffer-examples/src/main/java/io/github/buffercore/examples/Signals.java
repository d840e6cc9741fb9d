package io.github.buffercore.examples;

/**
 * SIGTERM and SIGINT as an orderly stop with exit status 0. A JVM ends with 143 (128 + SIGTERM) when
 * the signal runs its shutdown hooks; handling the signal instead lets the launcher close everything
 * and exit with 0, which tells a service manager the stop was clean.
 */
final class Signals {

  private Signals() { }

  /**
   * Runs {@code action} (once per signal, on a JVM signal thread) on SIGTERM and SIGINT.
   *
   * @param action what to do; must not block
   * @return whether the handlers were installed (the JVM may refuse, e.g. under {@code -Xrs})
   */
  @SuppressWarnings("restriction")
  static boolean onTermination(Runnable action) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> action.run());
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> action.run());
      return true;
    } catch (IllegalArgumentException | UnsupportedOperationException refused) {
      return false;
    }
  }
}
