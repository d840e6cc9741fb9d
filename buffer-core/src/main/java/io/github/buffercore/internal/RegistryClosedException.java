package io.github.buffercore.internal;

/** The registry was closed; told apart from an initializer's own {@link IllegalStateException}. */
final class RegistryClosedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  RegistryClosedException(Throwable cause) {
    super("The playlist registry is closed", cause);
  }
}
