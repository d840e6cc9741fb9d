package io.github.buffercore.stress.scenario;

import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.StreamReader;
import io.github.buffercore.internal.BroadcastRing;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link WakeUpUnderTest} on the real {@link BroadcastRing}: a caught-up reader (nothing written yet)
 * arms {@link StreamReader#onReadable} while the writer writes one 188-byte packet. The callback is
 * the non-blocking form of the ring's wake-up, and shares the writer's one check
 * ({@code waitingReaders > 0 || armedCallbacks > 0} after its volatile tail store) with a parked
 * {@code read}.
 */
public final class RingWakeUp implements WakeUpUnderTest {

  private static final byte[] PACKET = new byte[188];

  private final BroadcastRing ring = new BroadcastRing("p", "a", 4096, SlowClientPolicy.SKIP, 0, false);
  private final StreamReader reader = ring.newReader();
  private final AtomicInteger woken = new AtomicInteger();

  @Override
  public void arm() {
    reader.onReadable(woken::incrementAndGet);
  }

  @Override
  public void publish() {
    ring.write(PACKET, 0, PACKET.length);
  }

  @Override
  public int woken() {
    return woken.get();
  }
}
