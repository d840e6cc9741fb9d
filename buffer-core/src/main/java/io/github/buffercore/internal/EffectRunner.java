package io.github.buffercore.internal;

import io.github.buffercore.Ticker;
import io.github.buffercore.LeaseEnd;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerPool;
import io.github.buffercore.TunerPoolUnavailableException;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the {@link Effect}s of a transition after its compute, on the thread that ran the
 * compute: log lines, lease flags, folder deletion, grace timers, and the data plane (tuner
 * admission, upstream start and stop); then has {@link EventDelivery} deliver the listener events,
 * which the compute itself recorded in order. Never called inside a compute.
 */
final class EffectRunner {

  /**
   * Applies an event about one playlist in the registry's compute (a refusal, a fired grace timer, a
   * lost slot, an ended upstream) and returns its step, or {@code null} if the playlist is not live.
   */
  @FunctionalInterface
  interface EventSink {
    Step apply(String playlistId, PlaylistEvent event);
  }

  /**
   * How long a start may wait for a tuner slot that is being released: a yielded stream frees its
   * slot only once its connection has closed, which the pump does promptly after a stop.
   */
  static final Duration TUNER_WAIT = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger("io.github.buffercore.PlaylistRegistry");

  private final EventDelivery events;
  private final TunerPool tunerPool;
  private final ExecutorService pumpThreads;
  private final ScheduledExecutorService timers;
  private final long streamGraceNanos;
  private final Ticker ticker;
  private final BooleanSupplier closed;
  private final EventSink registry;
  /** The newest data path of each playlist/stream key, so a new generation can retire the old one. */
  private final ConcurrentMap<String, SharedStream> upstreamByKey = new ConcurrentHashMap<>();

  EffectRunner(EventDelivery events, TunerPool tunerPool, ExecutorService pumpThreads,
      ScheduledExecutorService timers, long streamGraceNanos, Ticker ticker, BooleanSupplier closed,
      EventSink registry) {
    this.events = events;
    this.tunerPool = tunerPool;
    this.pumpThreads = pumpThreads;
    this.timers = timers;
    this.streamGraceNanos = streamGraceNanos;
    this.ticker = ticker;
    this.closed = closed;
    this.registry = registry;
  }

  /**
   * Runs the effects of an embedder's call in order, then delivers the events recorded so far
   * ({@link EventDelivery#deliver()}: the call returns after its own events were delivered), also
   * when an effect throws.
   *
   * @throws TunerLimitExceededException if the tuner pool refused a started stream (it was undone)
   * @throws TunerPoolUnavailableException if the tuner pool could not decide (the start was undone)
   */
  void run(List<Effect> effects) {
    try {
      runEffects(effects);
    } finally {
      events.deliver();
    }
  }

  /**
   * Runs the effects of a change the registry's own threads reported (a pump, a timer, a pool
   * callback, an undo), then delivers events only if no other thread is delivering: such a thread
   * never waits for the listener.
   */
  private void runReported(List<Effect> effects) {
    try {
      runEffects(effects);
    } finally {
      events.deliverIfFree();
    }
  }

  /**
   * Applies a change that the registry's own threads report (a pump, a timer, a pool callback, an
   * undo) and runs its effects with {@link #runReported}.
   *
   * @param playlistId the playlist
   * @param event the reported event
   */
  void report(String playlistId, PlaylistEvent event) {
    Step step = registry.apply(playlistId, event);
    if (step != null) {
      runReported(step.effects());
    }
  }

  /**
   * Records a step's listener events; called inside the compute that decided it.
   *
   * @param step the step
   */
  void record(Step step) {
    events.record(step);
  }

  /** Where listener events are recorded and delivered. */
  EventDelivery events() {
    return events;
  }

