package io.github.buffercore.stress.scenario;

/**
 * The {@code NoLostWakeUp} race: a reader with nothing to read registers to be woken while the
 * writer publishes. Implemented on the real {@code BroadcastRing} ({@link RingWakeUp}) and by a
 * broken sketch.
 */
public interface WakeUpUnderTest {

  /** Actor: the reader, caught up, arms its readiness callback. */
  void arm();

  /** Actor: the writer publishes one packet. */
  void publish();

  /**
   * Arbiter: how often the callback ran.
   *
   * @return the count
   */
  int woken();
}
