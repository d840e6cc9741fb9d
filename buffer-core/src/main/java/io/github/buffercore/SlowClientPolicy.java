package io.github.buffercore;

/**
 * What a stream does with a reader that the writer has lapped (the reader was so slow that data it had
 * not read yet was overwritten). Either way the reader never receives overwritten or torn bytes, and
 * the writer and the other readers are never slowed down.
 */
public enum SlowClientPolicy {

  /**
   * Close the reader: its next read throws {@link SlowClientException}, and a lease's reader releases
   * its lease at that moment (the client leaves the stream, which may stop and free its tuner), without
   * waiting for the caller to close it.
   */
  DISCONNECT,

  /**
   * Move the reader forward to where a new reader would start, on a packet boundary, and count the
   * skip; the viewer sees a jump in the stream but stays connected. In MPEG-TS mode a reader only ever
   * receives whole 188-byte packets: reads end on packet boundaries whenever the buffer given allows,
   * and if a read shorter than a packet had begun one that the skip lost, the rest of that packet is
   * filled with {@code 0xFF} stuffing, so the viewer's output resumes on a boundary of its own.
   */
  SKIP
}
