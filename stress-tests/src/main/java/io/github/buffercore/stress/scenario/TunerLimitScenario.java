package io.github.buffercore.stress.scenario;

import static io.github.buffercore.stress.scenario.Scenarios.PLAYLIST;

import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.RegistryListener;
import io.github.buffercore.Ticker;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A playlist with two tuners, one held by a stream with a client: two clients start two different
 * new streams at once, racing for the last tuner.
 *
 * <p>Result: r1, r2 = 1 if that client's stream started, 0 if it got
 * {@link TunerLimitExceededException}; r3 = the most tuners in use at any time: the larger of the
 * most streams the listener heard running at once ({@code STREAM_STARTED} minus
 * {@code STREAM_STOPPED}) and the streams in the final snapshot. The listener matters when a second
 * defence hides the race from the final state: a registry that lets a third stream in and has it
 * undone later (the tuner pool refusing its slot) ends with two tuners, but its listener heard three.
 * A registry built by a factory that takes no listener (the sketches behind the broken variants) is
 * judged by its snapshot alone.
 */
public final class TunerLimitScenario {

  private final PlaylistRegistry registry;
  private final StreamsHeard heard = new StreamsHeard();

  public TunerLimitScenario(RegistryFactory factory) {
    registry = build(factory, heard);
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(2));
    registry.acquire(PLAYLIST, "channel-0");
  }

  /**
   * A client starts a stream.
   *
   * @param streamId the new stream
   * @return 1 if it started, 0 if refused
   */
  public int start(String streamId) {
    try {
      registry.acquire(PLAYLIST, streamId);
      return 1;
    } catch (TunerLimitExceededException refused) {
      return 0;
    }
  }

  /** Arbiter: the most tuners in use at any time. */
  public void arbiter(III_Result r) {
    r.r3 = Math.max(heard.most.get(), Scenarios.tunersInUse(registry.snapshot()));
  }

  private static PlaylistRegistry build(RegistryFactory factory, RegistryListener listener) {
    Duration streamGrace = Duration.ofSeconds(10);
    Duration idleGrace = Duration.ofSeconds(60);
    try {
      return factory.create(streamGrace, idleGrace, Ticker.manual(), listener);
    } catch (UnsupportedOperationException noListener) {
      return factory.create(streamGrace, idleGrace, Ticker.manual());
    }
  }

  /** Counts the streams running as the listener hears them, and the most at once. */
  private static final class StreamsHeard implements RegistryListener {
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();

    @Override
    public void onEvent(RegistryEvent event) {
      if (event.type() == RegistryEvent.Type.STREAM_STARTED) {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
      } else if (event.type() == RegistryEvent.Type.STREAM_STOPPED) {
        running.decrementAndGet();
      }
    }
  }
}
