package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.buffercore.PlaylistRegistry;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * buffer-core as a named module, the way a modular application uses it: a tiny consumer with
 * {@code requires io.github.buffercore;} is compiled with javax.tools against the module path (the
 * library, Caffeine and the SLF4J API, nothing else) and run in a child {@code java --module-path}
 * process; a consumer that imports {@code io.github.buffercore.internal} does not compile, and the
 * running consumer cannot open the internal package by reflection either.
 */
class ModulePathConsumerTest {

  private static final String MODULE_INFO = """
      module consumer {
        requires io.github.buffercore;
      }
      """;

  private static final String MAIN = """
      package consumer;

      import io.github.buffercore.ClientLease;
      import io.github.buffercore.PlaylistRegistry;
      import io.github.buffercore.PlaylistSettings;

      public class Main {
        public static void main(String[] args) throws Exception {
          Module core = PlaylistRegistry.class.getModule();
          System.out.println("module=" + core.getName() + " named=" + core.isNamed());
          System.out.println("exports api=" + core.isExported("io.github.buffercore")
              + " internal=" + core.isExported("io.github.buffercore.internal"));
          try (PlaylistRegistry registry = PlaylistRegistry.builder().build()) {
            try (ClientLease lease = registry.acquire("p1", "c1", id -> PlaylistSettings.withTuners(1))) {
              System.out.println("clients=" + registry.snapshot().totalClients());
            }
            // The builder hands back a private subclass of the implementation in the internal package.
            Class<?> impl = Class.forName(core, "io.github.buffercore.internal.DefaultPlaylistRegistry");
            System.out.println("impl=" + impl.getName());
            try {
              impl.getDeclaredConstructors()[0].setAccessible(true);
              System.out.println("reflection=opened");
            } catch (RuntimeException refused) {
              System.out.println("reflection=" + refused.getClass().getSimpleName());
            }
          }
        }
      }
      """;

  private static final String INTERNAL_USER = """
      package consumer;

      import io.github.buffercore.internal.DefaultPlaylistRegistry;

      public class Sneaky {
        Class<?> impl = DefaultPlaylistRegistry.class;
      }
      """;

  @TempDir
  Path work;

  /** Where a class was loaded from: a jar, or a classes directory in a reactor build. */
  private static Path location(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static String modulePath() throws URISyntaxException {
    // buffer-core's runtime dependencies are exactly Caffeine and the SLF4J API.
    return String.join(File.pathSeparator, location(PlaylistRegistry.class).toString(),
        location(Caffeine.class).toString(), location(Logger.class).toString());
  }

  private Path source(Path root, String relative, String text) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private record Compilation(boolean success, List<String> errors) { }

  private Compilation compile(Path out, Path... units) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK with javac").isNotNull();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        StandardCharsets.UTF_8)) {
      // An explicit, empty class path: javac would otherwise search this test's own class path,
      // where buffer-core's classes sit in the unnamed module.
      Path emptyClassPath = Files.createDirectories(work.resolve("empty-class-path"));
      List<String> options = List.of("--release", "17", "--module-path", modulePath(),
          "--class-path", emptyClassPath.toString(), "-d", out.toString(), "-Xlint:all");
      boolean ok = javac.getTask(new StringWriter(), files, diagnostics, options, null,
          files.getJavaFileObjects(units)).call();
      List<String> errors = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          errors.add(d.getMessage(Locale.ROOT));
        }
      }
      return new Compilation(ok, errors);
    }
  }

  @Test
  void aModularConsumerCompilesAndRunsOnTheModulePath() throws Exception {
    Path sources = work.resolve("src");
    Path out = Files.createDirectories(work.resolve("out"));
    Compilation compiled = compile(out,
        source(sources, "module-info.java", MODULE_INFO), source(sources, "consumer/Main.java", MAIN));
    assertThat(compiled.errors()).isEmpty();
    assertThat(compiled.success()).isTrue();

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(java.toString(),
        "--module-path", out + File.pathSeparator + modulePath(), "-m", "consumer/consumer.Main")
        .redirectErrorStream(true).start();
    String output;
    try {
      process.getOutputStream().close();
      output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("consumer finished").isTrue();
    } finally {
      process.destroyForcibly();
    }
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("module=io.github.buffercore named=true")
        .contains("exports api=true internal=false")
        .contains("clients=1")
        .contains("impl=io.github.buffercore.internal.")
        .contains("reflection=InaccessibleObjectException");
  }

  @Test
  void theInternalPackageIsNotReachableFromAConsumer() throws Exception {
    Path sources = work.resolve("src");
    Path out = Files.createDirectories(work.resolve("out"));
    Compilation compiled = compile(out,
        source(sources, "module-info.java", MODULE_INFO),
        source(sources, "consumer/Sneaky.java", INTERNAL_USER));
    assertThat(compiled.success()).isFalse();
    assertThat(compiled.errors()).anySatisfy(error -> assertThat(error)
        .contains("io.github.buffercore.internal")
        .contains("does not export it"));
  }
}
