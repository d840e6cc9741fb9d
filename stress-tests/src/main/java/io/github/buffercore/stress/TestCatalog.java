package io.github.buffercore.stress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The suite's tests, found where jcstress itself finds them (the {@code META-INF/TestList} its
 * annotation processor writes), so no list is kept by hand. The layout is one file per invariant:
 * {@code io.github.buffercore.stress.<area>.<Invariant>} is the real test, and its nested classes
 * {@code <Invariant>.Broken<Variant>} are the broken variants it must catch. The invariant names
 * themselves are kept in the package documentation of buffer-core and buffer-micrometer; the
 * stress-tests unit test {@code InvariantListTest} checks that this catalog, those lists and the
 * README's table name the same invariants.
 */
public final class TestCatalog {

  /** jcstress test names of the real tests: {@code io.github.buffercore.stress.<area>.<Invariant>}. */
  static final String REAL_FILTER = "^io\\.github\\.buffercore\\.stress\\.\\w+\\.\\w+$";

  /** jcstress test names of the broken variants: the nested {@code Broken*} classes. */
  static final String BROKEN_FILTER = "^io\\.github\\.buffercore\\.stress\\.\\w+\\.\\w+\\.Broken\\w*$";

  /** Each record's first field is the test's name, written as {@code JCTEST<length>S<name>}. */
  private static final Pattern NAME = Pattern.compile("JCTEST(\\d+)S");

  private final Map<String, List<String>> brokenByReal;

  private TestCatalog(Map<String, List<String>> brokenByReal) {
    this.brokenByReal = brokenByReal;
  }

  /**
   * Reads the catalog from the class path.
   *
   * @return the catalog
   * @throws IllegalStateException if no test list is on the class path, or a nested test class is not
   *     named {@code Broken*} or sits under no real test
   */
  public static TestCatalog load() {
    List<String> names = new ArrayList<>();
    try (InputStream in = TestCatalog.class.getClassLoader().getResourceAsStream("META-INF/TestList")) {
      if (in == null) {
        throw new IllegalStateException("No META-INF/TestList on the class path: jcstress's annotation "
            + "processor did not run on the stress tests");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      Matcher m = NAME.matcher(text);
      while (m.find()) {
        int length = Integer.parseInt(m.group(1));
        names.add(text.substring(m.end(), m.end() + length));
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read META-INF/TestList: " + e, e);
    }
    return of(names);
  }

  static TestCatalog of(List<String> names) {
    Map<String, List<String>> brokenByReal = new TreeMap<>();
    for (String name : names) {
      if (name.matches(REAL_FILTER)) {
        brokenByReal.computeIfAbsent(name, n -> new ArrayList<>());
      }
    }
    for (String name : names) {
      if (name.matches(REAL_FILTER) || !name.startsWith(StressRunner.STRESS_PACKAGE)) {
        continue;
      }
      String outer = name.substring(0, name.lastIndexOf('.'));
      if (!name.matches(BROKEN_FILTER) || !brokenByReal.containsKey(outer)) {
        throw new IllegalStateException("jcstress test " + name + " is neither a real test "
            + "(stress.<area>.<Invariant>) nor a nested Broken* variant of one");
      }
      brokenByReal.get(outer).add(name);
    }
    return new TestCatalog(brokenByReal);
  }

  /**
   * The real tests, one per invariant, by full jcstress name.
   *
   * @return the names, sorted
   */
  public List<String> realTests() {
    return List.copyOf(brokenByReal.keySet());
  }

  /**
   * The broken variants, by full jcstress name.
   *
   * @return the names
   */
  public List<String> brokenTests() {
    return brokenByReal.values().stream().flatMap(List::stream).sorted().toList();
  }

  /**
   * The broken variants of one real test.
   *
   * @param real the real test's full name
   * @return its nested broken variants (empty if it has none)
   */
  public List<String> brokenOf(String real) {
    return brokenByReal.getOrDefault(real, List.of());
  }

  /**
   * The invariant names: the real tests' simple names.
   *
   * @return the names, sorted
   */
  public List<String> invariants() {
    return brokenByReal.keySet().stream().map(n -> n.substring(n.lastIndexOf('.') + 1)).sorted().toList();
  }
}
