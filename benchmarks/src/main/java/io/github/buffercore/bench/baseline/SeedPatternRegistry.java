package io.github.buffercore.bench.baseline;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.Ticker;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * {@code impl=seed}: a Java port of the seed's original Go pattern (see {@code /work/shared/seed}):
 * {@code BufferInformation} is a {@code sync.Map} (here a ConcurrentHashMap) and {@code Lock} is one
 * global mutex (here a non-fair ReentrantLock, like Go's {@code sync.Mutex}). Every operation takes the
 * global lock, including a plain lookup:
 *
 * <pre>{@code
 * Lock.Lock()
 * if p, ok := BufferInformation.Load(playlistID); !ok {
 *     Lock.Unlock()            // early unlock: the race window
 *     ... initialize ...
 *     Lock.Lock()
 *     BufferInformation.Store(playlistID, playlist)
 * }
 * Lock.Unlock()
 * }</pre>
 *
 * <p>Creation is racy on purpose (two threads may both initialize and the last {@code Store} wins,
 * dropping the other's playlist); that cannot crash or grow memory here, it only loses state, which
 * the benchmarks never read back. Joining, leaving (tuner counting), updates and the whole cleanup scan
 * run under the global lock, as in the seed.
 */
final class SeedPatternRegistry implements RegistryUnderTest, BaselineLease.Owner {

  private final ConcurrentHashMap<String, MutablePlaylist> bufferInformation = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong clientIds = new AtomicLong();
  private final Ticker ticker;
  private final long staleAfterNanos;
  private final long streamGraceNanos;
  private final long idleGraceNanos;

  SeedPatternRegistry(UnderTestConfig config) {
    this.ticker = config.ticker();
    this.staleAfterNanos = config.staleAfter().toNanos();
    this.streamGraceNanos = config.streamGrace().toNanos();
    this.idleGraceNanos = config.idleGrace().toNanos();
  }

  @Override
  public Object getOrCreate(String playlistId, PlaylistInitializer initializer) {
    lock.lock();
    MutablePlaylist playlist = bufferInformation.get(playlistId);
    if (playlist == null) {
      lock.unlock(); // the seed's early unlock
      PlaylistSettings settings = Initializers.run(playlistId, initializer);
      playlist = new MutablePlaylist(playlistId, settings, ticker.read());
      lock.lock();
      bufferInformation.put(playlistId, playlist); // last writer wins
    }
    lock.unlock();
    return playlist;
  }

  @Override
  public ClientLease acquire(String playlistId, String streamId) {
    BaselineLease lease = new BaselineLease(this, playlistId, streamId, clientIds.incrementAndGet(), ticker);
    lock.lock();
    try {
      MutablePlaylist playlist = bufferInformation.get(playlistId);
      if (playlist == null) {
        throw new PlaylistNotFoundException(playlistId);
      }
      playlist.join(lease);
    } finally {
      lock.unlock();
    }
    return lease;
  }

  @Override
  public void release(BaselineLease lease) {
    long now = ticker.read();
    lock.lock();
    try {
      MutablePlaylist playlist = bufferInformation.get(lease.playlistId());
      if (playlist != null) {
        playlist.leave(lease, now, streamGraceNanos);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Object update(String playlistId, UnaryOperator<PlaylistSettings> fn) {
    lock.lock();
    try {
      MutablePlaylist playlist = bufferInformation.get(playlistId);
      if (playlist == null) {
        throw new PlaylistNotFoundException(playlistId);
      }
      playlist.settings = fn.apply(playlist.settings);
      return playlist;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int cleanup() {
    int[] work = new int[1];
    lock.lock();
    try {
      long now = ticker.read();
      for (Iterator<MutablePlaylist> it = bufferInformation.values().iterator(); it.hasNext(); ) {
        if (it.next().sweep(now, staleAfterNanos, streamGraceNanos, idleGraceNanos, work)) {
          it.remove();
        }
      }
    } finally {
      lock.unlock();
    }
    return work[0];
  }

  @Override
  public void close() {
    lock.lock();
    try {
      bufferInformation.values().forEach(MutablePlaylist::evictAll);
      bufferInformation.clear();
    } finally {
      lock.unlock();
    }
  }
}
