package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads the main sources and checks their structure: no cycle between files, the registry
 * implementation does not reach into the data plane, and no implementation file grows past 400 lines.
 * A file depends on another when it imports it or names it (same package) outside comments and
 * string literals.
 */
class ArchitectureTest {

  private static final Path MAIN = Path.of("src/main/java");
  private static final String REGISTRY = "io.github.buffercore.internal.DefaultPlaylistRegistry";
  private static final Set<String> DATA_PLANE = Set.of(
      "io.github.buffercore.internal.SharedStream",
      "io.github.buffercore.internal.BroadcastRing",
      "io.github.buffercore.internal.UpstreamPump",
      "io.github.buffercore.internal.TsPacketAligner",
      "io.github.buffercore.internal.LeaseReader",
      "io.github.buffercore.internal.ChunkSink");

  @Test
  void noCycleBetweenFiles() throws IOException {
    Map<String, Set<String>> graph = dependencies(readSources(MAIN));
    assertThat(graph).as("the sources were found").containsKey(REGISTRY);
    assertThat(cycles(graph)).as("strongly connected groups of files").isEmpty();
  }

  @Test
  void theRegistryImplementationDoesNotUseTheDataPlaneClasses() throws IOException {
    Map<String, Set<String>> graph = dependencies(readSources(MAIN));
    assertThat(graph.get(REGISTRY)).doesNotContainAnyElementsOf(DATA_PLANE);
  }

  @Test
  void noImplementationFileIsOverFourHundredLines() throws IOException {
    Map<String, Integer> tooLong = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN.resolve("io/github/buffercore/internal"))) {
      for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        int lines = Files.readAllLines(file).size();
        if (lines > 400) {
          tooLong.put(MAIN.relativize(file).toString(), lines);
        }
      }
    }
    assertThat(tooLong).isEmpty();
  }

  /** The checker itself: it must see a cycle through an import and one through a same-package name. */
  @Test
  void theCheckerFindsCycles() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("a.b.A", "package a.b;\nimport c.C;\n/* B in a comment */ class A { C c; }");
    sources.put("c.C", "package c;\nclass C { String s = \"A\"; D d; }");
    sources.put("c.D", "package c;\nimport a.b.A;\nclass D { A a; }");
    sources.put("c.E", "package c;\n// C D\nclass E { static final class D { } D d; }");
    Map<String, Set<String>> graph = dependencies(sources);
    assertThat(graph.get("c.C")).containsExactly("c.D"); // the string literal "A" is no reference
    assertThat(graph.get("c.E")).isEmpty(); // nor are names in comments, nor its own nested D
    assertThat(cycles(graph)).containsExactly(new TreeSet<>(List.of("a.b.A", "c.C", "c.D")));
  }

  // ---------------------------------------------------------------------------------------------

  private static Map<String, String> readSources(Path root) throws IOException {
    Map<String, String> sources = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        String name = root.relativize(file).toString().replace('/', '.').replace('\\', '.');
        name = name.substring(0, name.length() - ".java".length());
        if (!name.endsWith("package-info") && !name.equals("module-info")) {
          sources.put(name, Files.readString(file));
        }
      }
    }
    return sources;
  }

  private static final Pattern COMMENTS_AND_LITERALS = Pattern.compile(
      "//[^\\n]*|/\\*.*?\\*/|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'",
      Pattern.DOTALL);
  private static final Pattern IMPORT = Pattern.compile(
      "^import\\s+(?:static\\s+)?([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern DECLARATION =
      Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z]\\w*)");
  private static final Pattern IDENTIFIER = Pattern.compile("\\b[A-Z]\\w*\\b");

  /** File -> files it depends on, among the given files only. */
  static Map<String, Set<String>> dependencies(Map<String, String> sources) {
    Map<String, String> packageOf = new HashMap<>();
    sources.keySet().forEach(f -> packageOf.put(f, f.substring(0, Math.max(0, f.lastIndexOf('.')))));
    Map<String, Set<String>> graph = new TreeMap<>();
    for (Map.Entry<String, String> entry : sources.entrySet()) {
      String file = entry.getKey();
      String code = COMMENTS_AND_LITERALS.matcher(entry.getValue()).replaceAll(" ");
      Set<String> edges = new TreeSet<>();
      Matcher imports = IMPORT.matcher(code);
      while (imports.find()) {
        String imported = imports.group(1);
        // io.github.buffercore.RegistryEvent.Type lives in the file of RegistryEvent.
        for (String candidate = imported; candidate.contains("."); 
            candidate = candidate.substring(0, candidate.lastIndexOf('.'))) {
          if (sources.containsKey(candidate)) {
            edges.add(candidate);
            break;
          }
        }
      }
      Set<String> names = new TreeSet<>();
      Matcher identifiers = IDENTIFIER.matcher(code.replaceAll("(?m)^(package|import)\\s[^;]*;", " "));
      while (identifiers.find()) {
        names.add(identifiers.group());
      }
      // A type declared in this file (a nested class) shadows a same-named file of the package.
      Matcher declared = DECLARATION.matcher(code);
      while (declared.find()) {
        names.remove(declared.group(1));
      }
      String pkg = packageOf.get(file);
      for (String other : sources.keySet()) {
        if (packageOf.get(other).equals(pkg) && !other.equals(file)
            && names.contains(other.substring(other.lastIndexOf('.') + 1))) {
          edges.add(other);
        }
      }
      edges.remove(file);
      graph.put(file, edges);
    }
    return graph;
  }

  /** The strongly connected groups of more than one file (Tarjan). */
  static List<Set<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> result = new ArrayList<>();
    int[] counter = {0};
    for (String node : graph.keySet()) {
      if (!index.containsKey(node)) {
        strongConnect(node, graph, index, low, stack, onStack, result, counter);
      }
    }
    return result;
  }

  private static void strongConnect(String node, Map<String, Set<String>> graph,
      Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
      List<Set<String>> result, int[] counter) {
    index.put(node, counter[0]);
    low.put(node, counter[0]);
    counter[0]++;
    stack.push(node);
    onStack.add(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      if (!index.containsKey(next)) {
        strongConnect(next, graph, index, low, stack, onStack, result, counter);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      Set<String> component = new TreeSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(node));
      if (component.size() > 1) {
        result.add(component);
      }
    }
  }
}
