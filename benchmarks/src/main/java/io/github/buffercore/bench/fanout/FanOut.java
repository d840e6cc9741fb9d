package io.github.buffercore.bench.fanout;

import java.util.List;

/**
 * One writer publishing fixed-size chunks to {@code readers} readers, each of which copies what it
 * gets into its own destination array. The fan-out benchmarks drive every implementation through this
 * interface, so they differ only in how the bytes get from the writer to the readers.
 *
 * <p>Threading: {@link #write} from one writer thread; {@link #poll} of all readers from one reader
 * thread (a reader thread round-robins over many readers, as an event loop serves many clients).
 * {@link #laps()} is read by the reader thread, {@link #drops()} by the writer thread.
 */
public interface FanOut {

  /** The implementations, the one under test first, then the baselines; the benchmarks' {@code impl}. */
  List<String> IMPLS = List.of("buffercore", "arraycopy", "queue", "agrona");

  /** Publishes one chunk (writer thread). */
  void write(byte[] chunk);

  /**
   * Non-blocking: copies what reader {@code reader} can get right now (at most one chunk) into its
   * destination array.
   *
   * @return the bytes delivered, 0 if nothing was available (or the reader was lapped and skipped)
   */
  int poll(int reader);

  /** The destination array of {@code reader} (what a server would write to that client's socket). */
  byte[] destination(int reader);

  /** Times a reader was lapped by the writer and skipped forward, lost data (reader thread). */
  long laps();

  /** Chunks the writer dropped because a reader's queue was full (writer thread). */
  long drops();

  /** Releases resources (the ring's readers). */
  default void close() { }

  /**
   * Creates an implementation.
   *
   * @param impl one of {@link #IMPLS}
   * @param readers the number of readers
   * @param capacityBytes the buffer capacity, the same for every implementation (a power of two)
   * @param chunkBytes the size of every write; each destination array has this size
   */
  static FanOut create(String impl, int readers, int capacityBytes, int chunkBytes) {
    switch (impl) {
      case "buffercore":
        return new BufferCoreFanOut(readers, capacityBytes, chunkBytes);
      case "arraycopy":
        return new ArrayCopyFanOut(readers, capacityBytes, chunkBytes);
      case "queue":
        return new QueueFanOut(readers, capacityBytes, chunkBytes);
      case "agrona":
        return new AgronaFanOut(readers, capacityBytes, chunkBytes);
      default:
        throw new IllegalArgumentException("unknown impl '" + impl + "', expected one of " + IMPLS);
    }
  }
}
