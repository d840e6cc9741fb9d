package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start must compile and run against the current API, exactly as printed. */
class ReadmeQuickStartTest {

  @Test
  void theQuickStartCompilesAndRuns(@TempDir Path work) throws Exception {
    Path readme = Path.of(System.getProperty("user.dir")).resolve("../README.md").normalize();
    String text = Files.readString(readme);
    int begin = text.indexOf("<!-- quick-start:begin");
    int end = text.indexOf("<!-- quick-start:end -->");
    assertThat(begin).as("quick-start markers in %s", readme).isNotNegative();
    String block = text.substring(begin, end);
    String code = block.substring(block.indexOf("```java") + "```java".length(), block.lastIndexOf("```"));
    Path source = work.resolve("QuickStart.java");
    Files.writeString(source, code);

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = compiler.run(null, null, diagnostics, "-d", work.toString(),
        "-classpath", System.getProperty("java.class.path"), source.toString());
    assertThat(status).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try (URLClassLoader loader = new URLClassLoader(new URL[] {work.toUri().toURL()},
        getClass().getClassLoader())) {
      loader.loadClass("QuickStart").getMethod("main", String[].class)
          .invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("RegistrySnapshot", "provider-1", "channel-42");
    assertThat(List.of(status)).containsExactly(0);
  }
}
