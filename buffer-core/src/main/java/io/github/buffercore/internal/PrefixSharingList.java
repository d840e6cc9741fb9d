package io.github.buffercore.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * An immutable list whose {@link #append} is amortised O(1): the lists built from one another by
 * appends share one array, each seeing only its own prefix of it. A stream's clients ({@link
 * StreamState}) and a ring's readers ({@link BroadcastRing}) are such lists, replaced as a whole on
 * every join; with a copied array a storm of n joins copied O(n^2) references (38% of the server's
 * samples while 5,000 viewers joined one stream, see {@code benchmarks/results/LOAD-NOTES.md}).
 *
 * <p><b>AppendClaimsItsSlot</b> (the invariant of the {@code io.github.buffercore.internal} package
 * documentation, proven by the jcstress test of that name): an append writes into the shared array's
 * spare capacity only after claiming the next slot with a compare-and-set of the array's claimed count
 * from its own size; any other append from the same list (a compute that built a list and discarded
 * it, a stale list) fails the claim and copies its prefix into a new array. So each slot is written
 * once, by the one list that claimed it, before that list is published, and two lists appended from
 * the same list never see each other's element. Removal always copies. An element whose list was
 * discarded stays reachable from the shared array until the array itself is dropped (a removal or a
 * growth copies only the live prefix): a bounded, transient retention, never a visible element.
 *
 * <p>Thread safety: a list is immutable once built and safe to read from any thread that obtained it
 * through a safe publication (a map compute, a volatile field). Appends from the same list may race;
 * the claim decides which of them shares the array. Iteration order is append order. Elements are
 * compared by identity.
 *
 * @param <E> the element type
 */
public final class PrefixSharingList<E> implements Iterable<E> {

  private static final int MIN_CAPACITY = 4;

  private static final PrefixSharingList<?> EMPTY = new PrefixSharingList<>(new Slots(new Object[0], 0), 0);

  /** The array and how many of its slots are claimed; shared by every list built by appends. */
  private static final class Slots {
    final Object[] elements;
    /** Only grows, by one compare-and-set per shared append (see {@link #CLAIMED}). */
    int claimed;

    Slots(Object[] elements, int claimed) {
      this.elements = elements;
      this.claimed = claimed;
    }
  }

  private static final VarHandle CLAIMED;

  static {
    try {
      CLAIMED = MethodHandles.lookup().findVarHandle(Slots.class, "claimed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Slots slots;
  private final int size;

  private PrefixSharingList(Slots slots, int size) {
    this.slots = slots;
    this.size = size;
  }

  /**
   * The empty list.
   *
   * @param <E> the element type
   * @return the shared empty list (its appends copy, so it never shares an array)
   */
  @SuppressWarnings("unchecked")
  public static <E> PrefixSharingList<E> empty() {
    return (PrefixSharingList<E>) EMPTY;
  }

  /**
   * A list of the given elements, in order, in a new array without spare capacity.
   *
   * @param <E> the element type
   * @param elements the elements; none {@code null}
   * @return the list
   */
  public static <E> PrefixSharingList<E> copyOf(List<? extends E> elements) {
    if (elements.isEmpty()) {
      return empty();
    }
    Object[] copy = elements.toArray();
    for (Object element : copy) {
      Objects.requireNonNull(element, "element");
    }
    return new PrefixSharingList<>(new Slots(copy, copy.length), copy.length);
  }

  /**
   * Returns this list with {@code element} appended. Shares this list's array when this list is the
   * longest list built on it and the array has room (one compare-and-set, no copy); otherwise copies
   * this list into an array twice its size. This list is never changed.
   *
   * @param element the element to append; not {@code null}
   * @return the longer list
   */
  public PrefixSharingList<E> append(E element) {
    Objects.requireNonNull(element, "element");
    final Slots shared = slots;
    final Object[] elements = shared.elements;
    // The claim (AppendClaimsItsSlot): only the append that moves the claimed count from this list's
    // size writes slot [size]; a list that is not the longest on its array fails here and copies.
    if (size < elements.length && CLAIMED.compareAndSet(shared, size, size + 1)) {
      // Plain store: no list that exists yet reads index size (each reads below its own size), and the
      // list returned reaches other threads only through a later release (the map's compute, the
      // ring's volatile field), which orders this store before any read of it.
      elements[size] = element;
      return new PrefixSharingList<>(shared, size + 1);
    }
    Object[] grown = new Object[Math.max(MIN_CAPACITY, size * 2)];
    System.arraycopy(elements, 0, grown, 0, size); // only the prefix: later slots belong to other lists
    grown[size] = element;
    return new PrefixSharingList<>(new Slots(grown, size + 1), size + 1);
  }

  /**
   * Returns this list followed by {@code more}, appended one by one.
   *
   * @param more the elements to append, in order
   * @return the longer list, or this one if {@code more} is empty
   */
  public PrefixSharingList<E> appendAll(E[] more) {
    PrefixSharingList<E> result = this;
    for (E element : more) {
      result = result.append(element);
    }
    return result;
  }

  /**
   * Returns this list without {@code element} (by identity), in a new array; this list if it does
   * not hold it.
   *
   * @param element the element to remove
   * @return the shorter list, or this one
   */
  public PrefixSharingList<E> without(E element) {
    int index = indexOf(element);
    if (index < 0) {
      return this;
    }
    if (size == 1) {
      return empty();
    }
    Object[] left = new Object[size - 1];
    Object[] elements = slots.elements;
    System.arraycopy(elements, 0, left, 0, index);
    System.arraycopy(elements, index + 1, left, index, size - 1 - index);
    return new PrefixSharingList<>(new Slots(left, left.length), left.length);
  }

  /**
   * The element at {@code index}.
   *
   * @param index from 0 to {@code size() - 1}
   * @return the element
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   */
  @SuppressWarnings("unchecked")
  public E get(int index) {
    Objects.checkIndex(index, size);
    return (E) slots.elements[index];
  }

  /**
   * The number of elements.
   *
   * @return the size
   */
  public int size() {
    return size;
  }

  /**
   * Whether the list is empty.
   *
   * @return {@code size() == 0}
   */
  public boolean isEmpty() {
    return size == 0;
  }

  /**
   * The index of {@code element} (by identity).
   *
   * @param element the element to look for
   * @return its index, or -1
   */
  public int indexOf(Object element) {
    Object[] elements = slots.elements;
    for (int i = 0; i < size; i++) {
      if (elements[i] == element) {
        return i;
      }
    }
    return -1;
  }

  /**
   * An unmodifiable copy of the elements.
   *
   * @return the elements, in order
   */
  @SuppressWarnings("unchecked")
  public List<E> toList() {
    return (List<E>) List.of(Arrays.copyOf(slots.elements, size));
  }

  /**
   * Iterates the elements in append order. The iterator does not support removal.
   *
   * @return an iterator over this list's own prefix
   */
  @Override
  public Iterator<E> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      @SuppressWarnings("unchecked")
      public E next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        return (E) slots.elements[next++];
      }
    };
  }

  @Override
  public String toString() {
    return Arrays.toString(Arrays.copyOf(slots.elements, size));
  }
}
