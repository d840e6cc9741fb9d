package io.github.buffercore;

/**
 * What a stream does with a reader that the writer has lapped (the reader was so slow that data it had
 * not read yet was overwritten). Either way the reader never receives overwritten or torn bytes, and
 * the writer and the other readers are never slowed down.
 */
public enum SlowClientPolicy {

  /** Close the reader: its next read throws {@link SlowClientException}. */
  DISCONNECT,

  /**
   * Move the reader forward to where a new reader would start, on a packet boundary, and count the
   * skip; the viewer sees a jump in the stream but stays connected.
   */
  SKIP
}
