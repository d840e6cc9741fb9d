package io.github.buffercore.stress.broken;

import io.github.buffercore.stress.scenario.GraceUnderTest;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A broken grace period, as RxJava's {@code refCount(timeout)} had it before #6185: a reference count
 * and a connection, where the grace expiry reads "no clients" and then disconnects without checking
 * again that the count is still zero and the connection still the same. A client that joins in between
 * is attached to the connection that is then stopped.
 */
public final class StaleRefCountGrace implements GraceUnderTest {

  /** The upstream connection; {@code stopped} once disconnected. */
  static final class Connection {
    volatile boolean stopped;
  }

  private final Object lock = new Object();
  private final Connection original = new Connection();
  private final Runnable window;
  private int clients = 1;
  private Connection connection = original;
  private volatile Connection joined;

  /**
   * Creates the sketch.
   *
   * @param window widens the check-then-act window ({@link RaceWindow#SPIN} under jcstress)
   */
  public StaleRefCountGrace(Runnable window) {
    this.window = window;
  }

  @Override
  public void leave() {
    synchronized (lock) {
      clients--;
    }
  }

  @Override
  public void rejoin() {
    synchronized (lock) {
      clients++;
      if (connection == null) {
        connection = new Connection();
      }
      joined = connection;
    }
  }

  @Override
  public void expire() {
    Connection toStop;
    synchronized (lock) {
      if (clients != 0 || connection == null) {
        return;
      }
      toStop = connection;
    }
    window.run();
    synchronized (lock) {
      connection = null; // the bug: no second look at clients or at which connection is current
    }
    toStop.stopped = true;
  }

  @Override
  public void arbiter(II_Result r) {
    r.r1 = joined == original ? 1 : 2;
    r.r2 = joined.stopped ? 1 : 0;
  }
}
