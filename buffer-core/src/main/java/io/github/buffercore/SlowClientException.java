package io.github.buffercore;

/**
 * Thrown to a reader that fell so far behind that the writer overwrote data it had not read yet, when
 * the stream's {@link SlowClientPolicy} is {@link SlowClientPolicy#DISCONNECT}. The reader is closed;
 * other readers of the stream are not affected.
 */
public final class SlowClientException extends BufferCoreException {

  private static final long serialVersionUID = 1L;

  /** How many bytes the reader lost, kept for the accessor and the serialized form. */
  private final long lostBytes;

  /**
   * Creates the exception.
   *
   * @param playlistId the playlist of the stream
   * @param streamId the stream the reader was reading
   * @param lostBytes how many unread bytes the writer had overwritten when the lap was detected
   */
  public SlowClientException(String playlistId, String streamId, long lostBytes) {
    super("Reader of stream '" + streamId + "' in playlist '" + playlistId + "' fell behind by more than"
        + " the buffer holds and lost " + lostBytes + " bytes; disconnecting it (SlowClientPolicy.DISCONNECT)",
        playlistId, streamId, null);
    this.lostBytes = lostBytes;
  }

  /**
   * Returns how many unread bytes were overwritten when the lap was detected.
   *
   * @return the number of lost bytes
   */
  public long lostBytes() {
    return lostBytes;
  }
}
