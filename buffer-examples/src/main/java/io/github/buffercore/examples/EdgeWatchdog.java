package io.github.buffercore.examples;

import io.github.buffercore.ClientLease;
import io.github.buffercore.LeaseEnd;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces the time limits of one running server on one daemon thread, for any stack: deadlines (a
 * request head that must be complete in time) and committed stream responses, which are aborted when
 * their socket accepts nothing for {@link EdgeLimits#idleWriteTimeout()} while a write is pending, or
 * when the library ended their lease (told through {@link ClientLease#onEnded}: evicted by its stall
 * sweep, lapped, upstream given up, registry closed) and the response did not end by itself within
 * one more check, which is the case of a thread stuck in a write to a viewer that stopped reading.
 *
 * <p>Each check runs every {@link EdgeLimits#checkInterval()}. Expiry actions and aborts run on the
 * watchdog thread, at most once per registration, and must not block (close a channel, interrupt a
 * thread).
 */
public final class EdgeWatchdog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EdgeWatchdog.class);

  /** A committed stream response, as its stack sees it. */
  public interface Watched {
    /**
     * Whether bytes handed to the socket are still waiting to be accepted by it.
     *
     * @return {@code true} while a write is pending
     */
    boolean writePending();

    /**
     * A counter that changes whenever the socket accepted bytes (bytes or writes completed).
     *
     * @return the progress counter
     */
    long writeProgress();

    /**
     * The viewer's lease.
     *
     * @return the lease
     */
    ClientLease lease();

    /**
     * Aborts the response: closes the connection without ending the body, and closes the lease.
     *
     * @param why for the log line
     */
    void abort(String why);
  }

  /** A registration; closing it stops watching. Idempotent. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  private final String name;
  private final long idleWriteNanos;
  private final ScheduledExecutorService thread;
  private final Set<Deadline> deadlines = ConcurrentHashMap.newKeySet();
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

  /**
   * Starts a watchdog.
   *
   * @param name the server's name, for the thread and the log
   * @param limits the limits to enforce
   */
  public EdgeWatchdog(String name, EdgeLimits limits) {
    this.name = name;
    this.idleWriteNanos = limits.idleWriteTimeout().toNanos();
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread t = new Thread(runnable, "edge-watchdog-" + name);
      t.setDaemon(true);
      return t;
    });
    long interval = limits.checkInterval().toNanos();
    thread.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.NANOSECONDS);
  }

  /**
   * Runs {@code onExpiry} once if the registration is not closed within {@code timeout}.
   *
   * @param timeout the time allowed
   * @param onExpiry what to do then; must not block
   * @return the registration; close it when the awaited event happened
   */
  public Registration deadline(Duration timeout, Runnable onExpiry) {
    Deadline deadline = new Deadline(System.nanoTime() + timeout.toNanos(), onExpiry);
    deadlines.add(deadline);
    return deadline;
  }

  /**
   * Watches a committed stream response until the registration is closed.
   *
   * @param watched the response
   * @return the registration; close it when the response ended
   */
  public Registration watch(Watched watched) {
    Stream stream = new Stream(watched, System.nanoTime());
    streams.add(stream);
    return stream;
  }

  private void check() {
    long now = System.nanoTime();
    try {
      for (Deadline deadline : deadlines) {
        if (now - deadline.at >= 0 && deadline.claim()) {
          deadline.onExpiry.run();
        }
      }
      for (Stream stream : streams) {
        String why = stream.verdict(now);
        if (why != null && stream.claim()) {
          Watched w = stream.watched;
          LOG.debug("Aborting the response of client {} of channel '{}' in playlist '{}': {}",
              w.lease().clientId(), w.lease().streamId(), w.lease().playlistId(), why);
          w.abort(why);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("Edge watchdog of {} failed a check; it will check again", name, e);
    }
  }

  /** Stops the watchdog thread; registrations no longer fire. */
  @Override
  public void close() {
    thread.shutdownNow();
  }

  private final class Deadline implements Registration {
    final long at;
    final Runnable onExpiry;
    private final AtomicBoolean done = new AtomicBoolean();

    Deadline(long at, Runnable onExpiry) {
      this.at = at;
      this.onExpiry = onExpiry;
    }

    boolean claim() {
      deadlines.remove(this);
      return done.compareAndSet(false, true);
    }

    @Override
    public void close() {
      claim();
    }
  }

  private final class Stream implements Registration {
    final Watched watched;
    private final AtomicBoolean done = new AtomicBoolean();
    /** Why the library ended the lease, set once by the lease's end callback; {@code null} before. */
    private volatile LeaseEnd.Reason endedBy;
    // Watchdog thread only.
    private long progress;
    private long progressAt;
    private int leaseEndedChecks;

    Stream(Watched watched, long now) {
      this.watched = watched;
      this.progress = watched.writeProgress();
      this.progressAt = now;
      watched.lease().onEnded(end -> {
        if (end.reason().byLibrary()) {
          endedBy = end.reason(); // the viewer's own close ends the response by itself
        }
      });
    }

    /** Why to abort now, or {@code null}. */
    String verdict(long now) {
      long current = watched.writeProgress();
      if (current != progress || !watched.writePending()) {
        progress = current;
        progressAt = now;
      } else if (now - progressAt >= idleWriteNanos) {
        return "its socket accepted nothing for " + (now - progressAt) / 1_000_000 + " ms";
      }
      // The response normally ends by itself once the library ends the lease (its reader wakes up);
      // one check of slack lets it, so only a response stuck in a write is aborted from here.
      LeaseEnd.Reason ended = endedBy;
      if (ended != null && ++leaseEndedChecks >= 2) {
        return "its lease was ended by the library (" + ended + ")";
      }
      return null;
    }

    boolean claim() {
      streams.remove(this);
      return done.compareAndSet(false, true);
    }

    @Override
    public void close() {
      claim();
    }
  }
}
