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
 *   <li>{@link io.github.buffercore.internal.hls.HlsConnection}: the playlist follower behind
 *       {@link io.github.buffercore.UpstreamConnection}: where to start, the reload loop, which
 *       segment is next, skips and discontinuity counting. It reads each segment through a
 *       {@code SegmentReader} (fetching, AES-128 decryption, the MPEG-TS check) and makes every
 *       request and wait through {@code HlsRequests} (retries, backoff, close cuts them short).
 * </ul>
 *
 * <p>A connection is read by one thread; everything but its {@link
 * io.github.buffercore.internal.hls.BodySlot} (the HTTP body being read and the close flag) is
 * confined to that thread. {@code close()} may come from any thread, at any time.
 *
 * <h2>Invariant</h2>
 * Proven by the jcstress test of the same name in the {@code stress-tests} module, which also catches
 * a slot that checks the flag before it publishes the body.
 * <dl>
 *   <dt>{@code HlsBodyClosed}</dt>
 *   <dd>Once a connection's {@code close()} has returned and its reader has published an HTTP body
 *   (a playlist, key or segment response), that body is closed, whichever happened first: closing an
 *   HLS connection never leaves an upstream HTTP response open. The reader publishes the body before
 *   it reads the flag; {@code close()} sets the flag before it reads the body.</dd>
 * </dl>
 */
package io.github.buffercore.internal.hls;
