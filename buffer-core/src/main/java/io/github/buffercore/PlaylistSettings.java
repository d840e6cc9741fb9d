package io.github.buffercore;

import java.util.Map;
import java.util.Objects;

/**
 * The user-controlled settings of one playlist: its tuner limit and free-form attributes (for example
 * the M3U URL it came from or a display name). Immutable; change a live playlist's settings with
 * {@link PlaylistRegistry#update(String, java.util.function.UnaryOperator)}.
 *
 * @param tunerLimit how many distinct streams of the playlist may run at once (the provider's
 *     connection limit); always at least 1
 * @param attributes immutable user attributes; never {@code null}
 */
public record PlaylistSettings(int tunerLimit, Map<String, String> attributes) {

  /**
   * Validates and copies the settings.
   *
   * @param tunerLimit how many distinct streams of the playlist may run at once (the provider's
   *     connection limit); always at least 1
   * @param attributes immutable user attributes; never {@code null}
   * @throws IllegalArgumentException if {@code tunerLimit <= 0} or an attribute key or value is null
   */
  public PlaylistSettings {
    if (tunerLimit <= 0) {
      throw new IllegalArgumentException("tunerLimit must be at least 1 but was " + tunerLimit);
    }
    if (attributes == null) {
      throw new IllegalArgumentException("attributes must not be null (use Map.of())");
    }
    attributes.forEach((key, value) -> {
      if (key == null || value == null) {
        throw new IllegalArgumentException(
            "attributes must not contain null keys or values but had " + key + "=" + value);
      }
    });
    attributes = Map.copyOf(attributes);
  }

  /**
   * Returns settings with the given tuner limit and no attributes.
   *
   * @param tunerLimit the tuner limit, at least 1
   * @return the settings
   * @throws IllegalArgumentException if {@code tunerLimit <= 0}
   */
  public static PlaylistSettings withTuners(int tunerLimit) {
    return new PlaylistSettings(tunerLimit, Map.of());
  }

  /**
   * Returns a copy with another tuner limit.
   *
   * @param newLimit the new tuner limit, at least 1
   * @return the changed copy
   * @throws IllegalArgumentException if {@code newLimit <= 0}
   */
  public PlaylistSettings withTunerLimit(int newLimit) {
    return new PlaylistSettings(newLimit, attributes);
  }

  /**
   * Returns a copy with one attribute added or replaced.
   *
   * @param key the attribute name
   * @param value the attribute value
   * @return the changed copy
   * @throws IllegalArgumentException if the key or value is null
   */
  public PlaylistSettings withAttribute(String key, String value) {
    if (key == null || value == null) {
      throw new IllegalArgumentException("attribute key and value must not be null but were "
          + key + "=" + value);
    }
    var copy = new java.util.HashMap<>(attributes);
    copy.put(key, value);
    return new PlaylistSettings(tunerLimit, copy);
  }

  /**
   * Returns the value of an attribute, or {@code null} if it is not set.
   *
   * @param key the attribute name
   * @return the value or {@code null}
   */
  public String attribute(String key) {
    return attributes.get(Objects.requireNonNull(key, "key"));
  }
}
