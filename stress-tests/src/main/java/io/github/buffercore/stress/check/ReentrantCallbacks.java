package io.github.buffercore.stress.check;

import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.PlaylistSnapshot;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.Ticker;
import java.time.Duration;
import java.util.Optional;

/**
 * Callbacks that call back into the registry for the <em>same</em> playlist, as a user's would: the
 * listener contract ({@code RegistryListener}: "called ... outside of any map computation", "calling
 * the registry from the listener is allowed") and {@code ClientLease.onEnded} ("outside any registry
 * lock"). The changes made from inside a callback must count exactly like any other: a callback
 * that runs inside the playlist's compute re-enters the map's bin on the same thread, and the
 * enclosing compute then overwrites what the callback's own compute published (a lost join, a lost
 * update), or throws, or waits for itself.
 *
 * <ol>
 *   <li>A registry with a listener (stream grace 0): the first viewer's {@code CLIENT_JOINED} makes
 *       the listener acquire a second lease of the same stream and raise the tuner limit to 3; when
 *       the first viewer's {@code acquire} returns, the stream has 2 clients, the limit is 3 and the
 *       listener saw 2 clients from inside. The first viewer's {@code CLIENT_LEFT} makes the listener
 *       close the second lease: then the stream is gone and no tuner is in use.</li>
 *   <li>A registry without a listener (staleAfter 1 s, stream grace 0, so joins may use the join
 *       gate): a stale lease's {@code onEnded} callback rejoins the same stream when a cleanup evicts
 *       it; after the cleanup the rejoined lease is open and is the stream's one client.</li>
 * </ol>
 *
 * <p>Deterministic (one thread, manual tickers); a violation is returned as one line. Used by
 * {@code mutants/run.sh} for {@code effects-inside-compute} and by the unit test
 * {@code ChecksTest}, which shows the real classes pass.
 */
public final class ReentrantCallbacks {

  private static final String PLAYLIST = "reentrant";
  private static final String STREAM = "a";

  private ReentrantCallbacks() { }

  /**
   * Runs both parts.
   *
   * @return {@code null} if the registry stayed exact, else the first violation
   */
  static String run() {
    String listener = fromTheListener();
    return listener != null ? listener : fromOnEnded();
  }

  /** The listener's calls into the registry, state in fields (it runs on the calling thread). */
  private static final class CallingListener {
    PlaylistRegistry registry;
    ClientLease inner;
    int clientsSeenInside = -1;
    boolean leftHandled;
    Throwable failure;

    void onEvent(RegistryEvent event) {
      if (!PLAYLIST.equals(event.playlistId()) || !STREAM.equals(event.streamId())) {
        return;
      }
      try {
        if (event.type() == RegistryEvent.Type.CLIENT_JOINED && inner == null) {
          inner = registry.acquire(PLAYLIST, STREAM);
          registry.update(PLAYLIST, settings -> settings.withTunerLimit(3));
          clientsSeenInside = clients(registry);
        } else if (event.type() == RegistryEvent.Type.CLIENT_LEFT && !leftHandled && inner != null) {
          leftHandled = true;
          inner.close();
        }
      } catch (Throwable e) {
        failure = e; // the registry logs and swallows what a listener throws: keep it for the verdict
      }
    }
  }

