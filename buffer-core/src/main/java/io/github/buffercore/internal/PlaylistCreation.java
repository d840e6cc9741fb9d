package io.github.buffercore.internal;

import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistInitializationException;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistNotFoundException;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.RegistryClosedException;
import io.github.buffercore.RegistryEvent;
import io.github.buffercore.RegistryEvent.Type;
import io.github.buffercore.Ticker;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creation of playlists: the one registry operation that runs user code (the initializer), so it runs
 * outside any compute. A {@link PendingPlaylist} placeholder makes concurrent callers of the same id
 * wait for the one creator; the live {@link PlaylistState} replaces it in one step, fully built.
 */
final class PlaylistCreation {

  private static final Logger LOG = LoggerFactory.getLogger("io.github.buffercore.PlaylistRegistry");

  private final ConcurrentHashMap<String, RegistryNode> playlists;
  private final WorkingFolders folders;
  private final AtomicLong generations;
  private final Ticker ticker;
  private final EventDelivery events;
  private final BooleanSupplier closed;
  private final Consumer<String> removeForClose;

  PlaylistCreation(ConcurrentHashMap<String, RegistryNode> playlists, Path workingFolderBase,
      AtomicLong generations, Ticker ticker, EffectRunner effects, BooleanSupplier closed,
      Consumer<String> removeForClose) {
    this.playlists = playlists;
    this.folders = workingFolderBase == null ? null : new WorkingFolders(workingFolderBase);
    this.generations = generations;
    this.ticker = ticker;
    this.events = effects.events();
    this.closed = closed;
    this.removeForClose = removeForClose;
  }

  /**
   * The slow path of getOrCreate: the id is valid and was not live a moment ago.
   *
   * @param seen what the map held for the id a moment ago: {@code null} or a pending creation
   */
  Playlist getOrCreate(String playlistId, PlaylistInitializer initializer, RegistryNode seen) {
    RegistryNode node = seen;
    while (true) {
      if (node instanceof PlaylistState live) {
        return live.playlist();
      }
      if (node instanceof PendingPlaylist pending) {
        return await(playlistId, pending);
      }
      PendingPlaylist mine = PendingPlaylist.byCurrentThread();
      node = playlists.putIfAbsent(playlistId, mine);
      if (node == null) {
        return create(playlistId, initializer, mine);
      }
      // Lost the race to another creator, or the playlist came back: look at what won.
    }
  }

  /** The live state, after waiting for a pending creation; throws if there is none. */
  PlaylistState liveOrThrow(String playlistId) {
    while (true) {
      RegistryNode node = playlists.get(playlistId);
      if (node instanceof PlaylistState live) {
        return live;
      }
      if (node instanceof PendingPlaylist pending) {
        await(playlistId, pending);
        continue;
      }
      throw new PlaylistNotFoundException(playlistId);
    }
  }

  /** Waits for a pending creation of {@code playlistId}, or throws if the playlist is absent. */
  void awaitOrThrow(String playlistId) {
    RegistryNode node = playlists.get(playlistId);
    if (node instanceof PendingPlaylist pending) {
      await(playlistId, pending);
    } else if (node == null) {
      throw new PlaylistNotFoundException(playlistId);
    }
  }

  private Playlist create(String playlistId, PlaylistInitializer initializer, PendingPlaylist mine) {
    LOG.info("Creating new playlist for ID: {}", playlistId);
    Path folder = null;
    Playlist playlist;
    try {
      PlaylistSettings settings = initializer.initialize(playlistId);
      if (settings == null) {
        throw new NullPointerException("initializer returned null settings for playlist " + playlistId);
      }
      long generation = generations.incrementAndGet();
      if (folders != null) {
        folder = folders.create(playlistId, generation);
      }
      playlist = new Playlist(playlistId, generation, settings, Optional.ofNullable(folder));
    } catch (Throwable failure) {
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      playlists.remove(playlistId, mine);
      if (folder != null) {
        WorkingFolders.delete(playlistId, folder);
      }
      LOG.warn("Creating playlist {} failed; nothing was stored, a later call will try again",
          playlistId, failure);
      mine.fail(failure);
      if (failure instanceof VirtualMachineError vmError) {
        throw vmError;
      }
      throw new PlaylistInitializationException(playlistId, failure);
    }
    if (closed.getAsBoolean()) { // never announced, never published: no event at all
      playlists.remove(playlistId, mine);
      throw failClosed(mine, playlistId, folder);
    }
    // Recorded before it is published, so every event about it (its removal by a racing close, a
    // stream of it) is recorded, and so delivered, after its PLAYLIST_CREATED.
    record(Type.PLAYLIST_CREATED, playlist);
    // Publish only now, fully built: the placeholder is replaced by the live state in one step.
    boolean published = playlists.replace(playlistId, mine, PlaylistState.created(playlist, ticker.read()));
    // close() sets `closed` before it empties the map, so a creation that published after close's
    // sweep is seen here and undone; one published before the sweep is removed by the sweep. Either
    // way exactly one PLAYLIST_REMOVED follows the PLAYLIST_CREATED above.
    if (!published || closed.getAsBoolean()) {
      // Waiters are released before anything here waits for the listener: a listener waiting for
      // this creation must not wait for us.
      RegistryClosedException failure = failClosed(mine, playlistId, null);
      if (published) {
        removeForClose.accept(playlistId); // removes, deletes the folder, delivers
      } else {
        record(Type.PLAYLIST_REMOVED, playlist);
        if (folder != null) {
          WorkingFolders.delete(playlistId, folder);
        }
        events.deliver();
      }
      throw failure;
    }
    mine.complete(playlist);
    events.deliver(); // after the waiters are released, as above
    return playlist;
  }

  private void record(Type type, Playlist playlist) {
    if (events.hasListener()) { // no event object on the creation path of a registry without one
      events.record(new RegistryEvent(type, playlist.id(), null, 0L, 0, 0, playlist.tunerLimit()));
    }
  }

  /** Deletes the folder, if any, and fails the waiters of a creation that lost to close. */
  private static RegistryClosedException failClosed(PendingPlaylist mine, String playlistId, Path folder) {
    if (folder != null) {
      WorkingFolders.delete(playlistId, folder);
    }
    RegistryClosedException closedFailure = new RegistryClosedException(null);
    mine.fail(closedFailure);
    return closedFailure;
  }

  private Playlist await(String playlistId, PendingPlaylist pending) {
    if (pending.creator() == Thread.currentThread()) {
      throw new IllegalStateException("The initializer of playlist '" + playlistId
          + "' called back into the registry for the same id; it would wait for itself");
    }
    try {
      return pending.result().join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RegistryClosedException closedFailure) {
        throw new RegistryClosedException(closedFailure);
      }
      throw new PlaylistInitializationException(playlistId, cause);
    }
  }
}
