package io.github.buffercore.stress.scenario;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.Ticker;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link GateUnderTest} on a registry from a {@link RegistryFactory} (no listener, so buffer-core's
 * registry lets joins to a running stream through the stream's join gate): the anchor starts the
 * stream, the member joins it while it runs, so it is a gate member.
 */
public final class RegistryGate implements GateUnderTest {

  private static final String PLAYLIST = Scenarios.PLAYLIST;
  private static final String STREAM = "a";

  private final PlaylistRegistry registry;
  private final ClientLease anchor;
  private final ClientLease member;
  private volatile ClientLease joined;

  /**
   * Builds the registry and the two clients.
   *
   * @param factory the registry under test
   */
  public RegistryGate(RegistryFactory factory) {
    registry = factory.create(Duration.ZERO, Duration.ofDays(1), Ticker.manual());
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1));
    anchor = registry.acquire(PLAYLIST, STREAM);
    member = registry.acquire(PLAYLIST, STREAM);
  }

  @Override
  public void join() {
    joined = registry.acquire(PLAYLIST, STREAM);
  }

  @Override
  public void leaveAnchor() {
    anchor.close();
  }

  @Override
  public void leaveMember() {
    member.close();
  }

  @Override
  public void arbiter(II_Result r) {
    StreamSnapshot stream = Scenarios.stream(registry.snapshot(), STREAM).orElse(null);
    r.r1 = stream == null ? -1 : stream.clients();
    r.r2 = joined != null && joined.isOpen() ? 1 : 0;
    registry.close();
  }
}
