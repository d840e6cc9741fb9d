package io.github.buffercore.internal.hls;

/** A parsed HLS playlist: a {@link MediaPlaylist} or a {@link MultivariantPlaylist}. */
public sealed interface HlsPlaylist permits MediaPlaylist, MultivariantPlaylist {}
