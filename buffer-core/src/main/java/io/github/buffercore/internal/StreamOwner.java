package io.github.buffercore.internal;

/**
 * What a stream's data path reports to the control plane: the narrow seam that keeps
 * {@link SharedStream} from depending on the registry implementation.
 */
interface StreamOwner {

  /**
   * The upstream of one stream generation ended for good (every attempt failed, or its tuner slot
   * was lost); the owner removes that generation, if it is still registered, and frees its clients.
   * Called before the readers are told, so the tuner is free by the time a viewer hears of it.
   *
   * @param playlistId the playlist
   * @param streamId the stream
   * @param generation the generation that ended
   * @param reason why, for the log line
   */
  void streamEnded(String playlistId, String streamId, long generation, String reason);
}
