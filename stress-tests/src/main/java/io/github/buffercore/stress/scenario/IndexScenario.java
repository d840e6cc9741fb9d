package io.github.buffercore.stress.scenario;

import io.github.buffercore.internal.ts.RandomAccessIndex;

/**
 * The race of the {@code IndexPointConsistent} invariant: a full two-entry random access index holding
 * points at positions 100 and 200 (media time and PSI counters 1 and 2, so that each field names its
 * entry); the writer adds the point at 300 (which evicts 100) and then drops everything before 250 (the
 * ring wrapped past 200), while a joining reader asks for the oldest point. The reader must get one
 * whole entry that was in the index: {@code 100, 1, 1}, {@code 200, 2, 2} or {@code 300, 3, 3}.
 */
public final class IndexScenario {

  /** The index a scenario drives: the real one, or a broken variant. */
  public interface IndexUnderTest {

    /** Writer: adds a point. */
    void add(long position, long timeNanos, int psiContinuity);

    /** Writer: drops points before a position. */
    void dropBefore(long oldestIntact);

    /** Reader: the oldest point at or after {@code position} as {position, time, continuity}, or -1s. */
    long[] oldestAtOrAfter(long position);

    /** The real {@link RandomAccessIndex}. */
    static IndexUnderTest real(int capacity) {
      RandomAccessIndex index = new RandomAccessIndex(capacity);
      return new IndexUnderTest() {
        @Override
        public void add(long position, long timeNanos, int psiContinuity) {
          index.add(position, timeNanos, psiContinuity, null);
        }

        @Override
        public void dropBefore(long oldestIntact) {
          index.dropBefore(oldestIntact);
        }

        @Override
        public long[] oldestAtOrAfter(long position) {
          RandomAccessIndex.Point point = new RandomAccessIndex.Point();
          index.oldestAtOrAfter(position, point);
          return new long[] {point.position(), point.timeNanos(), point.psiContinuity()};
        }
      };
    }
  }

  private final IndexUnderTest index;

  /**
   * Sets up the full index.
   *
   * @param factory builds an index of the given capacity
   */
  public IndexScenario(java.util.function.IntFunction<IndexUnderTest> factory) {
    this.index = factory.apply(2);
    index.add(100, 1, 1);
    index.add(200, 2, 2);
  }

  /** The writer actor: a new point, then the ring's wrap. */
  public void write() {
    index.add(300, 3, 3);
    index.dropBefore(250);
  }

  /** The reader actor: {position, time, continuity} of the oldest point. */
  public long[] join() {
    return index.oldestAtOrAfter(0);
  }
}
