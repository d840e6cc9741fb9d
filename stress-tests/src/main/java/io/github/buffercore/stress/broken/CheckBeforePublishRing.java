package io.github.buffercore.stress.broken;

import io.github.buffercore.stress.scenario.WakeUpUnderTest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A sketch of a ring's wake-up with the writer's check in the wrong place: it looks for armed
 * readers before it publishes the new tail, so a reader that arms between the look and the publish
 * (and re-checks the old tail) is never woken: the lost wake-up. The window is widened with
 * {@link RaceWindow#SPIN}. Not a copy of buffer-core.
 */
public final class CheckBeforePublishRing implements WakeUpUnderTest {

  private volatile long tail;
  private final AtomicInteger armed = new AtomicInteger();
  private final AtomicReference<Runnable> callback = new AtomicReference<>();
  private final AtomicInteger woken = new AtomicInteger();

  @Override
  public void arm() {
    armed.incrementAndGet();
    callback.set(woken::incrementAndGet);
    if (tail > 0) {
      fire();
    }
  }

  @Override
  public void publish() {
    boolean wake = armed.get() > 0; // too early: before the publish below
    RaceWindow.widen();
    tail = 188;
    if (wake) {
      fire();
    }
  }

  private void fire() {
    Runnable action = callback.getAndSet(null);
    if (action != null) {
      armed.decrementAndGet();
      action.run();
    }
  }

  @Override
  public int woken() {
    return woken.get();
  }
}
