package io.github.buffercore;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One live playlist as the registry created it: its id, the generation that tells two successive
 * creations of the same id apart, its settings and its working folder. Immutable; a changed copy is
 * published by {@link PlaylistRegistry#update}. A {@code Playlist} is returned only once it is fully
 * initialized: no caller ever sees a half-built one.
 *
 * @param id the playlist id
 * @param generation a number unique to this creation of the id within its registry; a playlist that is
 *     removed and created again gets a new generation
 * @param settings the current settings
 * @param workingFolder the playlist's working folder under the registry's base directory, if one was
 *     configured; it exists while the playlist is live and is deleted when it is removed
 */
public record Playlist(String id, long generation, PlaylistSettings settings, Optional<Path> workingFolder) {

  /**
   * Checks that no component is null.
   *
   * @param id the playlist id
   * @param generation a number unique to this creation of the id within its registry; a playlist
   *     that is removed and created again gets a new generation
   * @param settings the current settings
   * @param workingFolder the playlist's working folder under the registry's base directory, if one
   *     was configured; it exists while the playlist is live and is deleted when it is removed
   */
  public Playlist {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(workingFolder, "workingFolder");
  }

  /**
   * Returns the tuner limit of the current settings.
   *
   * @return the tuner limit
   */
  public int tunerLimit() {
    return settings.tunerLimit();
  }
}
