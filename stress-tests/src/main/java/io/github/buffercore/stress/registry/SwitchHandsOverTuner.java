package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.ClientKey;
import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.internal.InProcessTunerPool;
import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * jcstress test of the {@code SwitchHandsOverTuner} invariant: <em>when a client key acquires another
 * stream of a playlist while its lease on a stream is open, the old lease is ended and its tuner
 * handed to the new stream in one atomic step: no other start can take the tuner in between, two
 * streams never hold one tuner, and the slot is never leaked.</em>
 *
 * <p>The real registry (no scheduler, a manual ticker, the default in-process tuner pool, whose held
 * slots are counted), one tuner. Client {@code K} watches channel {@code a}. Actor 1: {@code K}
 * switches to channel {@code b}. Actor 2: another client starts channel {@code c} at the same time.
 * Whichever runs first, the tuner is held by a stream with a client ({@code a} or {@code b}), so the
 * switch always succeeds and the other start is refused.
 *
 * <p>Result columns: switch succeeded (1) or was refused (0); the other start succeeded (1) or was
 * refused (0); tuner slots held after both; tuner slots held after every lease and the registry
 * closed.
 *
 * <p>The broken variant beside it, {@link Broken}, switches the way a proxy without client keys does
 * (and the way an embedder would on the old API): close the old lease, then acquire the new channel,
 * two atomic steps. The other client's start fits in between, takes the tuner the switch released,
 * and the switching viewer gets a 503.
 */
@JCStressTest
@Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE,
    desc = "The switch took over K's tuner in one step; the other start was refused; one slot held, none leaked.")
@Outcome(id = "0, 1, 1, 0", expect = FORBIDDEN,
    desc = "The other start took the tuner between the end of K's old lease and its new join: the switch got a 503.")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN,
    desc = "Both new streams started on a one-tuner playlist: two streams hold one tuner.")
@Outcome(id = ".*, .*, 2, .*", expect = FORBIDDEN,
    desc = "Two tuner slots held at once on a one-tuner playlist.")
@Outcome(id = ".*, .*, .*, [1-9]", expect = FORBIDDEN,
    desc = "A tuner slot is still held after every lease and the registry closed: the switch leaked it.")
@Outcome(expect = FORBIDDEN,
    desc = "Any other combination breaks SwitchHandsOverTuner (for example the switch and the start both refused).")
@State
public class SwitchHandsOverTuner {

  static final ClientKey K = ClientKey.of("192.0.2.7 player");

  final InProcessTunerPool pool = new InProcessTunerPool();
  final PlaylistRegistry registry = PlaylistRegistry.builder()
      .ticker(Ticker.manual())
      .streamGrace(Duration.ofSeconds(10)) // the old channel waits in grace: it must yield, not linger
      .tunerPool(pool)
      .build();
  final ClientLease old = registry.acquire("p", "a", K, id -> PlaylistSettings.withTuners(1));
  volatile ClientLease switched;
  volatile ClientLease other;

  /** K switches to channel b; returns 1 if it plays b. */
  int switchToB() {
    switched = registry.acquire("p", "b", K);
    return 1;
  }

  @Actor
  public void switcher(IIII_Result r) {
    try {
      r.r1 = switchToB();
    } catch (TunerLimitExceededException refused) {
      r.r1 = 0;
    }
  }

  @Actor
  public void otherClient(IIII_Result r) {
    try {
      other = registry.acquire("p", "c", ClientKey.of("198.51.100.9 tv"));
      r.r2 = 1;
    } catch (TunerLimitExceededException refused) {
      r.r2 = 0;
    }
  }

  @Arbiter
  public void arbiter(IIII_Result r) {
    r.r3 = pool.heldSlots("p");
    for (ClientLease lease : new ClientLease[] {old, switched, other}) {
      if (lease != null) {
        lease.close();
      }
    }
    registry.close();
    r.r4 = pool.heldSlots("p");
  }

  /**
   * The broken variant: the switch as two steps, {@code old.close()} then a plain acquire. Caught by
   * the outcome {@code 0, 1, 1, 0}.
   */
  @JCStressTest
  @Outcome(id = "1, 0, 1, 0", expect = ACCEPTABLE,
      desc = "The two steps ran back to back: the switch kept the tuner.")
  @Outcome(id = "0, 1, 1, 0", expect = FORBIDDEN,
      desc = "Caught: the other start took the tuner between the close and the acquire; the switch got a 503.")
  @Outcome(expect = FORBIDDEN, desc = "Any other combination breaks SwitchHandsOverTuner.")
  @State
  public static class Broken extends SwitchHandsOverTuner {
    @Override
    int switchToB() {
      old.close();
      switched = registry.acquire("p", "b");
      return 1;
    }

    @Override
    @Actor
    public void switcher(IIII_Result r) {
      super.switcher(r);
    }

    @Override
    @Actor
    public void otherClient(IIII_Result r) {
      super.otherClient(r);
    }

    @Override
    @Arbiter
    public void arbiter(IIII_Result r) {
      super.arbiter(r);
    }
  }
}
