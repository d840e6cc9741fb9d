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

  /** Returns the folder of a validated playlist id, after checking it lies directly under the base. */
  Path folderOf(String playlistId) {
    Path folder = base.resolve(playlistId).normalize();
    if (!base.equals(folder.getParent())) {
      // Ids are validated before they get here; this guards the guard.
      throw new IllegalArgumentException("playlistId '" + playlistId
          + "' would name a folder outside the working folder base " + base);
    }
    return folder;
  }

  /** Creates the folder of a playlist (and the base); an existing folder is reused. */
  Path create(String playlistId) throws IOException {
    Path folder = folderOf(playlistId);
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
