package io.github.buffercore.internal.hls;

/**
 * A parsed HLS playlist: a {@link MediaPlaylist} (segments) or a {@link MultivariantPlaylist}
 * (variants). Not sealed on purpose: a sealed interface and its permitted records name each other,
 * which would be a file cycle (see {@code ArchitectureTest}); the parser creates only these two.
 */
public interface HlsPlaylist {}
