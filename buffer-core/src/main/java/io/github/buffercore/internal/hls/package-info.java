/**
 * HLS (RFC 8216) input of {@link io.github.buffercore.HlsUpstreamSource}; not exported.
 *
 * <ul>
 *   <li>{@link io.github.buffercore.internal.hls.PlaylistParser}: the tags a live MPEG-TS relay
 *       needs, into a {@link io.github.buffercore.internal.hls.MediaPlaylist} or a
 *       {@link io.github.buffercore.internal.hls.MultivariantPlaylist}; unknown tags are ignored,
 *       features that cannot be relayed are recorded and refused by the connection.
 *   <li>{@link io.github.buffercore.internal.hls.ReloadPacer}: when to reload and when a playlist is
 *       stale, as pure logic on a caller-supplied clock.
 *   <li>{@link io.github.buffercore.internal.hls.HlsConnection}: the reload loop, segment fetching,
 *       AES-128 decryption and discontinuity counting behind
 *       {@link io.github.buffercore.UpstreamConnection}.
 * </ul>
 *
 * <p>No state is shared between threads except a connection's close flag and the HTTP body it is
 * reading, which {@code close()} may touch from another thread: the reader publishes the body before
 * it re-checks the flag, and {@code close()} sets the flag before it reads the body, so one of them
 * always closes it. Everything else is confined to the one thread that reads the connection.
 */
package io.github.buffercore.internal.hls;
