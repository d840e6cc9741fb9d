package io.github.buffercore.stress.broken;

import io.github.buffercore.stress.scenario.ReaderUnderTest;

/**
 * A sketch of a lease whose release closes the reader first and marks the lease released after: a
 * reader created in between is never closed (a viewer's socket and ring reader leaked past the
 * lease's end). The window is widened with {@link RaceWindow#SPIN}. Not a copy of buffer-core.
 */
public final class CloseFirstLease implements ReaderUnderTest {

  /** A reader that only knows whether it was closed. */
  private static final class Reader {
    volatile boolean closed;
  }

  private volatile boolean released;
  private Reader reader; // guarded by this
  private volatile Reader returned;

  @Override
  public int reader() {
    synchronized (this) {
      if (released) {
        return 0;
      }
      reader = new Reader();
      returned = reader;
    }
    return 1;
  }

  @Override
  public void release() {
    Reader toClose;
    synchronized (this) {
      toClose = reader;
    }
    if (toClose != null) {
      toClose.closed = true;
    }
    RaceWindow.widen();
    released = true; // too late: a reader created since the look above stays open
  }

  @Override
  public int released() {
    return released ? 1 : 0;
  }

  @Override
  public int readerClosed() {
    Reader r = returned;
    return r != null && r.closed ? 1 : 0;
  }

  @Override
  public void dispose() {
    // nothing held
  }
}
