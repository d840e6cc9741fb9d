/**
 * Implementation of buffer-core; not exported by the module and free to change in any release.
 *
 * <p>{@link io.github.buffercore.internal.BroadcastRing} is the per-stream single-writer, many-reader
 * ring buffer (its class comment lists the invariants and memory-ordering argument), and {@link
 * io.github.buffercore.internal.TsPacketAligner} frames an upstream's bytes into whole MPEG-TS packets
 * before they reach the ring.
 */
package io.github.buffercore.internal;
