package io.github.buffercore.stress.lincheck;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.stress.RegistryFactory;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;

/**
 * The operations Lincheck calls concurrently on one registry (one playlist {@code p}, two streams
 * {@code a} and {@code b}), each returning a plain comparable value. Lincheck compares every
 * concurrent history with the sequential {@link RegistryModel}.
 *
 * <p>The registry runs with a ticker that never moves, {@code streamGrace} 0 (a stream stops with its
 * last client) and {@code idleGrace} 0 (cleanup removes a playlist as soon as it has no streams), so
 * every operation's effect is decided by the order of operations alone. Leases are kept in one deque
 * per stream; {@code closeA} closes any open lease of stream {@code a}.
 *
 * <p>A stream's acquire and close are in one non-parallel group ({@code nonParallelGroup}): a lease is
 * closed by the client that holds it, so Lincheck runs them in one thread. Run in parallel, a close
 * could see the join in the registry but not yet the lease in the deque (the harness adds it after
 * {@code acquire} returns), a history the model rejects although the registry did nothing wrong: the
 * deep mode's 3-thread run found exactly that ({@code clients() = 1}, then {@code closeB() = none}).
 */
public abstract class RegistryOperations {

  static final String PLAYLIST = "p";

  private final PlaylistRegistry registry;
  private final ConcurrentLinkedDeque<ClientLease> leasesA = new ConcurrentLinkedDeque<>();
  private final ConcurrentLinkedDeque<ClientLease> leasesB = new ConcurrentLinkedDeque<>();

  protected RegistryOperations(RegistryFactory factory) {
    registry = factory.create(Duration.ZERO, Duration.ZERO, Ticker.manual());
  }

  /** getOrCreate with a one-tuner initializer; returns the tuner limit of the playlist received. */
  @Operation
  public int getOrCreate() {
    return registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(1)).tunerLimit();
  }

  /** Raises the tuner limit by one; returns the new limit, or -1 if there is no playlist. */
  @Operation
  public int update() {
    try {
      return registry.update(PLAYLIST, s -> s.withTunerLimit(s.tunerLimit() + 1)).tunerLimit();
    } catch (PlaylistNotFoundException missing) {
      return -1;
    }
  }

  @Operation(nonParallelGroup = "a")
  public String acquireA() {
    return acquire("a", leasesA);
  }

  @Operation(nonParallelGroup = "b")
  public String acquireB() {
    return acquire("b", leasesB);
  }

  @Operation(nonParallelGroup = "a")
  public String closeA() {
    return close(leasesA);
  }

  @Operation(nonParallelGroup = "b")
  public String closeB() {
    return close(leasesB);
  }

  /** One cleanup pass; returns how many playlists it removed. */
  @Operation
  public int cleanup() {
    return registry.cleanup().removedPlaylists().size();
  }

  /** Clients in the registry. */
  @Operation
  public int clients() {
    return registry.snapshot().totalClients();
  }

  private String acquire(String stream, ConcurrentLinkedDeque<ClientLease> leases) {
    try {
      leases.add(registry.acquire(PLAYLIST, stream));
      return "joined";
    } catch (TunerLimitExceededException refused) {
      return "limit";
    } catch (PlaylistNotFoundException missing) {
      return "missing";
    }
  }

  private static String close(ConcurrentLinkedDeque<ClientLease> leases) {
    ClientLease lease = leases.poll();
    if (lease == null) {
      return "none";
    }
    lease.close();
    return "closed";
  }
}
