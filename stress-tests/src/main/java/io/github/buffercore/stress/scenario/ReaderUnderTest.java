package io.github.buffercore.stress.scenario;

/**
 * The {@code ReaderClosedWithLease} race: a lease's reader is created while the lease is released
 * (closed by its holder, or evicted by a cleanup). Implemented by {@link LeaseReaderRace} on the real
 * registry and by a broken sketch.
 */
public interface ReaderUnderTest {

  /**
   * Actor: creates the lease's reader.
   *
   * @return 1 if a reader was returned, 0 if the lease refused (already released)
   */
  int reader();

  /** Actor: releases the lease (closes it, or runs a cleanup that evicts it). */
  void release();

  /**
   * Arbiter: whether the lease was released.
   *
   * @return 1 if released, 0 if still open
   */
  int released();

  /**
   * Arbiter: whether the reader returned by {@link #reader()}, if any, is closed.
   *
   * @return 1 if closed, 0 if open or none was returned
   */
  int readerClosed();

  /** Arbiter, last: frees what the state holds. */
  void dispose();
}