  static String fromTheListener() {
    CallingListener listener = new CallingListener();
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .ticker(Ticker.manual())
        .streamGrace(Duration.ZERO)
        .idleGrace(Duration.ofMinutes(1))
        .manualCleanup()
        .listener(listener::onEvent)
        .build();
    listener.registry = registry;
    try {
      registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(2));
      ClientLease first = registry.acquire(PLAYLIST, STREAM);
      if (listener.failure != null) {
        return "listener: its acquire/update/snapshot of the same playlist threw " + listener.failure;
      }
      if (listener.inner == null) {
        return "listener: CLIENT_JOINED not delivered before acquire returned";
      }
      int clients = streamClients(registry);
      int limit = registry.find(PLAYLIST).orElseThrow().tunerLimit();
      if (clients != 2 || limit != 3 || !listener.inner.isOpen() || listener.clientsSeenInside != 2) {
        return "listener: after a join whose listener joined a second viewer and raised the limit to 3,"
            + " the stream has " + clients + " client(s) (2 expected), the limit is " + limit
            + " (3 expected), the listener's lease is " + (listener.inner.isOpen() ? "open" : "closed")
            + ", the listener saw " + listener.clientsSeenInside + " client(s) from inside (2 expected)";
      }
      first.close();
      if (listener.failure != null) {
        return "listener: its close of the second lease threw " + listener.failure;
      }
      Optional<PlaylistSnapshot> left = registry.snapshot().playlist(PLAYLIST);
      int tuners = left.map(PlaylistSnapshot::tunersInUse).orElse(-1);
      if (!listener.leftHandled || listener.inner.isOpen() || streamClients(registry) != -1 || tuners != 0) {
        return "listener: after both viewers left (the second from inside the listener), the stream has "
            + streamClients(registry) + " client(s) (-1: gone, expected), tuners in use " + tuners
            + " (0 expected), the second lease is " + (listener.inner.isOpen() ? "open" : "closed");
      }
      return null;
    } finally {
      registry.close();
    }
  }

  static String fromOnEnded() {
    Ticker.Manual ticker = Ticker.manual();
    PlaylistRegistry registry = PlaylistRegistry.builder()
        .ticker(ticker)
        .staleAfter(Duration.ofSeconds(1))
        .streamGrace(Duration.ZERO)
        .idleGrace(Duration.ofMinutes(1))
        .manualCleanup()
        .build();
    try {
      registry.getOrCreate(PLAYLIST, id -> PlaylistSettings.withTuners(2));
      ClientLease stale = registry.acquire(PLAYLIST, STREAM);
      ClientLease[] rejoined = new ClientLease[1];
      Throwable[] failure = new Throwable[1];
      stale.onEnded(end -> {
        try {
          rejoined[0] = registry.acquire(PLAYLIST, STREAM); // the viewer reconnects at once
        } catch (Throwable e) {
          failure[0] = e;
        }
      });
      ticker.advance(Duration.ofSeconds(2));
      registry.cleanup(); // evicts the stale lease; its callback rejoins
      if (failure[0] != null) {
        return "onEnded: the evicted viewer's rejoin threw " + failure[0];
      }
      if (rejoined[0] == null) {
        return "onEnded: the callback did not run before cleanup() returned";
      }
      int clients = streamClients(registry);
      if (stale.isOpen() || !rejoined[0].isOpen() || clients != 1) {
        return "onEnded: after a cleanup evicted a stale viewer whose callback rejoined the stream, the"
            + " stream has " + clients + " client(s) (1 expected: the rejoined lease), the rejoined lease is "
            + (rejoined[0].isOpen() ? "open" : "closed") + ", the stale lease is "
            + (stale.isOpen() ? "open" : "closed");
      }
      rejoined[0].close();
      int after = streamClients(registry);
      if (after != -1) {
        return "onEnded: after the rejoined viewer left, the stream still has " + after + " client(s)";
      }
      return null;
    } finally {
      registry.close();
    }
  }

  private static int clients(PlaylistRegistry registry) {
    return registry.snapshot().playlist(PLAYLIST).map(PlaylistSnapshot::clients).orElse(-1);
  }

  /** The stream's client count, or -1 if the stream (or the playlist) is gone. */
  private static int streamClients(PlaylistRegistry registry) {
    return registry.snapshot().playlist(PLAYLIST).flatMap(p -> p.streams().stream()
        .filter(s -> s.streamId().equals(STREAM)).findFirst()).map(StreamSnapshot::clients).orElse(-1);
  }
}
