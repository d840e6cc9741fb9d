package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/**
 * The sequential contract of {@link PrefixSharingList}: appends are visible only to the list they
 * return, a list never changes, an append from a list that is not the longest on its array does not
 * disturb the lists that share it, and removal leaves the original intact. The concurrent side of
 * the claim is the jcstress test {@code AppendClaimsItsSlot}.
 */
class PrefixSharingListTest {

  @Test
  void appendsBuildTheListInOrderAndLeaveEveryEarlierListAsItWas() {
    PrefixSharingList<String> empty = PrefixSharingList.empty();
    List<PrefixSharingList<String>> history = new ArrayList<>();
    PrefixSharingList<String> list = empty;
    for (int i = 0; i < 100; i++) {
      list = list.append("e" + i);
      history.add(list);
    }

    assertThat(empty.isEmpty()).isTrue();
    for (int i = 0; i < history.size(); i++) {
      PrefixSharingList<String> earlier = history.get(i);
      assertThat(earlier.size()).isEqualTo(i + 1);
      assertThat(earlier.get(i)).isEqualTo("e" + i);
      assertThat(earlier.toList()).hasSize(i + 1).endsWith("e" + i);
    }
    assertThat(list).containsExactlyElementsOf(list.toList());
  }

  @Test
  void twoAppendsFromTheSameListEachKeepTheirOwnElement() {
    PrefixSharingList<String> base = PrefixSharingList.<String>empty().append("anchor");
    PrefixSharingList<String> first = base.append("first");
    PrefixSharingList<String> second = base.append("second"); // the slot is taken: copies
    PrefixSharingList<String> third = first.append("third"); // first is still the longest: shares

    assertThat(base.toList()).containsExactly("anchor");
    assertThat(first.toList()).containsExactly("anchor", "first");
    assertThat(second.toList()).containsExactly("anchor", "second");
    assertThat(third.toList()).containsExactly("anchor", "first", "third");
    assertThat(second.append("fourth").toList()).containsExactly("anchor", "second", "fourth");
    assertThat(first.toList()).containsExactly("anchor", "first");
  }

  @Test
  void withoutRemovesByIdentityAndLeavesTheOriginalIntact() {
    String a = new String("a");
    String equalToA = new String("a");
    PrefixSharingList<String> list = PrefixSharingList.<String>empty().append(a).append("b").append("c");

    assertThat(list.without(equalToA)).isSameAs(list);
    PrefixSharingList<String> withoutB = list.without("b");
    assertThat(withoutB.toList()).containsExactly("a", "c");
    assertThat(list.toList()).containsExactly("a", "b", "c");
    assertThat(withoutB.append("d").toList()).containsExactly("a", "c", "d");
    assertThat(list.append("e").toList()).containsExactly("a", "b", "c", "e");
    assertThat(list.without(a).without("b").without("c").isEmpty()).isTrue();
    assertThat(list.indexOf(equalToA)).isEqualTo(-1);
    assertThat(list.indexOf(a)).isZero();
  }

  @Test
  void copyOfHoldsTheElementsAndItsAppendsDoNotReachTheSource() {
    List<String> source = new ArrayList<>(List.of("x", "y"));
    PrefixSharingList<String> copy = PrefixSharingList.copyOf(source);
    PrefixSharingList<String> longer = copy.append("z");

    assertThat(copy.toList()).containsExactly("x", "y");
    assertThat(longer.toList()).containsExactly("x", "y", "z");
    assertThat(source).containsExactly("x", "y");
    assertThat(PrefixSharingList.copyOf(List.of())).isSameAs(PrefixSharingList.empty());
  }

  @Test
  void badInputIsRefusedAndChangesNothing() {
    PrefixSharingList<String> list = PrefixSharingList.<String>empty().append("a");

    assertThatThrownBy(() -> list.append(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> list.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
    Iterator<String> iterator = list.iterator();
    assertThat(iterator.next()).isEqualTo("a");
    assertThat(iterator.hasNext()).isFalse();
    assertThatThrownBy(iterator::next).isInstanceOf(NoSuchElementException.class);
    assertThat(list.append("b").toList()).containsExactly("a", "b"); // the failed append took no slot
  }
}
