package io.github.buffercore.stress.broken;

import java.util.Arrays;

/**
 * A broken prefix-sharing list: an append checks that the shared array's claimed count equals its
 * own size and then stores the new count (check, then act) instead of claiming the slot with one
 * compare-and-set. Two appends from the same list both pass the check, both write the same spare
 * slot, and one of the two lists then ends with the other's element: a stream state that counts a
 * viewer who joined a discarded state, and loses its own.
 */
public final class UnclaimedAppendList {

  private final Slots slots;
  private final int size;
  private final Runnable window;

  private static final class Slots {
    final Object[] elements;
    volatile int claimed;

    Slots(Object[] elements, int claimed) {
      this.elements = elements;
      this.claimed = claimed;
    }
  }

  private UnclaimedAppendList(Slots slots, int size, Runnable window) {
    this.slots = slots;
    this.size = size;
    this.window = window;
  }

  /**
   * A one-element list with spare capacity, as the real list has after its first append.
   *
   * @param first the element
   * @param window the widened check-then-act window ({@link RaceWindow#SPIN} under jcstress)
   * @return the list
   */
  public static UnclaimedAppendList of(Object first, Runnable window) {
    Object[] elements = new Object[4];
    elements[0] = first;
    return new UnclaimedAppendList(new Slots(elements, 1), 1, window);
  }

  /**
   * Appends {@code element}: shares the array when the check passes (the bug), copies otherwise.
   *
   * @param element the element
   * @return the longer list
   */
  public UnclaimedAppendList append(Object element) {
    Object[] elements = slots.elements;
    if (size < elements.length && slots.claimed == size) {
      window.run();
      slots.claimed = size + 1;
      elements[size] = element;
      return new UnclaimedAppendList(slots, size + 1, window);
    }
    Object[] grown = Arrays.copyOf(elements, Math.max(4, size * 2));
    Arrays.fill(grown, size, grown.length, null);
    grown[size] = element;
    return new UnclaimedAppendList(new Slots(grown, size + 1), size + 1, window);
  }

  /**
   * The element at {@code index}.
   *
   * @param index the index, below the size
   * @return the element
   */
  public Object get(int index) {
    if (index >= size) {
      throw new IndexOutOfBoundsException(index);
    }
    return slots.elements[index];
  }
}
