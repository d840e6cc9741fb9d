package io.github.buffercore.internal;

/** Validation of the ids that name playlists, streams and their working folders. */
public final class Ids {

  /** The longest accepted id, in characters. */
  public static final int MAX_LENGTH = 256;

  private Ids() { }

  /**
   * Returns {@code id} if it is a valid id, otherwise throws.
   *
   * @param what the parameter name, for the message ({@code playlistId}, {@code streamId})
   * @param id the id to check
   * @return the id
   * @throws IllegalArgumentException naming the parameter and the value if the id is null, empty,
   *     longer than {@value #MAX_LENGTH}, equal to {@code .}, or contains {@code /}, {@code \},
   *     {@code ..} or a control character; such ids could escape a working folder or break log lines
   */
  public static String requireValid(String what, String id) {
    // The common id (letters, digits, '-') passes this small loop, small enough to be inlined into
    // every caller; anything else is judged by the full check, out of line. ChurnBenchmark (JFR):
    // the full check inline held 10-21% of a creation's samples; results/NOTES.md, round 4.
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return checkFully(what, id);
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c > '/' ? c > '~' || c == '\\' : c != '-') {
        return checkFully(what, id);
      }
    }
    return id;
  }

  private static String checkFully(String what, String id) {
    if (id == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (id.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (id.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(what + " must be at most " + MAX_LENGTH
          + " characters but was " + id.length() + ": '" + id.substring(0, 32) + "...'");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(what + " must not contain control characters but was '"
            + id.replaceAll("\\p{Cntrl}", "?") + "' (control character at index " + i + ")");
      }
      if (c == '/' || c == '\\') {
        throw new IllegalArgumentException(
            what + " must not contain path separators but was '" + id + "'");
      }
    }
    if (id.contains("..") || id.equals(".")) {
      throw new IllegalArgumentException(
          what + " must not be '.' or contain '..' but was '" + id + "'");
    }
    return id;
  }
}
