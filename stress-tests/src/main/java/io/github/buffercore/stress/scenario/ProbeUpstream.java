package io.github.buffercore.stress.scenario;

import io.github.buffercore.TunerSlot;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamRequest;
import io.github.buffercore.UpstreamSource;
import java.io.IOException;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An upstream (and a tuner pool) that watch what the registry does with its connections, for the
 * data-path proofs. A connection sends nothing: its {@code read} blocks until it is closed, cut
 * ({@link #cut}) or the scenario quiesces ({@link #quiesce}); so a pump thread costs no CPU.
 *
 * <p>What it records, all without timing:
 * <ul>
 *   <li>connections open per key ({@code playlist/stream}) and the most ever open at once per key, an
 *       open in progress included (counted from the start of {@code open} to the end of {@code close});
 *   <li>{@linkplain #unstopped() unstopped} connections: ones a pump was reading from (the pump passed
 *       its "stop requested?" check after the open) that nobody but the pump itself ever closed. The
 *       registry stops an upstream by closing its connection from the stopping thread, before that
 *       thread's call returns, so once every actor has returned, a connection of a stream the registry
 *       no longer has is closed, unless nobody ever told its pump to stop. {@link #quiesce()} makes the
 *       remaining reads end (end of stream) so even such an orphan pump ends;
 *   <li>tuner slots held (acquired and not yet closed) that it was handed to {@linkplain #counted count}.
 * </ul>
 */
public final class ProbeUpstream implements UpstreamSource {

  private final long closeNanos;
  private final Map<String, AtomicInteger> openByKey = new ConcurrentHashMap<>();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger slotsHeld = new AtomicInteger();
  /** Every connection opened (a scenario opens a handful). */
  private final Queue<Probe> all = new ConcurrentLinkedQueue<>();
  private volatile boolean quiescing;

  /**
   * @param closeNanos how long a close takes (a round trip to the upstream), during which the
   *     connection still counts as open; 0 for an instant close
   */
  public ProbeUpstream(long closeNanos) {
    this.closeNanos = closeNanos;
  }

  @Override
  public UpstreamConnection open(UpstreamRequest request) {
    String key = request.playlistId() + '/' + request.streamId();
    int now = openByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    maxOpen.accumulateAndGet(now, Math::max);
    Probe probe = new Probe(key, opened.incrementAndGet());
    all.add(probe);
    if (quiescing) {
      probe.wake();
    }
    return probe;
  }

  /**
   * The most connections of one key that were open at once.
   *
   * @return the maximum over all keys
   */
  public int maxOpenPerKey() {
    return maxOpen.get();
  }

  /**
   * Connections opened so far.
   *
   * @return the count
   */
  public int opened() {
    return opened.get();
  }

  /**
   * Connections open now, all keys.
   *
   * @return the count
   */
  public int openNow() {
    return openByKey.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /**
   * Connections a pump read from that were never closed by anyone but their own pump (or not at
   * all). Meaningful after {@link #quiesce()} and the registry's {@code close()}.
   *
   * @return the count
   */
  public int unstopped() {
    int n = 0;
    for (Probe probe : all) {
      Thread closer = probe.closer;
      if (probe.reading && (closer == null || closer == probe.opener)) {
        n++; // never closed, or closed by its own pump once its read ended: nobody stopped it
      }
    }
    return n;
  }

  /** Ends every read still blocked (end of stream), so a pump nobody stopped ends too. */
  public void quiesce() {
    quiescing = true;
    for (Probe probe : all) {
      probe.wake();
    }
  }

  /**
   * Makes the {@code ordinal}-th connection opened (1 = the first) fail, if it is still open: a cut
   * upstream; its pump then gives up (no reconnect).
   *
   * @param ordinal which connection, counted in the order they were opened
   */
  public void cut(int ordinal) {
    for (Probe probe : all) {
      if (probe.ordinal == ordinal) {
        probe.cut = true;
        probe.wake();
      }
    }
  }

  /**
   * Tuner slots {@linkplain #counted counted} by this probe and not yet closed.
   *
   * @return the count
   */
  public int slotsHeld() {
    return slotsHeld.get();
  }

  /**
   * Wraps a slot so that this probe counts it as held until it is closed.
   *
   * @param slot a slot just acquired
   * @return the counting slot
   */
  public TunerSlot counted(TunerSlot slot) {
    return CountedTunerSlot.wrap(slot, slotsHeld);
  }

  private final class Probe implements UpstreamConnection {
    final String key;
    final int ordinal;
    final Thread opener = Thread.currentThread();
    volatile boolean cut;
    volatile boolean reading;
    volatile Thread closer;
    private boolean closed; // guarded by this

    Probe(String key, int ordinal) {
      this.key = key;
      this.ordinal = ordinal;
    }

    synchronized void wake() {
      notifyAll();
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      reading = true;
      synchronized (this) {
        while (!closed && !cut && !quiescing) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
        if (closed) {
          throw new IOException("closed");
        }
      }
      if (cut) {
        throw new IOException("cut");
      }
      return -1; // quiescing: end of stream
    }

    /** Synchronized throughout: a second close (the pump's own, after a stop) returns only once the first has. */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      closer = Thread.currentThread();
      notifyAll();
      if (closeNanos > 0) {
        LockSupport.parkNanos(closeNanos); // still open: the FIN / close_notify round trip
      }
      openByKey.get(key).decrementAndGet();
    }
  }
}
