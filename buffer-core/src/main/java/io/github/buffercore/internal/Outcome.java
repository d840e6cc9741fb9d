package io.github.buffercore.internal;

import io.github.buffercore.TunerLimitExceededException;

/** What a transition means to the caller that submitted its event. */
sealed interface Outcome {

  /** Nothing changed. */
  Outcome UNCHANGED = new Unchanged();
  /** The state changed; nothing more to tell. */
  Outcome CHANGED = new Changed();
  /** The playlist was removed. */
  Outcome REMOVED = new Removed();
  /** The stream is not running and its upstream must be resolved before the join is retried. */
  Outcome NEEDS_TARGET = new NeedsTarget();

  /**
   * The client joined a running stream.
   *
   * @param stream the stream as joined
   */
  record Joined(StreamState stream) implements Outcome { }

  /**
   * The client started the stream (and is its first client).
   *
   * @param stream the started stream
   */
  record Started(StreamState stream) implements Outcome { }

  /**
   * The start was refused; nothing changed.
   *
   * @param refusal names the playlist, stream, limit and holders
   */
  record Refused(TunerLimitExceededException refusal) implements Outcome { }

  /** See {@link #NEEDS_TARGET}. */
  record NeedsTarget() implements Outcome { }

  /** See {@link #UNCHANGED}. */
  record Unchanged() implements Outcome { }

  /** See {@link #CHANGED}. */
  record Changed() implements Outcome { }

  /** See {@link #REMOVED}. */
  record Removed() implements Outcome { }
}
