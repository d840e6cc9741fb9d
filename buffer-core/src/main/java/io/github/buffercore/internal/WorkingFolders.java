package io.github.buffercore.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates and deletes the per-playlist working folders, never outside the configured base. */
final class WorkingFolders {

  private static final Logger LOG = LoggerFactory.getLogger(WorkingFolders.class);

  private final Path base;

  WorkingFolders(Path base) {
    this.base = base;
  }

  /**
   * Returns the folder of one creation of a validated playlist id, after checking it lies directly
   * under the base. The generation is part of the name because the folder of a removed playlist is
   * deleted after its removal, outside the map computation: a new playlist with the same id may
   * already be creating its own folder by then, and must never share (and lose) it.
   */
  Path folderOf(String playlistId, long generation) {
    Path folder = base.resolve(playlistId + "-" + generation).normalize();
    if (!base.equals(folder.getParent())) {
      // Ids are validated before they get here; this guards the guard.
      throw new IllegalArgumentException("playlistId '" + playlistId
          + "' would name a folder outside the working folder base " + base);
    }
    return folder;
  }

  /** Creates the folder of one creation of a playlist (and the base). */
  Path create(String playlistId, long generation) throws IOException {
    Path folder = folderOf(playlistId, generation);
    Files.createDirectories(folder);
    LOG.debug("Created working folder {} for playlist {}", folder, playlistId);
    return folder;
  }

  /**
   * Deletes a playlist's folder and everything in it. The registry state is already final when this
   * runs, so a failure cannot be undone: it is logged at ERROR with the id, the folder and the cause,
   * and the caller goes on releasing the rest.
   */
  static void delete(String playlistId, Path folder) {
    try {
      Files.walkFileTree(folder, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
          if (failure != null) {
            throw failure;
          }
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
      LOG.debug("Deleted working folder {} of playlist {}", folder, playlistId);
    } catch (NoSuchFileException alreadyGone) {
      LOG.debug("Working folder {} of playlist {} was already gone", folder, playlistId);
    } catch (IOException e) {
      LOG.error("Could not delete working folder {} of playlist {}", folder, playlistId, e);
    }
  }
}
