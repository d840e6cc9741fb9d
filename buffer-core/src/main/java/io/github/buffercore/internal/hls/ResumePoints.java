package io.github.buffercore.internal.hls;

import java.net.URI;

/**
 * Remembers, per stream and media playlist, the last segment a connection started, so that the
 * connection the data path opens after a drop continues with the next segment instead of replaying
 * the segments before the live edge (which would send viewers the same frames twice, with
 * timestamps going backwards). Implementations are thread-safe and bounded.
 */
public interface ResumePoints {

  /** Remembers nothing: every connection joins at the live edge. */
  ResumePoints NONE = new ResumePoints() {
    @Override
    public long lastStarted(String playlistId, String streamId, URI mediaUrl) {
      return -1;
    }

    @Override
    public void started(String playlistId, String streamId, URI mediaUrl, long sequence) {}
  };

  /**
   * Returns the media sequence number of the last segment started for this stream and media
   * playlist, or -1 if none is remembered.
   *
   * @param playlistId the registry playlist
   * @param streamId the stream
   * @param mediaUrl the media playlist URL
   * @return the sequence number or -1
   */
  long lastStarted(String playlistId, String streamId, URI mediaUrl);

  /**
   * Records that a segment was started.
   *
   * @param playlistId the registry playlist
   * @param streamId the stream
   * @param mediaUrl the media playlist URL
   * @param sequence the segment's media sequence number
   */
  void started(String playlistId, String streamId, URI mediaUrl, long sequence);
}
