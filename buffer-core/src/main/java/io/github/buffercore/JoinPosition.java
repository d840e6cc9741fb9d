package io.github.buffercore;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where in a stream's buffer a new viewer starts. Immutable and thread-safe.
 *
 * <p>For an MPEG-TS stream with a video elementary stream, a viewer starts on a <em>random access
 * point</em>: a packet that begins a video picture a decoder can start from (signalled by the adaptation
 * field's {@code random_access_indicator}, or found as an H.264 IDR / H.265 IRAP picture when the
 * indicator is absent). It first receives the stream's current PAT and PMT, then the buffered data from
 * that point on, so its decoder shows a clean picture at once instead of grey or green blocks until the
 * next keyframe.
 *
 * <ul>
 *   <li>{@link #live()} (the default): the newest random access point; the viewer starts within one
 *       group of pictures of live.
 *   <li>{@link #behind(Duration)}: the newest random access point at least that far behind live,
 *       measured with the stream's PCR, or, when the stream carries no PCR, from its observed bitrate.
 *       If the buffer holds no point that far back, the oldest buffered point is used.
 *   <li>{@link #oldest()}: the oldest random access point still intact in the buffer.
 * </ul>
 *
 * <p><strong>Fallback.</strong> A stream that is not MPEG-TS, an MPEG-TS stream without a video
 * elementary stream (radio, data), or one whose PAT/PMT or first random access point have not been
 * seen yet, has no random access points. A viewer of such a stream starts at a packet-aligned byte
 * offset instead (a multiple of 188 bytes in MPEG-TS mode): at the live edge minus the configured
 * start-behind distance for {@code live} and {@code behind}, or at the oldest intact byte for {@code
 * oldest}; no PAT/PMT is sent first.
 *
 * <p>Chosen per registry with {@link PlaylistRegistry.Builder#joinPosition} and per viewer with {@link
 * PlaylistRegistry#acquire(String, String, JoinPosition)}.
 */
public final class JoinPosition {

  /** The three kinds of join position. */
  public enum Kind {
    /** The newest random access point. */
    LIVE,
    /** The newest random access point at least {@link JoinPosition#distance()} behind live. */
    BEHIND,
    /** The oldest intact random access point. */
    OLDEST
  }

  private static final JoinPosition LIVE = new JoinPosition(Kind.LIVE, Duration.ZERO);
  private static final JoinPosition OLDEST = new JoinPosition(Kind.OLDEST, Duration.ZERO);

  private final Kind kind;
  private final Duration distance;

  private JoinPosition(Kind kind, Duration distance) {
    this.kind = kind;
    this.distance = distance;
  }

  /**
   * Returns the default: start at the newest random access point.
   *
   * @return the live join position
   */
  public static JoinPosition live() {
    return LIVE;
  }

  /**
   * Returns a join position at the newest random access point at least {@code distance} behind live.
   * {@code behind(Duration.ZERO)} joins where {@link #live()} does.
   *
   * @param distance how far behind live, in media time; zero or positive
   * @return the join position
   * @throws IllegalArgumentException if {@code distance} is {@code null} or negative
   */
  public static JoinPosition behind(Duration distance) {
    if (distance == null || distance.isNegative()) {
      throw new IllegalArgumentException("join distance behind live must be zero or positive, got: " + distance);
    }
    return new JoinPosition(Kind.BEHIND, distance);
  }

  /**
   * Returns a join position at the oldest random access point still intact in the buffer.
   *
   * @return the oldest join position
   */
  public static JoinPosition oldest() {
    return OLDEST;
  }

  /**
   * Returns the kind of this join position.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns how far behind live a {@link Kind#BEHIND} position joins; {@link Duration#ZERO} for the
   * other kinds.
   *
   * @return the distance, never negative
   */
  public Duration distance() {
    return distance;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof JoinPosition)) {
      return false;
    }
    JoinPosition other = (JoinPosition) o;
    return kind == other.kind && distance.equals(other.distance);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, distance);
  }

  @Override
  public String toString() {
    return kind == Kind.BEHIND
        ? "JoinPosition[behind " + distance + "]"
        : "JoinPosition[" + kind.name().toLowerCase(Locale.ROOT) + "]";
  }
}
