package io.github.buffercore;

/**
 * The {@link PlaylistRegistry} was closed: thrown by every method of a closed registry except
 * {@code close}, and by a creation that raced {@code close}. An {@link IllegalStateException}, so
 * callers that caught that before keep working; catch this type to tell a closed registry apart from
 * an initializer's own {@code IllegalStateException}.
 */
public class RegistryClosedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param cause the failure this one wraps (a creation that saw the close), or {@code null}
   */
  public RegistryClosedException(Throwable cause) {
    super("The playlist registry is closed", cause);
  }
}
