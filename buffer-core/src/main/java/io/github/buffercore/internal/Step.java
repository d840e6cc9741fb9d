package io.github.buffercore.internal;

import java.util.List;

/**
 * The result of one transition: the next state (the map value), the effects to run after the compute,
 * and what the caller learns.
 *
 * @param next the next state, or {@code null} to remove the playlist
 * @param effects what to do after the compute, in order; immutable
 * @param outcome what the submitting caller sees
 */
record Step(PlaylistState next, List<Effect> effects, Outcome outcome) {

  static Step unchanged(PlaylistState state) {
    return new Step(state, List.of(), Outcome.UNCHANGED);
  }
}
