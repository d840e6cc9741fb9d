package io.github.buffercore;

/**
 * Tuner admission: decides whether one more upstream connection ("tuner") of a playlist may open.
 * The service-provider interface behind every tuner limit of a {@link PlaylistRegistry}; the default,
 * used when {@link PlaylistRegistry.Builder#tunerPool(TunerPool)} is not called, counts slots in this
 * process. A remote implementation (for example one lease per slot in Redis, shared by several proxy
 * nodes) implements the same contract.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>A slot is a connection.</b> The registry takes a slot before the upstream connection of a
 *   stream starts opening and releases it ({@link TunerSlot#close()}) only after that connection is
 *   closed, or after its open attempt has returned and been closed. Slots held never exceed the
 *   {@linkplain TunerRequest#tunerLimit() limit} the request names.</li>
 *   <li><b>Refusal is an answer, not a failure.</b> When every slot stays taken for
 *   {@link TunerRequest#maxWait()}, {@link #acquire} throws {@link TunerLimitExceededException} naming the
 *   playlist, stream, limit and holders. When the pool cannot decide (its store is unreachable), it
 *   fails closed with {@link TunerPoolUnavailableException}; it never admits on doubt.</li>
 *   <li><b>A slot can be lost.</b> An implementation whose slots are leases that can expire (a node
 *   paused past its lease, a store that lost its data) reports the loss through
 *   {@link TunerSlot#onLost}; the stream holding the slot must then stop its upstream at once, before
 *   it sends another byte. The registry does that.</li>
 *   <li><b>Release is idempotent</b> and never throws; releasing a lost slot is a no-op.</li>
 * </ul>
 *
 * <p>Thread-safety: implementations must be thread-safe. {@link #acquire} is called outside any map
 * computation of the registry and may block (network round trips, waiting for a slot being released)
 * for at most {@link TunerRequest#maxWait()} plus one round trip.
 */
public interface TunerPool extends AutoCloseable {

  /**
   * Takes one slot of {@code request.playlistId()} for {@code request.streamId()}, waiting at most
   * {@code request.maxWait()} for a slot that is being released.
   *
   * @param request the playlist, stream, limit and longest wait
   * @return the held slot, never {@code null}
   * @throws TunerLimitExceededException if every slot stayed taken; nothing is held
   * @throws TunerPoolUnavailableException if the pool could not decide; nothing is held
   * @throws InterruptedException if the waiting thread was interrupted; nothing is held
   */
  TunerSlot acquire(TunerRequest request) throws InterruptedException;

  /**
   * Releases the pool's own resources (connections, heartbeat threads). Slots still held are not
   * released by this call; the registry releases them when it closes their streams. The default does
   * nothing.
   */
  @Override
  default void close() {
    // nothing to release
  }
}
