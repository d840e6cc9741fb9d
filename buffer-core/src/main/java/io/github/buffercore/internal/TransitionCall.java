package io.github.buffercore.internal;

import java.util.function.BiFunction;

/**
 * The function of one registry compute and the {@link Step} it decided: applies one event to a live
 * playlist with {@link PlaylistTransitions#apply} and records the step's listener events inside the
 * compute (so the listener hears changes in compute order, see {@link EventDelivery}); leaves a
 * pending placeholder as it is. One object
 * per call, where a capturing lambda plus a holder array were two; the join/leave path runs it twice
 * per client ({@code AcquireCloseBenchmark}, {@code -prof gc}). Used once, by one thread: the map
 * calls it at most once inside the compute, and the caller reads {@link #step()} after the compute
 * returned.
 */
final class TransitionCall implements BiFunction<String, RegistryNode, RegistryNode> {

  private final PlaylistTransitions transitions;
  private final EffectRunner effects;
  private final PlaylistEvent event;
  private Step step;

  TransitionCall(PlaylistTransitions transitions, EffectRunner effects, PlaylistEvent event) {
    this.transitions = transitions;
    this.effects = effects;
    this.event = event;
  }

  @Override
  public RegistryNode apply(String playlistId, RegistryNode node) {
    if (node instanceof PlaylistState state) {
      step = transitions.apply(state, event);
      effects.record(step); // inside the compute: the listener hears changes in compute order
      return step.next();
    }
    return node; // still pending: the caller waits for the creation and tries again
  }

  /** The step the compute decided, or {@code null} if the playlist was absent or still pending. */
  Step step() {
    return step;
  }
}
