package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkingFolderTest {

  private final Ticker.Manual ticker = Ticker.manual();

  @Test
  void eachPlaylistGetsAFolderUnderTheBaseThatIsDeletedWithIt(@TempDir Path base) throws Exception {
    try (PlaylistRegistry registry = PlaylistRegistry.builder().ticker(ticker).manualCleanup()
        .idleGrace(Duration.ofSeconds(1)).workingFolderBase(base.resolve("tmp")).build()) {
      Playlist playlist = registry.getOrCreate("p1", id -> PlaylistSettings.withTuners(1));
      Path folder = playlist.workingFolder().orElseThrow();
      assertThat(folder).isEqualTo(base.resolve("tmp").resolve("p1-" + playlist.generation())
          .toAbsolutePath().normalize());
      assertThat(folder).isDirectory();
      Files.writeString(folder.resolve("segment-1.ts"), "data");
      Files.createDirectories(folder.resolve("nested"));
      Files.writeString(folder.resolve("nested").resolve("segment-2.ts"), "data");

      ticker.advance(Duration.ofSeconds(1));
      assertThat(registry.cleanup().removedPlaylists()).containsExactly("p1");
      assertThat(folder).doesNotExist();
      assertThat(base.resolve("tmp")).isDirectory();
    }
  }

  @Test
  void closeDeletesEveryFolder(@TempDir Path base) throws Exception {
    PlaylistRegistry registry = PlaylistRegistry.builder().workingFolderBase(base).build();
    Path a = registry.getOrCreate("a", id -> PlaylistSettings.withTuners(1)).workingFolder().orElseThrow();
    Path b = registry.getOrCreate("b", id -> PlaylistSettings.withTuners(1)).workingFolder().orElseThrow();
    registry.acquire("b", "s1");

    registry.close();

    assertThat(a).doesNotExist();
    assertThat(b).doesNotExist();
  }

  @Test
  void aFolderThatCannotBeCreatedFailsTheCreationAndStoresNothing(@TempDir Path base) throws Exception {
    Path notADirectory = Files.writeString(base.resolve("file"), "x");
    try (PlaylistRegistry registry = PlaylistRegistry.builder().workingFolderBase(notADirectory).build()) {
      assertThatThrownBy(() -> registry.getOrCreate("p1", id -> PlaylistSettings.withTuners(1)))
          .isInstanceOf(PlaylistInitializationException.class)
          .hasMessageContaining("'p1'");
      assertThat(registry.snapshot().playlists()).isEmpty();
    }
  }

  @Test
  void idsThatWouldEscapeTheBaseNeverReachTheFileSystem(@TempDir Path base) throws Exception {
    try (PlaylistRegistry registry = PlaylistRegistry.builder().workingFolderBase(base.resolve("b")).build()) {
      for (String escape : new String[] {"..", "../x", "x/../../y", "..\\x", "."}) {
        assertThatThrownBy(() -> registry.getOrCreate(escape, id -> PlaylistSettings.withTuners(1)))
            .isInstanceOf(IllegalArgumentException.class);
      }
      try (var entries = Files.list(base)) {
        assertThat(entries).isEmpty();
      }
    }
  }

  @Test
  void everyIdUpToTheMaximumLengthGetsItsOwnFolder(@TempDir Path base) throws Exception {
    String ascii = "a".repeat(256);
    String asciiTwin = "a".repeat(255) + "b"; // same prefix: the hash tells them apart
    String threeByte = "\u20ac".repeat(256); // 768 UTF-8 bytes
    try (PlaylistRegistry registry = PlaylistRegistry.builder().workingFolderBase(base).build()) {
      Path first = registry.getOrCreate(ascii, id -> PlaylistSettings.withTuners(1)).workingFolder().orElseThrow();
      Path twin = registry.getOrCreate(asciiTwin, id -> PlaylistSettings.withTuners(1)).workingFolder().orElseThrow();
      Path euro = registry.getOrCreate(threeByte, id -> PlaylistSettings.withTuners(1)).workingFolder().orElseThrow();
      for (Path folder : new Path[] {first, twin, euro}) {
        assertThat(folder).isDirectory().hasParent(base);
        assertThat(folder.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
            .isLessThanOrEqualTo(120);
      }
      assertThat(first).isNotEqualTo(twin);
      assertThat(euro.getFileName().toString()).startsWith("\u20ac");
    }
    try (var left = Files.list(base)) {
      assertThat(left).isEmpty();
    }
  }
}
