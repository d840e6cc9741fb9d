package io.github.buffercore.bench;

import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistSettings;
import java.util.function.UnaryOperator;

/** Constants shared by the registry benchmarks. */
final class Fixtures {

  /** Settings of every playlist the benchmarks create: four tuners, no attributes. */
  static final PlaylistSettings SETTINGS = PlaylistSettings.withTuners(4);

  /** An initializer that does nothing but return {@link #SETTINGS}: we measure the registry, not I/O. */
  static final PlaylistInitializer INITIALIZER = id -> SETTINGS;

  /** A side-effect-free update cycling the tuner limit through 1..8. */
  static final UnaryOperator<PlaylistSettings> CYCLE_TUNERS =
      settings -> settings.withTunerLimit(settings.tunerLimit() % 8 + 1);

  private Fixtures() { }
}
