/**
 * Micrometer metrics for buffer-core: {@link io.github.buffercore.micrometer.BufferCoreMetrics} is a
 * {@link io.micrometer.core.instrument.binder.MeterBinder} and a
 * {@link io.github.buffercore.RegistryListener} built on buffer-core's public API only (snapshots,
 * events, stream stats). A separate artifact, so buffer-core itself needs nothing but Caffeine and
 * SLF4J.
 *
 * <h2>Invariant</h2>
 * <dl>
 *   <dt>{@code ExactDeltas}</dt>
 *   <dd>However many threads refresh a binder at once (scrapes, registry events, {@code monitor}), each
 *   byte, connection and lap that a stream generation's stats counted up to a refresh is added to the
 *   stats-fed counters exactly once: the snapshot, the "last seen" stats and the counter increments of
 *   one refresh form one pass under the binder's monitor. Proven by the jcstress test
 *   {@code metrics.ExactDeltas} in {@code stress-tests}, which catches {@code BrokenExactDeltas} (the
 *   same pass without the monitor: both threads add the same delta).</dd>
 * </dl>
 * Gauge functions never take that monitor: they read an immutable registry snapshot through an atomic
 * reference (replaced by a newer one, never mutated), so a scrape reading gauges cannot deadlock with a
 * refresh that registers meters. The binder keeps no registry state of its own; the registry's
 * invariants are those of {@code io.github.buffercore}.
 */
package io.github.buffercore.micrometer;
