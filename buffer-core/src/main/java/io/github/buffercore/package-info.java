/**
 * buffer-core's public API: share one live-stream upstream among many HTTP clients without races.
 *
 * <p>Entry point: {@link io.github.buffercore.PlaylistRegistry#builder()}. Everything in
 * {@code io.github.buffercore.internal} is implementation and not exported.
 *
 * <h2>Null policy</h2>
 * A value that is validated (a playlist or stream id, the attributes of {@link PlaylistSettings}) is
 * refused when {@code null} as when otherwise invalid: an {@link java.lang.IllegalArgumentException}
 * naming it. Every other argument (initializers, functions, durations, sources, pools, listeners,
 * tickers) must not be {@code null}: a {@code null} is a {@link java.lang.NullPointerException}
 * naming the parameter. Either way it is thrown before anything changes. No method returns
 * {@code null}; an absent value is an {@link java.util.Optional} or a documented sentinel (such as
 * {@code 0} for "no client").
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
 *   <dt>{@code TunerIsAConnection}</dt>
 *   <dd>The upstream connections of a playlist open at once (an open in progress counts) never exceed its
 *   tuner limit, and one stream never has two, across generations: a tuner slot returns to the pool
 *   only when the connection that held it has closed (or its open attempt has returned and been
 *   closed), never when the state change decides to stop it. A start that needs a slot being released
 *   waits for that close, bounded, and is then refused with {@link TunerLimitExceededException}; a new
 *   generation of a stream opens only after the previous generation's connection has closed. (Also
 *   checked from outside by {@code TunerConnectionLimitTest} in buffer-core: a counting upstream source
 *   under 16 threads churning distinct streams.)</dd>
 *   <dt>{@code EventBalance}</dt>
 *   <dd>For every id the listener's events come in a legal order, also when {@code close} races every
 *   other operation (acquire, creation, lease close, switch, cleanup and the stall sweep, update, an
 *   upstream failure): no {@code PLAYLIST_REMOVED} without its {@code PLAYLIST_CREATED}, no
 *   {@code STREAM_STOPPED} without its {@code STREAM_STARTED}, no {@code CLIENT_LEFT} or
 *   {@code CLIENT_EVICTED} without its {@code CLIENT_JOINED}; each opening event at most once before
 *   its closing one; nothing about a playlist, its streams or clients after its
 *   {@code PLAYLIST_REMOVED} until it is created again, and no stream stopped or playlist removed
 *   with a client still in it (a creation that loses to {@code close} sends both or neither). Each
 *   compute records its events in order, inside the compute, and they are delivered from that record,
 *   one listener call at a time; the caller's own events before its call returns. (Also checked from
 *   outside by {@code EventOrderTest} and {@code CloseEventBalanceTest} in buffer-core.)</dd>
 *   <dt>{@code GraceRejoin}</dt>
 *   <dd>A stream has at most one upstream per generation, started after the change that started the
 *   stream and stopped after the change that removed it. A client that rejoins a stream in its grace
 *   period reuses its running upstream; a grace expiry racing the rejoin re-checks "no clients, same
 *   generation" in the removing compute, so a client is never attached to a stopped upstream.</dd>
 *   <dt>{@code SwitchHandsOverTuner}</dt>
 *   <dd>When a client key acquires another stream of a playlist while its lease on a stream is open,
 *   the old lease is ended and its tuner handed to the new stream in one atomic step: no other start
 *   can take the tuner in between, two streams never hold one tuner (the new upstream opens only
 *   after the old connection has closed), and the slot is never leaked.</dd>
 *   <dt>{@code StallEviction}</dt>
 *   <dd>A lease the stall sweep evicts (its reader consumed nothing, and it was not touched, for
 *   {@code staleAfter} while data waited, or its reader was lapped and stopped moving) is released
 *   exactly once and its end told exactly once, also when the sweep races its holder's final read or
 *   close; the eviction is decided inside the playlist's compute, so it never removes a stream (and
 *   frees its tuner) that a client still streams from. Without a scheduler the registry runs the
 *   sweep on its own daemon thread, stopped by {@code close()}.</dd>
 *   <dt>{@code OneUpstreamPerKey}</dt>
 *   <dd>One stream key (playlist and stream id) never has two upstream connections open at once, across
 *   generations: a new generation of a stream opens its upstream only after the previous generation's
 *   connection has closed (an open in progress and a close in progress count as open), however much
 *   room the tuner pool has.</dd>
 *   <dt>{@code StoppedNeverOpens}</dt>
 *   <dd>A stream stopped before its upstream started (removed by a cleanup, a failure or
 *   {@code close()} between the change that started it and the start itself) never opens an upstream:
 *   the start finds it stopped and does nothing.</dd>
 *   <dt>{@code StaleGenerationIgnored}</dt>
 *   <dd>A late report about an old generation of a stream (its upstream failed, its grace timer fired,
 *   its tuner slot was lost) never removes a newer generation of the same stream: every such event
 *   carries its generation and is ignored unless that generation is the current one.</dd>
 *   <dt>{@code LastLeaveStops}</dt>
 *   <dd>With a stream grace of 0, the last client's leave stops the stream's upstream: when the last two
 *   clients leave at once, exactly one leave is the last, it removes the stream and stops its upstream;
 *   the stream is never left running without clients, nor removed with its upstream still open.</dd>
 *   <dt>{@code CloseLeavesNothing}</dt>
 *   <dd>{@code close()} racing {@code acquire} or {@code getOrCreate} leaves nothing behind: when
 *   {@code close()} has returned, no lease is open, no upstream connection is open or still to be
 *   opened, and every tuner slot is free; the racing call either completed before the close (and was
 *   then undone by it) or failed with {@link io.github.buffercore.RegistryClosedException}.</dd>
 *   <dt>{@code ReaderClosedWithLease}</dt>
 *   <dd>Closing or evicting a lease closes its reader, also a reader created while the lease is being
 *   released: once the release has returned, the lease's reader, if one was handed out, is closed, and
 *   a reader asked for after the release is refused.</dd>
 *   <dt>{@code JoinGate}</dt>
 *   <dd>A join to a stream that is running and has a client of its own takes a slot in the stream's
 *   join gate with one compare-and-set instead of a compute, and a gate member's leave frees its slot
 *   the same way; every compute that may remove a client or a stream first closes the gates it
 *   touches and takes their members in as clients, so each join and leave through a gate lands either
 *   before the close (and the compute sees it) or not at all (and it goes through the compute): no
 *   stream is removed, and no client lost or kept, because of a gate. (Only in a registry without a
 *   listener, whose events need the compute order.)</dd>
 * </dl>
 *
 * <h2>How the registry keeps them</h2>
 * The registry is one concurrent map (a {@code ConcurrentHashMap}) from playlist id to an immutable
 * state of that playlist (its streams, their clients, idle timestamps). Every change is one atomic
 * {@code compute} that reads the current state and returns the next; removal decisions are re-checked
 * inside the same compute that removes. The one exception is a join to a
 * running stream with clients (and its leave), which needs no compute: see {@code JoinGate}. A
 * cleanup that removes an idle playlist without streams in a registry without a listener needs no
 * step either: it removes with the map's {@code remove(id, state)}, the same decision re-checked
 * atomically against the state it was made on. Initializers, listeners, logging and file-system work run
 * outside the compute, after it, exactly once, on the thread whose compute decided them; listener
 * events are only recorded inside the compute (appended to one queue, in compute order) and
 * delivered from it afterwards, one listener call at a time. A playlist
 * being created is held as a placeholder (whose future is made once a second caller waits) until its initializer has finished, so the
 * "publish empty, initialize, overwrite" race of a {@code LoadOrStore} followed by a blind
 * {@code Store} cannot happen.
 *
 * <h2>How it fits together</h2>
 * <ul>
 *   <li><b>Control plane.</b> A live playlist changes only through a pure transition
 *   {@code (state, event) -> (next state, effects, outcome)} applied inside its {@code compute}.
 *   Events: {@code Join}, {@code Switch} (a join with a client key), {@code Leave}, {@code Cleanup}, {@code GraceExpired}, {@code UpstreamFailed}
 *   (also a refused or lost tuner slot), {@code Update}, {@code Evict} (the registry closes). Effects,
 *   run after the compute exactly once and in order: {@code StartUpstream} (take a tuner slot, then
 *   open the upstream), {@code StopUpstream}, {@code EvictClient}, {@code Notify} (the
 *   {@link io.github.buffercore.RegistryListener}'s event: recorded by the compute, delivered in
 *   compute order), {@code DeleteFolder}, {@code ScheduleGrace},
 *   {@code Refuse}, {@code SwitchClient}, {@code AwaitClosed}. Outcomes the caller sees: joined, started, refused with its reason, needs an
 *   upstream target, changed, unchanged, removed.</li>
 *   <li><b>Data plane.</b> One stream generation is one upstream pump writing through a packet aligner
 *   (reset on every new connection) into one ring buffer that all its readers read. It reports back
 *   only "a client left" and "a stream ended for good", through two narrow interfaces.</li>
 *   <li><b>Tuner admission</b> is the {@link io.github.buffercore.TunerPool} SPI: a start is decided in
 *   the compute (streams in their grace period yield), the slot is acquired outside it, and a refusal
 *   undoes the start. A slot is held until the upstream connection has closed; a lost slot stops the
 *   upstream at once.</li>
 * </ul>
 *
 * <h2>What is public, and why</h2>
 * A type is here only if an embedder calls it, implements it, catches it or receives it from a call;
 * everything the implementation alone uses is in {@code io.github.buffercore.internal} (the registry,
 * its transitions and effects, the ring, the pump, the HLS and MPEG-TS internals).
 * <table class="striped">
 *   <caption>The exported types</caption>
 *   <thead><tr><th>Type</th><th>Why it is public</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@link io.github.buffercore.PlaylistRegistry}</td><td>The entry point: its builder is
 *   how an embedder configures and creates the registry.</td></tr>
 *   <tr><td>{@link io.github.buffercore.Playlist}, {@link io.github.buffercore.PlaylistSettings},
 *   {@link io.github.buffercore.PlaylistInitializer}</td><td>Returned by {@code getOrCreate}/
 *   {@code update}; the settings an embedder's initializer returns and its update function
 *   changes.</td></tr>
 *   <tr><td>{@link io.github.buffercore.ClientLease}, {@link io.github.buffercore.StreamReader}</td>
 *   <td>Returned by {@code acquire}: what an HTTP handler reads from and closes.</td></tr>
 *   <tr><td>{@link io.github.buffercore.CleanupReport}, {@link io.github.buffercore.RegistrySnapshot},
 *   {@link io.github.buffercore.PlaylistSnapshot}, {@link io.github.buffercore.StreamSnapshot},
 *   {@link io.github.buffercore.StreamStats}</td><td>Returned by {@code cleanup()} and
 *   {@code snapshot()}; read by status pages and the Micrometer binder.</td></tr>
 *   <tr><td>{@link io.github.buffercore.RegistryListener}, {@link io.github.buffercore.RegistryEvent}
 *   </td><td>Implemented by an embedder (logging, metrics) and passed to the builder.</td></tr>
 *   <tr><td>{@link io.github.buffercore.Ticker}</td><td>Passed to the builder; its
 *   {@link io.github.buffercore.Ticker#manual()} is the one hand-moved clock of this project's tests,
 *   stress tests and benchmarks, and of an embedder's own tests of grace and staleness (the jcstress
 *   and JMH harnesses are shaded main code, where a test-jar does not belong).</td></tr>
 *   <tr><td>{@link io.github.buffercore.SlowClientPolicy}, {@link io.github.buffercore.ReconnectPolicy}
 *   </td><td>Builder settings (also of {@code HlsUpstreamSource}'s retries).</td></tr>
 *   <tr><td>{@link io.github.buffercore.UpstreamSource}, {@link io.github.buffercore.UpstreamConnection},
 *   {@link io.github.buffercore.UpstreamRequest}</td><td>The upstream SPI: implemented or wrapped by
 *   an embedder (e.g. logging decorators), and by the sources below.</td></tr>
 *   <tr><td>{@link io.github.buffercore.UpstreamResolver}, {@link io.github.buffercore.UpstreamTarget}
 *   </td><td>Implemented by an embedder: maps a playlist and stream id to an upstream URL.</td></tr>
 *   <tr><td>{@link io.github.buffercore.HttpUpstreamSource}, {@link io.github.buffercore.HlsUpstreamSource},
 *   {@link io.github.buffercore.AutoUpstreamSource}, {@link io.github.buffercore.StreamFormat}</td>
 *   <td>The built-in sources an embedder picks and configures (the format chooses per request in
 *   {@code AutoUpstreamSource}).</td></tr>
 *   <tr><td>{@link io.github.buffercore.HlsVariantSelector}, {@link io.github.buffercore.HlsVariant}
 *   </td><td>An embedder may choose the variant of a multivariant playlist itself.</td></tr>
 *   <tr><td>{@link io.github.buffercore.InProcessUpstreamSource}</td><td>A public source of a looping
 *   clip or a generated stream, paced to a bitrate: the examples' demo channel serves one, and the
 *   tests of embedders (Micrometer binder, Redis registry) drive a real pump with it instead of a
 *   mock. Not a test artifact: it is main code of a runnable example.</td></tr>
 *   <tr><td>{@link io.github.buffercore.TunerPool}, {@link io.github.buffercore.TunerRequest},
 *   {@link io.github.buffercore.TunerSlot}</td><td>The tuner-admission SPI: implemented by a cluster
 *   (e.g. Redis) pool; the in-process default is internal.</td></tr>
 *   <tr><td>{@link io.github.buffercore.JoinPosition}</td><td>Where a new viewer starts in the buffer
 *   (live, behind, oldest keyframe): taken by {@code acquire(playlistId, streamId, JoinPosition)} and
 *   the builder's {@code joinPosition}.</td></tr>
 *   <tr><td>{@link io.github.buffercore.BufferCoreException} and its subclasses
 *   {@link io.github.buffercore.PlaylistNotFoundException},
 *   {@link io.github.buffercore.PlaylistInitializationException},
 *   {@link io.github.buffercore.TunerLimitExceededException},
 *   {@link io.github.buffercore.TunerPoolUnavailableException},
 *   {@link io.github.buffercore.SlowClientException}, {@link io.github.buffercore.UpstreamException},
 *   {@link io.github.buffercore.UnknownStreamException}; the I/O exceptions
 *   {@link io.github.buffercore.UpstreamStatusException},
 *   {@link io.github.buffercore.HlsPlaylistException},
 *   {@link io.github.buffercore.HlsUnsupportedException}</td><td>Thrown through the API (the
 *   unknown stream by an embedder's resolver): an embedder catches each to answer with its own
 *   status (404, 502, 503...), so each is a type of its own.</td></tr>
 *   </tbody>
 * </table>
 */
package io.github.buffercore;
