/**
 * Implementation of buffer-core; not exported by the module and free to change in any release.
 *
 * <p>{@link io.github.buffercore.internal.DefaultPlaylistRegistry} keeps the registry invariants
 * listed in the {@code io.github.buffercore} package documentation: it applies the pure
 * {@code PlaylistTransitions} inside each playlist's compute and hands the returned {@code Effect}s to
 * {@code EffectRunner}; each compute records its listener events, which {@code EventDelivery} delivers
 * in compute order, one listener call at a time; {@code PlaylistCreation} runs initializers; {@code DataPlane} owns the pump and
 * timer threads; {@link io.github.buffercore.internal.InProcessTunerPool} is the default tuner pool.
 * The data plane reports back only through {@code Lease.Owner} and {@code StreamOwner}. {@link
 * io.github.buffercore.internal.SharedStream} is the data path of one stream generation: one
 * {@link io.github.buffercore.internal.UpstreamPump} (split by role: {@code PumpRounds} connects and
 * reconnects, {@code PumpCopy} copies one connection, {@code PumpControl} holds what they share with
 * stopping threads) writing, for MPEG-TS through the {@code internal.ts} writer chain, into one
 * {@link io.github.buffercore.internal.BroadcastRing}, the per-stream single-writer, many-reader ring
 * buffer (its class comment gives the memory-ordering argument). {@link
 * io.github.buffercore.internal.TsPacketAligner} frames an upstream's bytes into whole MPEG-TS packets
 * before they reach the ring.
 *
 * <h2>Invariants of the stream buffer</h2>
 * Each is proven by the jcstress test of the same name in the {@code stress-tests} module, which also
 * catches a ring without the sequence check.
 * <dl>
 *   <dt>{@code NoTornRead}</dt>
 *   <dd>Every byte a reader receives is the byte the writer published at that absolute position: a
 *   copy that raced an overwrite is discarded, never returned (tail intent published before the bytes,
 *   validated after the copy).</dd>
 *   <dt>{@code LapDetected}</dt>
 *   <dd>A reader whose unread position the writer has overwritten is always told so: it is
 *   disconnected with {@link io.github.buffercore.SlowClientException} or moved forward and counted,
 *   per its {@link io.github.buffercore.SlowClientPolicy}; it never reads on as if nothing happened.</dd>
 *   <dt>{@code NoLostWakeUp}</dt>
 *   <dd>A reader waiting for data (parked in {@code read}, or with a readiness callback armed) is woken
 *   by the write that makes it readable: the reader registers, then re-checks the tail; the writer
 *   publishes the tail, then checks for registered readers (both sequentially consistent, the Dekker
 *   pattern), so at least one of them sees the other.</dd>
 *   <dt>{@code BatchedWakeup}</dt>
 *   <dd>A reader parked for its wake batch ({@code WakeBatch}) is woken exactly once when its batch
 *   becomes due, also when the publication that makes it due races the registration of its callback:
 *   the reader registers and then re-checks the batch against the tail, the writer stores the tail and
 *   then looks for registered callbacks (both sequentially consistent), and the callback is claimed
 *   atomically, so neither a lost nor a doubled wake-up can happen.</dd>
 *   <dt>{@code AppendClaimsItsSlot}</dt>
 *   <dd>Two lists appended from the same {@code PrefixSharingList} (a stream's clients, a ring's
 *   readers) never see each other's element: an append writes into the shared array's spare slot only
 *   after claiming it with a compare-and-set of the claimed count from its own size, and copies its own
 *   prefix into a new array otherwise; each list reads only below its own size.</dd>
 * </dl>
 */
package io.github.buffercore.internal;
