package io.github.buffercore.internal;

import io.github.buffercore.JoinPosition;
import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.SlowClientPolicy;
import io.github.buffercore.UpstreamResolver;
import io.github.buffercore.UpstreamSource;
import java.time.Duration;

/**
 * How a registry with an upstream runs the data path of each stream.
 *
 * @param source opens upstream connections
 * @param resolver finds the upstream URLs of a stream
 * @param bufferCapacity ring capacity in bytes per stream
 * @param startBehind how many bytes behind live a new reader starts
 * @param mpegTs whether streams are MPEG-TS (packet-aligned writes and reader positions)
 * @param slowClientPolicy what happens to a lapped reader
 * @param reconnectPolicy attempts and backoff per upstream URL
 * @param startTimeout how long an upstream attempt may take to deliver its first byte
 * @param joinPosition where a new reader starts unless its acquire names a position
 * @param wakeBatch when parked readers are woken, or {@code null} to wake them on every publication
 */
public record StreamDataConfig(
    UpstreamSource source,
    UpstreamResolver resolver,
    int bufferCapacity,
    int startBehind,
    boolean mpegTs,
    SlowClientPolicy slowClientPolicy,
    ReconnectPolicy reconnectPolicy,
    Duration startTimeout,
    JoinPosition joinPosition,
    WakeBatch wakeBatch) { }