  private void runEffects(List<Effect> effects) {
    for (int i = 0, n = effects.size(); i < n; i++) {
      Effect effect = effects.get(i);
      if (effect instanceof Effect.Notify) {
        continue; // recorded by the compute that decided it (EventDelivery), delivered in that order
      } else if (effect instanceof Effect.EvictClient evict) {
        Lease lease = evict.lease();
        // The compute already removed the client; whoever marks the lease first tells its holder
        // (a close racing this eviction tells CLOSED, and its own Leave changes nothing).
        boolean first = lease.markReleased(evict.reason());
        if (evict.closeReader()) {
          lease.closeReader();
        }
        LOG.debug("Evicted client {} of stream {} in playlist {}: {}", lease.clientId(), lease.streamId(),
            lease.playlistId(), evict.reason());
        if (first) {
          lease.fireEnded();
        }
      } else if (effect instanceof Effect.StopUpstream stop) {
        stop(stop);
      } else if (effect instanceof Effect.DeleteFolder removed) {
        removed(removed.state());
      } else if (effect instanceof Effect.ScheduleGrace grace) {
        scheduleGrace(grace.playlistId(), grace.stream());
      } else if (effect instanceof Effect.Refuse refuse) {
        TunerLimitExceededException refusal = refuse.refusal();
        // A refusal is a normal answer (the exception and the listener event carry it): DEBUG.
        LOG.debug("No free tuner in playlist {} (limit {}, streams {}); refused stream {}",
            refusal.playlistId(), refusal.tunerLimit(), refusal.activeStreams(), refusal.streamId());
      } else if (effect instanceof Effect.StartUpstream start) {
        start(start);
      } else if (effect instanceof Effect.SwitchClient switched) {
        Lease lease = switched.lease();
        lease.switchedTo(switched.toStreamId()); // before the release, so the reader sees it
        boolean first = lease.markReleased(LeaseEnd.Reason.SWITCHED);
        lease.closeReader();
        LOG.debug("Client {} switched from stream {} to stream {} in playlist {}", lease.clientId(),
            lease.streamId(), switched.toStreamId(), lease.playlistId());
        if (first) {
          lease.fireEnded();
        }
      } else if (effect instanceof Effect.AwaitClosed await) {
        awaitClosed(await);
      }
    }
  }

  /**
   * The effect of a removed playlist ({@link Effect.DeleteFolder}): logs it and deletes its working
   * folder; also run directly by a cleanup that removed an idle playlist without a step.
   *
   * @param state the removed playlist's last state
   */
  void removed(PlaylistState state) {
    LOG.info("Removed playlist {}", state.id());
    if (state.playlist().workingFolder().isPresent()) { // no capturing lambda per removal
      WorkingFolders.delete(state.id(), state.playlist().workingFolder().get());
    }
  }

  private void stop(Effect.StopUpstream stop) {
    StreamState stream = stop.stream();
    LOG.info("Stopped stream {} (generation {}) in playlist {}: {}", stream.streamId(),
        stream.generation(), stop.playlistId(), stop.reason());
    SharedStream shared = stream.shared();
    if (shared != null) {
      // Its slot is released, and its key forgotten, only once its connection has closed: a new
      // generation of the key started meanwhile waits for that close.
      shared.stop();
    } else {
      stream.tuner().release(); // no connection: the slot ends with the stream
    }
  }

