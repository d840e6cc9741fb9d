package io.github.buffercore.internal;

/** The logger name both sides of the ring log under, unchanged by their split into two files. */
final class BroadcastRingLogger {
  static final String NAME = "io.github.buffercore.internal.BroadcastRing";

  private BroadcastRingLogger() { }
}
