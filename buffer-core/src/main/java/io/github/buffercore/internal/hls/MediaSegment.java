package io.github.buffercore.internal.hls;

import java.net.URI;

/**
 * One media segment of a {@link MediaPlaylist}.
 *
 * @param uri the segment URL, resolved against the playlist URL
 * @param durationSeconds the {@code EXTINF} duration
 * @param sequence the media sequence number
 * @param discontinuity whether an {@code EXT-X-DISCONTINUITY} precedes this segment
 * @param key the {@code EXT-X-KEY} that applies to this segment, or {@code null} for a clear one
 */
public record MediaSegment(URI uri, double durationSeconds, long sequence, boolean discontinuity,
    SegmentKey key) {}
