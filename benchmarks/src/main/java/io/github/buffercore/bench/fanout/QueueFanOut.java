package io.github.buffercore.bench.fanout;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The naive baseline: one {@link ArrayBlockingQueue} of {@code byte[]} chunks per reader. The writer
 * copies every chunk once per reader ({@code Arrays.copyOf}) and {@code offer}s it; a full queue drops
 * the chunk (counted in {@link #drops()}, not delivered). Each queue holds {@code capacity / chunk}
 * chunks, so a reader may fall as far behind as with the ring. The reader takes the chunk and uses it
 * as is (the writer's copy is its destination array: no second copy, in the baseline's favour).
 */
final class QueueFanOut implements FanOut {

  private final ArrayBlockingQueue<byte[]>[] queues;
  private final byte[][] lastChunks;
  private long drops;

  @SuppressWarnings("unchecked")
  QueueFanOut(int readers, int capacityBytes, int chunkBytes) {
    this.queues = new ArrayBlockingQueue[readers];
    int chunks = Math.max(1, capacityBytes / chunkBytes);
    for (int i = 0; i < readers; i++) {
      queues[i] = new ArrayBlockingQueue<>(chunks);
    }
    this.lastChunks = new byte[readers][chunkBytes];
  }

  @Override
  public void write(byte[] chunk) {
    for (ArrayBlockingQueue<byte[]> queue : queues) {
      if (!queue.offer(Arrays.copyOf(chunk, chunk.length))) {
        drops++;
      }
    }
  }

  @Override
  public int poll(int reader) {
    byte[] chunk = queues[reader].poll();
    if (chunk == null) {
      return 0;
    }
    lastChunks[reader] = chunk; // the reader's "destination": keeps the delivery observable
    return chunk.length;
  }

  @Override
  public byte[] destination(int reader) {
    return lastChunks[reader];
  }

  @Override
  public long laps() {
    return 0;
  }

  @Override
  public long drops() {
    return drops;
  }
}
