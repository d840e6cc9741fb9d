package io.github.buffercore.stress.broken;

/**
 * Widens the check-then-act window of a broken variant so that the bounded jcstress run catches it
 * reliably: a ~20 microsecond busy spin, then a yield. Only broken variants call this; the real
 * registry never gets such help. Lincheck's model checker explores interleavings itself and passes
 * {@link #NONE} instead.
 */
public final class RaceWindow {

  /** No widening (for the model checker). */
  public static final Runnable NONE = () -> { };

  /** The widening used under jcstress. */
  public static final Runnable SPIN = RaceWindow::widen;

  private static final long SPIN_NANOS = 20_000L;

  private RaceWindow() { }

  /** Busy-spins about {@value #SPIN_NANOS} ns, then yields. */
  public static void widen() {
    long end = System.nanoTime() + SPIN_NANOS;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
    Thread.yield();
  }
}
