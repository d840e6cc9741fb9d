package io.github.buffercore.internal.ts;

import io.github.buffercore.UpstreamException;
import io.github.buffercore.internal.ChunkSink;

/** Test sinks: a {@link ChunkSink} from a lambda that only takes the packets. */
final class Sinks {

  /** What a test does with each run of packets. */
  @FunctionalInterface
  interface Packets {
    void write(byte[] buf, int off, int len);
  }

  private Sinks() {
  }

  static ChunkSink packets(Packets packets) {
    return new ChunkSink() {
      @Override
      public void write(byte[] src, int off, int len) {
        packets.write(src, off, len);
      }

      @Override
      public void complete() {
        // the test ends the stream itself
      }

      @Override
      public void fail(UpstreamException cause) {
        throw new AssertionError("no stream fails in this test", cause);
      }
    };
  }
}
