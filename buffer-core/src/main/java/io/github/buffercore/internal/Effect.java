package io.github.buffercore.internal;

import io.github.buffercore.LeaseEnd;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.TunerLimitExceededException;

/**
 * A side effect that a transition decided; carried out after the compute, exactly once, in list order,
 * by {@link EffectRunner}. Effects are plain data: deciding them does no I/O.
 */
sealed interface Effect {

  /**
   * Take a tuner slot for a just-started stream and open its upstream (when it has a data path).
   *
   * @param playlistId the playlist
   * @param stream the started stream
   * @param tunerLimit the limit the start was decided under
   */
  record StartUpstream(String playlistId, StreamState stream, int tunerLimit) implements Effect { }

  /**
   * Stop a removed stream's upstream; its tuner slot is released once the connection is closed.
   *
   * @param playlistId the playlist
   * @param stream the removed stream
   * @param reason why, for the log line
   */
  record StopUpstream(String playlistId, StreamState stream, String reason) implements Effect { }

  /**
   * Mark a client's lease released because it was evicted.
   *
   * @param lease the evicted lease
   * @param closeReader whether to close its reader too (cleanup: the client stopped reading)
   * @param reason what its holder's end callbacks are told
   */
  record EvictClient(Lease lease, boolean closeReader, LeaseEnd.Reason reason) implements Effect { }

  /**
   * Tell the listener.
   *
   * @param event the event
   */
  record Notify(RegistryEvent event) implements Effect { }

  /**
   * A removed playlist: log it and delete its working folder.
   *
   * @param state its last state
   */
  record DeleteFolder(PlaylistState state) implements Effect { }

  /**
   * Arm the grace timer of a stream that just became idle.
   *
   * @param playlistId the playlist
   * @param stream the idle stream
   */
  record ScheduleGrace(String playlistId, StreamState stream) implements Effect { }

  /**
   * A start refused for want of a tuner: log it (the caller gets the exception from the outcome).
   *
   * @param refusal the refusal, naming the limit and the holders
   */
  record Refuse(TunerLimitExceededException refusal) implements Effect { }

  /**
   * End the lease of a client that switched to another stream: mark it switched and released, and
   * close its reader, which then throws {@code StreamSwitchedException}.
   *
   * @param lease the old lease
   * @param toStreamId the stream its client switched to
   */
  record SwitchClient(Lease lease, String toStreamId) implements Effect { }

  /**
   * Wait until a stopped stream's upstream connection has closed, so the start that follows in the
   * same step never runs two connections on one tuner; bounded by the tuner wait, after which the
   * start is refused.
   *
   * @param playlistId the playlist
   * @param stream the stopped stream
   * @param starting the start that waits
   */
  record AwaitClosed(String playlistId, StreamState stream, StartUpstream starting) implements Effect { }
}
