package io.github.buffercore;

/**
 * Base class of the typed, unchecked failures that buffer-core reports. Every subclass names the
 * playlist (and, where one is involved, the stream) it concerns, so that a log line or an HTTP error
 * page can say exactly what failed.
 */
public abstract class BufferCoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The playlist this failure concerns. */
  private final String playlistId;
  /** The stream this failure concerns, or {@code null}. */
  private final String streamId;

  /**
   * Creates an exception about one playlist and, optionally, one of its streams.
   *
   * @param message the detail message, which should already name the ids
   * @param playlistId the playlist concerned
   * @param streamId the stream concerned, or {@code null} if the failure is about the playlist
   * @param cause the underlying failure, or {@code null}
   */
  protected BufferCoreException(String message, String playlistId, String streamId, Throwable cause) {
    super(message, cause);
    this.playlistId = playlistId;
    this.streamId = streamId;
  }

  /**
   * Returns the id of the playlist this failure concerns.
   *
   * @return the playlist id
   */
  public String playlistId() {
    return playlistId;
  }

  /**
   * Returns the id of the stream this failure concerns, or {@code null} if it concerns the playlist.
   *
   * @return the stream id or {@code null}
   */
  public String streamId() {
    return streamId;
  }
}
