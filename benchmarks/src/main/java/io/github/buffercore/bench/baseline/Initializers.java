package io.github.buffercore.bench.baseline;

import io.github.buffercore.PlaylistInitializationException;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistSettings;

/** Runs an initializer the way the registry does: a failure or {@code null} becomes the same exception. */
final class Initializers {

  private Initializers() { }

  static PlaylistSettings run(String playlistId, PlaylistInitializer initializer) {
    PlaylistSettings settings;
    try {
      settings = initializer.initialize(playlistId);
    } catch (Exception e) {
      throw new PlaylistInitializationException(playlistId, e);
    }
    if (settings == null) {
      throw new PlaylistInitializationException(playlistId,
          new NullPointerException("initializer returned null settings"));
    }
    return settings;
  }
}
