/**
 * Micrometer metrics for buffer-core: {@link io.github.buffercore.micrometer.BufferCoreMetrics} is a
 * {@link io.micrometer.core.instrument.binder.MeterBinder} and a
 * {@link io.github.buffercore.RegistryListener} built on buffer-core's public API only (snapshots,
 * events, stream stats). A separate artifact, so buffer-core itself needs nothing but Caffeine and
 * SLF4J.
 *
 * <p>Shared state: the binder's own books (meters registered, last stream stats seen) are changed only
 * inside {@code refresh()}, one pass at a time; gauge functions read an immutable snapshot through an
 * atomic reference and never take that monitor. It keeps no registry state of its own, so the
 * invariants of {@code io.github.buffercore} are the only ones involved.
 */
package io.github.buffercore.micrometer;
