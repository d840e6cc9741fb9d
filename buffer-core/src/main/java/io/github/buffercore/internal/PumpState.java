package io.github.buffercore.internal;

/** Where an {@link UpstreamPump} is; for monitoring and tests. */
public enum PumpState {
  /** {@code run()} has not started yet. */
  NEW,
  /** Opening a connection, or waiting for its first byte. */
  CONNECTING,
  /** Copying bytes. */
  STREAMING,
  /** Waiting before the next attempt. */
  BACKING_OFF,
  /** Ended after {@link UpstreamPump#stop()}; {@code complete()} was called. */
  STOPPED,
  /** Ended because every attempt failed; {@code fail()} was called. */
  FAILED
}
