package io.github.buffercore.internal;

import io.github.buffercore.Playlist;
import io.github.buffercore.UpstreamTarget;

/**
 * What can happen to one live playlist: the input of {@link PlaylistTransitions#apply}. Every event
 * carries the time it happened at (read by the registry before its compute), so the transition never
 * reads a clock.
 */
sealed interface PlaylistEvent {

  /**
   * A client asks for a stream.
   *
   * @param lease the new client's lease
   * @param now when it asked
   * @param target the stream's upstream, or {@code null} if not resolved (a registry with a data path
   *     then answers {@link Outcome.NeedsTarget} when the stream is not running)
   */
  record Join(Lease lease, long now, UpstreamTarget target) implements PlaylistEvent { }

  /**
   * A client with a key asks for a stream: any open lease with the same key on another stream of the
   * playlist is ended and its place given to this join, in the same step. Without such a lease it is
   * a {@link Join}; if the join is refused or needs a target, nothing changes.
   *
   * @param lease the new client's lease; its {@link Lease#key()} is not {@code null}
   * @param now when it asked
   * @param target the stream's upstream, or {@code null} if not resolved
   */
  record Switch(Lease lease, long now, UpstreamTarget target) implements PlaylistEvent { }

  /**
   * A client closed its lease.
   *
   * @param lease the closed lease
   * @param now when
   */
  record Leave(Lease lease, long now) implements PlaylistEvent { }

  /**
   * A cleanup pass: evict stale clients, stop streams past their grace, remove the playlist past its
   * idle grace.
   *
   * @param now the time of the pass
   */
  record Cleanup(long now) implements PlaylistEvent { }

  /**
   * The grace timer of an idle stream generation fired.
   *
   * @param streamId the stream
   * @param generation the generation the timer was set for
   * @param now when it fired
   */
  record GraceExpired(String streamId, long generation, long now) implements PlaylistEvent { }

  /**
   * A stream generation ended for good: its upstream failed, its tuner slot was lost, or the tuner
   * pool refused it.
   *
   * @param streamId the stream
   * @param generation the generation that ended
   * @param now when
   * @param reason why, for the log line
   * @param refused whether the tuner pool refused it (then a {@code TUNER_LIMIT_REACHED} event is sent)
   */
  record UpstreamFailed(String streamId, long generation, long now, String reason, boolean refused)
      implements PlaylistEvent { }

  /**
   * Replace the playlist's settings if nobody else did since {@code expected} was read.
   *
   * @param expected the playlist instance the update function saw
   * @param replacement the updated playlist
   */
  record Update(Playlist expected, Playlist replacement) implements PlaylistEvent { }

  /** The registry closes: every client is evicted, every stream stopped, the playlist removed. */
  record Evict() implements PlaylistEvent { }
}
