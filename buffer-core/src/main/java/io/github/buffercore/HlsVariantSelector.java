package io.github.buffercore;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Chooses which variant of an HLS multivariant (master) playlist {@link HlsUpstreamSource} plays.
 * The default is {@link #highestBandwidth()}. Called once per connection, on the pump thread; must
 * be quick and thread-safe.
 */
@FunctionalInterface
public interface HlsVariantSelector {

  /**
   * Returns the variant to play.
   *
   * @param variants the variants in playlist order; never empty
   * @return one of {@code variants}, or {@code null} if none is acceptable (the connection then
   *     fails with an {@link HlsUnsupportedException} naming the playlist)
   */
  HlsVariant select(List<HlsVariant> variants);

  /**
   * Returns the selector of the variant with the highest {@code BANDWIDTH} (the first of equals).
   *
   * @return the default selector
   */
  static HlsVariantSelector highestBandwidth() {
    return variants -> variants.stream()
        .max(Comparator.comparingLong(HlsVariant::bandwidth)
            .thenComparing(Comparator.comparingInt(variants::indexOf).reversed()))
        .orElse(null);
  }

  /**
   * Returns the selector of the variant with the highest {@code BANDWIDTH} not above {@code cap};
   * if every variant is above it, the one with the lowest bandwidth (a stream that is too rich beats
   * no stream).
   *
   * @param cap the highest acceptable peak bits per second
   * @return the selector
   * @throws IllegalArgumentException if {@code cap} is not positive
   */
  static HlsVariantSelector bandwidthAtMost(long cap) {
    if (cap <= 0) {
      throw new IllegalArgumentException("cap must be positive, got: " + cap);
    }
    return variants -> {
      HlsVariant best = matching(v -> v.bandwidth() <= cap).select(variants);
      return best != null ? best
          : variants.stream().min(Comparator.comparingLong(HlsVariant::bandwidth)).orElse(null);
    };
  }

  /**
   * Returns the selector of the variant with the highest {@code BANDWIDTH} among those
   * {@code acceptable} accepts, or none if it accepts none.
   *
   * @param acceptable which variants may be played, e.g. {@code v -> v.height() <= 720}
   * @return the selector
   * @throws NullPointerException if {@code acceptable} is {@code null}
   */
  static HlsVariantSelector matching(Predicate<HlsVariant> acceptable) {
    Objects.requireNonNull(acceptable, "acceptable");
    return variants -> highestBandwidth().select(variants.stream().filter(acceptable).toList());
  }
}
