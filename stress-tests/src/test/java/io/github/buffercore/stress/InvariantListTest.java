package io.github.buffercore.stress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One list of invariants: the package documentation ({@code <dt>{@code Name}</dt>} entries in the
 * package-info files of buffer-core and buffer-micrometer) is the source; the jcstress tests found by
 * {@link TestCatalog} and the README's invariant table must name exactly the same invariants, and
 * every real test must carry a broken variant.
 */
class InvariantListTest {

  private static final Pattern DOCUMENTED =
      Pattern.compile("<dt>\\{@code (\\w+)\\}</dt>(.*?)</dd>", Pattern.DOTALL);
  /**
   * An invariant whose documentation says its jcstress test is "still to come" (for example
   * {@code EventBalance}, proven by a unit test so far) is not yet required to have one; it is printed.
   */
  private static final String PENDING = "jcstress test is still to come";
  /** A row of the README's invariant table starts with the invariant's name in backticks. */
  private static final Pattern README_ROW = Pattern.compile("(?m)^\\| `(\\w+)`");

  @Test
  void packageDocsTestsAndReadmeNameTheSameInvariants() throws IOException {
    Set<String> documented = documentedInvariants();
    assertThat(documented).as("invariants in the package documentation").isNotEmpty();

    assertThat(new TreeSet<>(TestCatalog.load().invariants()))
        .as("jcstress real tests (stress.<area>.<Invariant>) versus the package documentation")
        .isEqualTo(documented);
    assertThat(readmeInvariants())
        .as("rows of the invariant table in stress-tests/README.md versus the package documentation")
        .isEqualTo(documented);
  }

  @Test
  void everyRealTestHasABrokenVariant() {
    TestCatalog catalog = TestCatalog.load();
    for (String real : catalog.realTests()) {
      assertThat(catalog.brokenOf(real)).as("nested Broken* variants of " + real).isNotEmpty();
    }
  }

  @Test
  void aNestedTestThatIsNotABrokenVariantIsRejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestCatalog.of(List.of(
            "io.github.buffercore.stress.registry.TunerLimit",
            "io.github.buffercore.stress.registry.TunerLimit.Helper")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("io.github.buffercore.stress.registry.TunerLimit.Helper");
  }

  private static Set<String> documentedInvariants() throws IOException {
    Set<String> names = new TreeSet<>();
    for (String module : List.of("../buffer-core", "../buffer-micrometer")) {
      try (Stream<Path> files = Files.walk(Path.of(module, "src", "main", "java"))) {
        for (Path file : files.filter(f -> f.getFileName().toString().equals("package-info.java")).toList()) {
          Matcher m = DOCUMENTED.matcher(Files.readString(file, StandardCharsets.UTF_8));
          while (m.find()) {
            if (m.group(2).replaceAll("\\s*\\*\\s*", " ").contains(PENDING)) {
              System.out.println("Invariant " + m.group(1) + ": its jcstress test is still to come (" + file + ")");
            } else {
              names.add(m.group(1));
            }
          }
        }
      }
    }
    return names;
  }

  private static Set<String> readmeInvariants() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("## Invariants");
    int end = readme.indexOf("\n## ", start + 1);
    assertThat(start).as("the README's '## Invariants' section").isNotNegative();
    Matcher m = README_ROW.matcher(readme.substring(start, end < 0 ? readme.length() : end));
    Set<String> names = new TreeSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
