package io.github.buffercore.stress.scenario;

/**
 * What the data-path proofs drive: buffer-core's registry with an upstream ({@link DataPath}), or a
 * broken sketch of it ({@code io.github.buffercore.stress.broken.SketchDataPath}). The real and the
 * broken test of an invariant call exactly the same code through this interface. Every stream is in
 * playlist {@link DataPath#PLAYLIST}; every upstream is the implementation's {@link #probe()}.
 */
public interface DataPathUnderTest {

  /** Creates the playlist if absent (set-up). */
  void create();

  /**
   * Joins a client to {@code stream}, creating the playlist and starting the stream if needed.
   *
   * @param stream the stream id
   * @return the client's lease
   * @throws RuntimeException as the registry's acquire does (tuner limit, registry closed)
   */
  AutoCloseable acquire(String stream);

  /**
   * Joins {@code stream} and returns once its upstream connection is open (set-up only).
   *
   * @param stream the stream id
   * @return the client's lease
   */
  AutoCloseable playing(String stream);

  /**
   * Closes the lease.
   *
   * @param lease a lease from {@link #acquire}
   */
  void leave(AutoCloseable lease);

  /**
   * Whether the lease is still open.
   *
   * @param lease a lease from {@link #acquire}
   * @return true if open
   */
  boolean isOpen(AutoCloseable lease);

  /** One cleanup pass; every client has gone stale by the time it reads its clock. */
  void cleanup();

  /** Closes the registry. */
  void close();

  /**
   * The generation of {@code stream}, or {@code -1} if there is no such stream.
   *
   * @param stream the stream id
   * @return the generation or -1
   */
  long generation(String stream);

  /** The upstream probe. */
  ProbeUpstream probe();

  /**
   * For the arbiter: ends every blocked upstream read, then closes the registry (waiting for the
   * pumps it stopped), so {@link ProbeUpstream#unstopped()} counts the pumps nobody stopped.
   */
  void quiesceAndClose();
}
