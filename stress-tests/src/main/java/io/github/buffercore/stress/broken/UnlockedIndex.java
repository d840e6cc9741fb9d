package io.github.buffercore.stress.broken;

import io.github.buffercore.stress.scenario.IndexScenario;

/**
 * {@link io.github.buffercore.internal.ts.RandomAccessIndex}'s entry ring without its lock: the writer
 * thread owns the arrays, so "it only appends" looks safe, but a reader can read an entry's position
 * before the writer overwrites the evicted slot and its time after (or the other way round).
 */
public final class UnlockedIndex implements IndexScenario.IndexUnderTest {

  private final long[] positions;
  private final long[] times;
  private final int[] continuities;
  private final int capacity;
  private long head;
  private long tail;

  /**
   * Creates the index.
   *
   * @param capacity the number of entries
   */
  public UnlockedIndex(int capacity) {
    this.capacity = capacity;
    this.positions = new long[capacity];
    this.times = new long[capacity];
    this.continuities = new int[capacity];
  }

  @Override
  public void add(long position, long timeNanos, int psiContinuity) {
    if (tail - head == capacity) {
      head++;
    }
    int s = (int) (tail % capacity);
    positions[s] = position;
    times[s] = timeNanos;
    continuities[s] = psiContinuity;
    tail++;
  }

  @Override
  public void dropBefore(long oldestIntact) {
    while (head < tail && positions[(int) (head % capacity)] < oldestIntact) {
      head++;
    }
  }

  @Override
  public long[] oldestAtOrAfter(long position) {
    for (long i = head; i < tail; i++) {
      int s = (int) (i % capacity);
      if (positions[s] >= position) {
        return new long[] {positions[s], times[s], continuities[s]};
      }
    }
    return new long[] {-1, Long.MIN_VALUE, 0};
  }
}