  private void start(Effect.StartUpstream start) {
    StreamState stream = start.stream();
    LOG.info("Started stream {} (generation {}) in playlist {}", stream.streamId(), stream.generation(),
        start.playlistId());
    admit(start.playlistId(), stream, start.tunerLimit());
    SharedStream shared = stream.shared();
    if (shared != null) {
      // A new generation opens its upstream only after the previous generation of the same key
      // (already removed from the registry) has closed its connection: never two upstreams per key.
      // An older generation whose start runs late never displaces a newer one.
      SharedStream[] previous = new SharedStream[1];
      SharedStream current = upstreamByKey.compute(shared.key(), (key, old) -> {
        previous[0] = old;
        return old == null || old.generation() < shared.generation() ? shared : old;
      });
      if (current != shared) {
        return; // superseded: this generation was removed, its stop releases its slot
      }
      stream.tuner().afterRelease(() -> upstreamByKey.remove(shared.key(), shared));
      if (previous[0] != null && !previous[0].stopAndAwait(TUNER_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
        undo(start.playlistId(), stream, "the previous generation's upstream did not close", true);
        throw new TunerLimitExceededException(start.playlistId(), stream.streamId(), start.tunerLimit(),
            List.of(previous[0].toString() + " (still closing after " + TUNER_WAIT + ")"));
      }
      shared.start(pumpThreads, timers);
    }
  }

  /**
   * Waits for a stopped stream's connection to close before the start that follows opens another;
   * if it does not close within {@link #TUNER_WAIT}, the start is undone and refused.
   */
  private void awaitClosed(Effect.AwaitClosed await) {
    SharedStream shared = await.stream().shared();
    if (shared == null || shared.stopAndAwait(TUNER_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
      return;
    }
    StreamState starting = await.starting().stream();
    LOG.warn("The upstream of stream {} in playlist {} did not close within {}; refused stream {}",
        await.stream().streamId(), await.playlistId(), TUNER_WAIT, starting.streamId());
    undo(await.playlistId(), starting, "the tuner it takes over was not freed in time", true);
    throw new TunerLimitExceededException(await.playlistId(), starting.streamId(),
        await.starting().tunerLimit(),
        List.of(await.stream().streamId()));
  }

  /**
   * Takes the tuner slot of a just-started stream, outside any compute (a remote pool may block). On
   * a refusal the stream is removed again, with every client that joined it meanwhile, and the caller
   * gets the pool's exception.
   */
  private void admit(String playlistId, StreamState started, int tunerLimit) {
    String streamId = started.streamId();
    TunerSlot slot;
    try {
      slot = tunerPool.acquire(new TunerRequest(playlistId, streamId, tunerLimit, TUNER_WAIT));
      Objects.requireNonNull(slot, "the tuner pool returned no slot");
    } catch (TunerLimitExceededException refusal) {
      LOG.debug("No free tuner slot in playlist {} (limit {}, held by {}); refused stream {}",
          playlistId, refusal.tunerLimit(), refusal.activeStreams(), streamId);
      undo(playlistId, started, "the tuner pool refused it", true);
      throw refusal;
    } catch (TunerPoolUnavailableException unavailable) {
      LOG.warn("The tuner pool could not decide for stream {} in playlist {}; refused it", streamId,
          playlistId, unavailable);
      undo(playlistId, started, "the tuner pool could not decide", false);
      throw unavailable;
    } catch (InterruptedException | RuntimeException failure) {
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("The tuner pool failed for stream {} in playlist {}; refused it", streamId, playlistId,
          failure);
      undo(playlistId, started, "the tuner pool failed", false);
      throw new TunerPoolUnavailableException(playlistId, streamId, failure);
    }
    if (started.tuner().attach(slot)) {
      slot.onLost(reason -> slotLost(playlistId, started, reason));
      LOG.debug("Stream {} (generation {}) in playlist {} holds tuner slot {}", streamId,
          started.generation(), playlistId, slot.fencingToken());
    }
  }

  private void undo(String playlistId, StreamState started, String reason, boolean refused) {
    report(playlistId, new PlaylistEvent.UpstreamFailed(started.streamId(),
        started.generation(), ticker.read(), reason, refused));
  }

  /** A held slot was lost: the stream's upstream stops at once and the stream is removed. */
  private void slotLost(String playlistId, StreamState stream, String reason) {
    LOG.warn("Lost the tuner slot of stream {} (generation {}) in playlist {}: {}; stopping it",
        stream.streamId(), stream.generation(), playlistId, reason);
    if (stream.shared() != null) {
      stream.shared().lose(reason); // stops the pump first, then reports to the registry
    } else {
      undo(playlistId, stream, "its tuner slot was lost: " + reason, false);
    }
  }

  private void scheduleGrace(String playlistId, StreamState idle) {
    if (timers == null || closed.getAsBoolean()) {
      return; // without timers, cleanup stops it
    }
    try {
      timers.schedule(() -> {
        if (!closed.getAsBoolean()) {
          report(playlistId,
              new PlaylistEvent.GraceExpired(idle.streamId(), idle.generation(), ticker.read()));
        }
      }, streamGraceNanos, TimeUnit.NANOSECONDS);
    } catch (RuntimeException rejected) {
      LOG.warn("Could not schedule the grace expiry of stream {} in playlist {}; cleanup will stop it",
          idle.streamId(), playlistId, rejected);
    }
  }
}
