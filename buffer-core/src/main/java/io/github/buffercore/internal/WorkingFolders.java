package io.github.buffercore.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates and deletes the per-playlist working folders, never outside the configured base. */
final class WorkingFolders {

  private static final Logger LOG = LoggerFactory.getLogger(WorkingFolders.class);

  /** Ids up to this many UTF-8 bytes name their folder as they are. */
  private static final int MAX_PLAIN_BYTES = 96;
  private static final int PREFIX_BYTES = 64;

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
    Path folder = base.resolve(folderName(playlistId, generation)).normalize();
    if (!base.equals(folder.getParent())) {
      // Ids are validated before they get here; this guards the guard.
      throw new IllegalArgumentException("playlistId '" + playlistId
          + "' would name a folder outside the working folder base " + base);
    }
    return folder;
  }

  /**
   * The folder name of one creation: the id itself when short, else a prefix of at most
   * {@value #PREFIX_BYTES} UTF-8 bytes plus a hash of the whole id, so every id the validation
   * accepts (up to {@value Ids#MAX_LENGTH} characters, up to 3 bytes each) stays under the usual
   * 255-byte file name limit, and two long ids with the same prefix never share a folder.
   */
  static String folderName(String playlistId, long generation) {
    byte[] utf8 = playlistId.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= MAX_PLAIN_BYTES) {
      return playlistId + "-" + generation;
    }
    StringBuilder prefix = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < playlistId.length(); ) {
      int codePoint = playlistId.codePointAt(i);
      int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > PREFIX_BYTES) {
        break;
      }
      prefix.appendCodePoint(codePoint);
      bytes += size;
      i += Character.charCount(codePoint);
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(utf8);
      return prefix + "~" + HexFormat.of().formatHex(hash, 0, 8) + "-" + generation;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
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
