/**
 * buffer-core's public API: share one live-stream upstream among many HTTP clients without races.
 *
 * <p>Entry point: {@link io.github.buffercore.PlaylistRegistry#builder()}. Everything in
 * {@code io.github.buffercore.internal} is implementation and not exported.
 *
 * <h2>Invariants</h2>
 * Each rule below is the whole of a shared-state contract; each is proven by the jcstress test of the
 * same name in the {@code stress-tests} module, which also runs a broken variant to show the test can
 * fail.
 * <dl>
 *   <dt>{@code SingleCreation}</dt>
 *   <dd>For one live playlist id the initializer runs exactly once however many threads call
 *   {@code getOrCreate}; all of them receive the same instance, and none receives it before it is fully
 *   initialized (settings set, working folder created). A failed initializer stores nothing.</dd>
 *   <dt>{@code NoLostUpdate}</dt>
 *   <dd>Concurrent {@code update}s of one playlist are all applied, each to the result of the one before.</dd>
 *   <dt>{@code JoinSurvivesCleanup}</dt>
 *   <dd>A client whose {@code acquire} returned is in the registry until its lease is closed or it goes
 *   stale; a concurrent {@code cleanup} never removes it, its stream or its playlist.</dd>
 *   <dt>{@code LastLeaveVersusJoin}</dt>
 *   <dd>When the last client of a stream leaves while another joins it, the stream either stays with the
 *   joiner in it or is removed and started again for the joiner (a new generation); it is never removed
 *   with a client in it.</dd>
 *   <dt>{@code IdempotentRelease}</dt>
 *   <dd>Closing a lease any number of times, from any threads, removes its client exactly once; client
 *   and tuner counts are exact and never negative.</dd>
 *   <dt>{@code TunerLimit}</dt>
 *   <dd>The streams of a playlist (tuners in use) never exceed its tuner limit; when one tuner is left
 *   and two new streams race for it, exactly one starts and the other gets
 *   {@link io.github.buffercore.TunerLimitExceededException} with nothing changed.</dd>
 *   <dt>{@code GraceRejoin}</dt>
 *   <dd>A stream has at most one upstream per generation, started after the change that started the
 *   stream and stopped after the change that removed it. A client that rejoins a stream in its grace
 *   period reuses its running upstream; a grace expiry racing the rejoin re-checks "no clients, same
 *   generation" in the removing compute, so a client is never attached to a stopped upstream.</dd>
 *   <dt>{@code StallEviction}</dt>
 *   <dd>A lease the stall sweep evicts (its reader consumed nothing, and it was not touched, for
 *   {@code staleAfter} while data waited, or its reader was lapped and stopped moving) is released
 *   exactly once and its end told exactly once, also when the sweep races its holder's final read or
 *   close; the eviction is decided inside the playlist's compute, so it never removes a stream (and
 *   frees its tuner) that a client still streams from. Without a scheduler the registry runs the
 *   sweep on its own daemon thread, stopped by {@code close()}.</dd>
 * </dl>
 *
 * <h2>How the registry keeps them</h2>
 * The registry is one concurrent map (Caffeine's {@code asMap()} view) from playlist id to an immutable
 * state of that playlist (its streams, their clients, idle timestamps). Every change is one atomic
 * {@code compute} that reads the current state and returns the next; removal decisions are re-checked
 * inside the same compute that removes. Initializers, listeners, logging and file-system work run
 * outside the compute, after it, exactly once, on the thread whose compute decided them. A playlist
 * being created is held as a placeholder future until its initializer has finished, so the
 * "publish empty, initialize, overwrite" race of a {@code LoadOrStore} followed by a blind
 * {@code Store} cannot happen.
 *
 * <h2>How it fits together</h2>
 * <ul>
 *   <li><b>Control plane.</b> A live playlist changes only through a pure transition
 *   {@code (state, event) -> (next state, effects, outcome)} applied inside its {@code compute}.
 *   Events: {@code Join}, {@code Leave}, {@code Cleanup}, {@code GraceExpired}, {@code UpstreamFailed}
 *   (also a refused or lost tuner slot), {@code Update}, {@code Evict} (the registry closes). Effects,
 *   run after the compute exactly once and in order: {@code StartUpstream} (take a tuner slot, then
 *   open the upstream), {@code StopUpstream}, {@code EvictClient}, {@code Notify} (the
 *   {@link io.github.buffercore.RegistryListener}), {@code DeleteFolder}, {@code ScheduleGrace},
 *   {@code Refuse}. Outcomes the caller sees: joined, started, refused with its reason, needs an
 *   upstream target, changed, unchanged, removed.</li>
 *   <li><b>Data plane.</b> One stream generation is one upstream pump writing through a packet aligner
 *   (reset on every new connection) into one ring buffer that all its readers read. It reports back
 *   only "a client left" and "a stream ended for good", through two narrow interfaces.</li>
 *   <li><b>Tuner admission</b> is the {@link io.github.buffercore.TunerPool} SPI: a start is decided in
 *   the compute (streams in their grace period yield), the slot is acquired outside it, and a refusal
 *   undoes the start. A slot is held until the upstream connection has closed; a lost slot stops the
 *   upstream at once.</li>
 * </ul>
 */
package io.github.buffercore;
