/**
 * buffer-core: share one live-stream upstream among many HTTP clients without races.
 *
 * <p>Only {@code io.github.buffercore} is exported; {@code io.github.buffercore.internal} is the
 * implementation and may change in any release.
 */
module io.github.buffercore {
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  requires java.net.http;

  exports io.github.buffercore;
}
