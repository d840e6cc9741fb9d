package io.github.buffercore.stress.scenario;

import static io.github.buffercore.stress.scenario.Scenarios.PLAYLIST;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.RegistryClosedException;
import io.github.buffercore.RegistryListener;
import java.util.function.Function;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code close()} racing a viewer's join and leave: a playlist with two tuners and no stream grace
 * has one viewer on {@code channel-b}; one actor joins {@code channel-a} and leaves it again (its
 * join starts the stream, its leave stops it), the other closes the registry (evicting every client,
 * stopping every stream, removing the playlist). The listener ({@link EventLog}) checks every id's
 * events in arrival order.
 *
 * <p>Result: r1 = 1 if the join returned a lease, 0 if it was told the registry closed (or the
 * playlist was gone); r2 = the first violation's code ({@link EventLog}, 0: every event in a legal
 * order); r3 = 1 if a playlist, stream or client is left open after {@code close()} returned.
 */
public final class EventBalanceScenario {

  private static final String WATCHED = "channel-b";
  private static final String JOINED = "channel-a";

  private final EventLog log = new EventLog();
  private final PlaylistRegistry registry;

  /**
   * Builds the registry and its first viewer.
   *
   * @param factory builds the registry under test with the given listener (stream grace 0, idle
   *     grace 60 s, manual ticker, no scheduler)
   */
  public EventBalanceScenario(Function<RegistryListener, PlaylistRegistry> factory) {
    registry = factory.apply(log);
    registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(2));
    registry.acquire(PLAYLIST, WATCHED); // kept open: the close evicts it
  }

  /**
   * Actor 1: a viewer joins {@code channel-a} (starting it) and leaves (stopping it).
   *
   * @return 1 if the join returned a lease, 0 if the registry was closed first
   */
  public int joinAndLeave() {
    try {
      ClientLease lease = registry.acquire(PLAYLIST, JOINED);
      lease.close();
      return 1;
    } catch (RegistryClosedException | PlaylistNotFoundException closedFirst) {
      return 0;
    }
  }

  /** Actor 2: the registry closes. */
  public void close() {
    registry.close();
  }

  /** Arbiter: r2 and r3 (r1 is actor 1's). */
  public void arbiter(III_Result r) {
    r.r2 = log.firstViolation();
    r.r3 = log.unbalanced();
  }
}
