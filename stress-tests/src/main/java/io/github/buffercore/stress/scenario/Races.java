package io.github.buffercore.stress.scenario;

import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.RegistryClosedException;

/** Calls that may lose a race with {@code close()} in a data-path proof. */
public final class Races {

  private Races() { }

  /**
   * Acquires {@code stream}, or returns {@code null} if the registry closed first (the documented
   * answer of a call that loses to {@code close()}).
   *
   * @param path what is under test
   * @param stream the stream id
   * @return the lease, or {@code null} if the registry was closed
   */
  public static AutoCloseable acquireOrNull(DataPathUnderTest path, String stream) {
    try {
      return path.acquire(stream);
    } catch (RegistryClosedException | PlaylistNotFoundException closed) {
      return null;
    }
  }
}
