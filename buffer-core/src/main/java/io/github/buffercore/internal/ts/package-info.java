/**
 * MPEG-TS awareness of the data path: where a viewer can start, and how a splice stays clean.
 * Implementation, not exported.
 *
 * <p>The writer chain of an MPEG-TS stream is: upstream bytes, {@link
 * io.github.buffercore.internal.TsPacketAligner} (whole packets), {@link
 * io.github.buffercore.internal.ts.TsSplicer} (clean splices after a reconnect, a backup URL or a
 * source discontinuity), then the ring write and the {@link io.github.buffercore.internal.ts.TsAnalyser}
 * (tables, video PID, random access points, PCR media clock), which fills a {@link
 * io.github.buffercore.internal.ts.RandomAccessIndex} that joining readers query for their starting
 * point ({@link io.github.buffercore.JoinPosition}). Everything but the index is confined to the
 * stream's writer thread (except {@link io.github.buffercore.internal.ts.TsAnalyser#header()}, an
 * immutable array published through a volatile field) and allocates nothing per packet.
 *
 * <p>A join shares nothing new between threads: it queries the index (its invariant below), then
 * creates a ring reader at the point, whose reads are validated like any reader's ({@code NoTornRead},
 * {@code LapDetected} in {@code io.github.buffercore.internal}). A point the writer overwrote before
 * the reader existed is refused by the ring (the reader starts at the default position, without the
 * point's tables); one overwritten after is a lap. The analyser adds a point only after the ring write
 * that holds its bytes, and the PAT/PMT prefix is an immutable array the reader alone reads.
 *
 * <h2>Invariant of the random access index</h2>
 * Proven by the jcstress test of the same name in the {@code stress-tests} module, which also catches
 * an index without its lock.
 * <dl>
 *   <dt>{@code IndexPointConsistent}</dt>
 *   <dd>A query of the {@link io.github.buffercore.internal.ts.RandomAccessIndex} returns an entry as
 *   the writer added it, whole (its position with its own media time, PSI counters and tables, never
 *   fields of two entries), and only while it is in the index: never an entry that a {@code
 *   dropBefore} (the ring's oldest intact position) or the bounded ring of entries had already removed
 *   when the query began. Every method holds the index's monitor for a few array accesses; nothing
 *   else is shared.</dd>
 * </dl>
 */
package io.github.buffercore.internal.ts;
