/**
 * A tuner pool over one Redis: {@link io.github.buffercore.redis.RedisTunerPool}. One tuner slot is one
 * lease in Redis; the module's README describes the key layout, the three Lua scripts and what happens
 * under each failure.
 *
 * <h2>Invariants</h2>
 * <dl>
 *   <dt>{@code LeaseCount}</dt>
 *   <dd>In Redis, the valid leases of a playlist (expiry after the server's {@code TIME}) never exceed
 *   the limit of the acquire that added the newest of them: the acquire script counts and adds in one
 *   atomic step, after removing the expired ones.</dd>
 *   <dt>{@code HeldImpliesLeased}</dt>
 *   <dd>A slot answers {@code isHeld() == true} only before its local deadline: the
 *   {@link System#nanoTime()} at which its last confirmed acquire or renewal was <em>sent</em>, plus
 *   nine tenths of the TTL. The server set that lease's expiry to its own time when it ran the script,
 *   plus the whole TTL, which is later; so while a slot is held here its lease is valid in Redis and
 *   counted, no other node can be holding that slot, and a stream stopped at the local deadline has a
 *   tenth of the TTL to close its upstream before the slot can be handed out again. A renewal never
 *   revives an expired lease.</dd>
 *   <dt>{@code SingleExit}</dt>
 *   <dd>A slot leaves HELD exactly once, to LOST or CLOSED, by one compare-and-set on its immutable
 *   state; the thread that wins runs the one side effect of that exit (the release script, or handing
 *   the loss action to the pool's callback thread), after the state change. The loss action runs at
 *   most once, and never once {@code close()} has been called.</dd>
 *   <dt>{@code MonotonicFence}</dt>
 *   <dd>The fencing tokens of one playlist increase strictly: each is
 *   {@code max(previous + 1, server time in microseconds)}, so they keep increasing even after Redis
 *   lost the previous counter, as long as the server clock does not step back.</dd>
 * </dl>
 * {@code LeaseCount} and {@code MonotonicFence} hold inside single Lua scripts, which Redis runs one at
 * a time, and are checked by the module's tests against a real redis-server, from threads and from
 * separate processes that are killed and paused, as is {@code HeldImpliesLeased}. {@code SingleExit}
 * is checked by {@code RedisTunerSlotTest}: close racing a loss, 2,000 rounds, against the real slot
 * and a check-then-act variant that the race must catch (a JUnit race harness, not jcstress).
 */
package io.github.buffercore.redis;
