package io.github.buffercore.stress.scenario;

import io.github.buffercore.TunerSlot;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A tuner slot that a test counts as held from {@link #wrap} until its first close, so a scenario can
 * assert that no slot stays held; every other call goes to the wrapped slot.
 */
public final class CountedTunerSlot implements TunerSlot {

  private final TunerSlot slot;
  private final AtomicInteger held;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CountedTunerSlot(TunerSlot slot, AtomicInteger held) {
    this.slot = slot;
    this.held = held;
  }

  /**
   * Counts {@code slot} into {@code held} and returns it wrapped; its first close counts it out.
   *
   * @param slot a slot just acquired
   * @param held the count of slots held
   * @return the counting slot
   */
  public static TunerSlot wrap(TunerSlot slot, AtomicInteger held) {
    held.incrementAndGet();
    return new CountedTunerSlot(slot, held);
  }

  @Override
  public String playlistId() {
    return slot.playlistId();
  }

  @Override
  public String streamId() {
    return slot.streamId();
  }

  @Override
  public long fencingToken() {
    return slot.fencingToken();
  }

  @Override
  public boolean isHeld() {
    return slot.isHeld();
  }

  @Override
  public void onLost(Consumer<String> action) {
    slot.onLost(action);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      held.decrementAndGet();
    }
    slot.close();
  }
}
