package io.github.buffercore.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.bench.load.LoadConfig.RunSpec;
import io.github.buffercore.bench.load.LoadConfig.Stack;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The load benchmark's command line: runs, defaults, and the errors that name what was wrong. */
class LoadConfigTest {

  @Test
  void runsAreParsedInOrderAndLabelledAsGiven() {
    LoadConfig config = LoadConfig.parse(new String[] {"--runs", "netty:5000, floor:10,vlc:1", "--duration", "10"});

    assertThat(config.runs()).containsExactly(new RunSpec(Stack.NETTY, 5000), new RunSpec(Stack.FLOOR, 10),
        new RunSpec(Stack.VLC, 1));
    assertThat(config.runs()).extracting(RunSpec::label).containsExactly("netty:5000", "floor:10", "vlc:1");
    assertThat(config.durationSeconds()).isEqualTo(10);
  }

  @Test
  void optionsNotGivenTakeTheirDefaults() {
    LoadConfig config = LoadConfig.parse(new String[0]);

    assertThat(config.runs()).extracting(RunSpec::label)
        .containsExactly("jdk:1000", "jetty:1000", "netty:1000", "vlc:1000");
    assertThat(config.durationSeconds()).isEqualTo(20);
    assertThat(config.clientThreads()).isEqualTo(2);
    assertThat(config.keepUp()).isEqualTo(0.9);
    assertThat(config.jfr()).isTrue();
    assertThat(config.out()).isEqualTo(Path.of("benchmarks/LOAD.md"));
    assertThat(config.notes()).isEqualTo(Path.of("benchmarks/results/LOAD-NOTES.md"));
    assertThat(config.clientWarmup()).isEqualTo(2000);
    assertThat(config.commandLine()).isEmpty();
  }

  @Test
  void theCommandLineIsRecordedQuotedForAShell() {
    LoadConfig config = LoadConfig.parse(new String[] {"--runs", "jdk:1", "--context", "a shared machine's load"});

    assertThat(config.commandLine()).isEqualTo("--runs jdk:1 --context 'a shared machine'\\''s load'");
  }

  @Test
  void aBadArgumentIsNamed() {
    assertThatThrownBy(() -> LoadConfig.parse(new String[] {"--runs"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad argument '--runs'");
    assertThatThrownBy(() -> LoadConfig.parse(new String[] {"--runs", "netty"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad run 'netty'");
    assertThatThrownBy(() -> LoadConfig.parse(new String[] {"--runs", "netty:0"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("viewers must be 1..20000");
    assertThatThrownBy(() -> LoadConfig.parse(new String[] {"--runs", "nginx:10"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unknown stack 'nginx'");
    assertThatThrownBy(() -> LoadConfig.parse(new String[] {"--duration", "1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--duration must be >= 2 seconds, was 1");
  }
}
