/**
 * The load benchmark: many HTTP viewers of one live channel, per server stack, measured from outside
 * the server as a user would run it.
 *
 * <p>{@link io.github.buffercore.bench.load.LoadBenchmark} drives the runs and writes
 * {@code benchmarks/LOAD.md}; {@link io.github.buffercore.bench.load.PacedUpstream} is the local live
 * source (an MPEG-TS clip looped at its PCR rate, see {@link io.github.buffercore.bench.load.TsClip});
 * {@link io.github.buffercore.bench.load.ViewerClient} holds thousands of viewers on a few NIO selector
 * threads; {@link io.github.buffercore.bench.load.ProcStats} and
 * {@link io.github.buffercore.bench.load.SyscallCounter} read the server process from {@code /proc}
 * and {@code perf stat}.
 *
 * <p>Shared-state rules: a viewer's record is written only by the selector thread that owns it and read
 * by others only after that thread has been joined ({@link io.github.buffercore.bench.load.ViewerClient#stop()});
 * the mid-run mark is a volatile request each selector thread acts on in its own loop. The upstream's
 * connection counters are atomics. Nothing else is shared.
 */
package io.github.buffercore.bench.load;
