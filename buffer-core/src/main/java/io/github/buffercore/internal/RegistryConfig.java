package io.github.buffercore.internal;

import io.github.buffercore.RegistryListener;
import io.github.buffercore.Ticker;
import io.github.buffercore.TunerPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The validated settings of one registry, as the public builder collected them.
 *
 * @param staleAfter clients untouched this long are evicted
 * @param streamGrace streams without clients are kept this long
 * @param idleGrace playlists without streams are kept this long
 * @param ticker the time source
 * @param listener the event listener, or {@code null} for none
 * @param workingFolderBase the base of per-playlist folders, or {@code null} for none
 * @param scheduler the caller's scheduler, or {@code null} for none
 * @param cleanupInterval the period of scheduled cleanup
 * @param data the data path settings, or {@code null} for a registry without upstream
 * @param tunerPool the caller's tuner admission, or {@code null} for the in-process default
 * @param periodicCleanup whether cleanup (with the stall sweep) runs every {@code cleanupInterval};
 *     on the registry's own daemon scheduler when {@code scheduler} is {@code null}
 */
public record RegistryConfig(
    Duration staleAfter,
    Duration streamGrace,
    Duration idleGrace,
    Ticker ticker,
    RegistryListener listener,
    Path workingFolderBase,
    ScheduledExecutorService scheduler,
    Duration cleanupInterval,
    StreamDataConfig data,
    TunerPool tunerPool,
    boolean periodicCleanup) { }
