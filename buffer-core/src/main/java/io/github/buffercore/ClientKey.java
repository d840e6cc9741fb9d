package io.github.buffercore;

import java.util.Objects;

/**
 * Who a client is, as the embedder decides it (a session cookie, a client address plus user agent, a
 * device id), so that a channel switch can hand a tuner over instead of needing a spare one.
 *
 * <p>When a lease carrying a key is acquired for a stream while a lease with the same key is still
 * open on another stream of the same playlist, the registry ends the old lease and gives its place
 * to the new stream in one atomic step (see
 * {@link PlaylistRegistry#acquire(String, String, ClientKey)}). Keys are compared by value.
 *
 * @param value the key: 1 to 1024 characters, no control characters
 */
public record ClientKey(String value) {

  /** The longest accepted key, in characters. */
  public static final int MAX_LENGTH = 1024;

  /**
   * Validates the key.
   *
   * @param value the key
   * @throws IllegalArgumentException if it is empty, longer than {@link #MAX_LENGTH} characters or
   *     holds a control character; the message names the value
   * @throws NullPointerException if it is {@code null}
   */
  public ClientKey {
    Objects.requireNonNull(value, "client key");
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("client key must have 1 to " + MAX_LENGTH
          + " characters but has " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException("client key '" + value.replaceAll("\\p{Cntrl}", "?")
            + "' holds a control character at index " + i);
      }
    }
  }

  /**
   * Returns the key with this value.
   *
   * @param value the key
   * @return the key
   * @throws IllegalArgumentException if the value is not a valid key (see the constructor)
   */
  public static ClientKey of(String value) {
    return new ClientKey(value);
  }
}
