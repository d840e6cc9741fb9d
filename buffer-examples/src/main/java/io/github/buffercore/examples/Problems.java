package io.github.buffercore.examples;

import io.github.buffercore.BufferCoreException;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamStatusException;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one definition of how the example proxy reports a failure over HTTP, shared by every stack:
 * a short {@code application/problem+json} body (RFC 9457) naming the playlist and channel, never a
 * stack trace, an exception class or an upstream URL (provider URLs often carry credentials).
 *
 * <table>
 *   <caption>Status of a failure before the response is committed</caption>
 *   <tr><td>400</td><td>malformed channel id or request</td></tr>
 *   <tr><td>404</td><td>unknown channel or path</td></tr>
 *   <tr><td>503 + {@code Retry-After}</td><td>every tuner busy, tuner pool unavailable, stream ended
 *       before its first byte, server stopping</td></tr>
 *   <tr><td>502</td><td>upstream refused, unreachable, answered an error status, or ended before
 *       data</td></tr>
 *   <tr><td>504</td><td>upstream connect timeout or first-byte (start) timeout</td></tr>
 * </table>
 *
 * <p>After the response is committed there is no status left to send: a stack then aborts the
 * response (closes the connection without ending the body), so the client sees a truncated body.
 */
public final class Problems {

  /** The media type of every error body. */
  public static final String CONTENT_TYPE = "application/problem+json";

  /** Seconds a refused viewer is told to wait before retrying. */
  public static final int RETRY_AFTER_SECONDS = 10;

  /** Longest id (in characters) quoted in a problem; longer ids are cut and marked with an ellipsis. */
  static final int MAX_ID_LENGTH = 64;

  private Problems() { }

  /**
   * A problem response.
   *
   * @param status the HTTP status
   * @param detail one sentence for a human, already naming the ids
   * @param playlistId the playlist concerned, or {@code null}
   * @param channelId the channel concerned, or {@code null}
   * @param headers extra response headers
   * @return the outcome
   */
  public static TextOutcome problem(int status, String detail, String playlistId, String channelId,
      Map<String, String> headers) {
    StringBuilder json = new StringBuilder("{\"type\":\"about:blank\",\"title\":")
        .append(json(title(status))).append(",\"status\":").append(status)
        .append(",\"detail\":").append(json(detail));
    if (playlistId != null) {
      json.append(",\"playlist\":").append(json(cut(playlistId)));
    }
    if (channelId != null) {
      json.append(",\"channel\":").append(json(cut(channelId)));
    }
    json.append("}\n");
    return new TextOutcome(status, CONTENT_TYPE, json.toString(), headers);
  }

  /**
   * A problem about no particular playlist or channel (a malformed request, an unknown path).
   *
   * @param status the HTTP status
   * @param detail one sentence for a human
   * @return the outcome
   */
  public static TextOutcome problem(int status, String detail) {
    return problem(status, detail, null, null, Map.of());
  }

  /**
   * 400 for a channel id that is not valid.
   *
   * @param channelId the id as decoded (or as sent, if it could not be decoded)
   * @return the outcome
   */
  public static TextOutcome badChannelId(String channelId) {
    return problem(400, "Malformed channel id '" + cut(channelId) + "': use letters, digits, '.', '_',"
        + " '~' or '-' (at most " + MAX_ID_LENGTH + ")", null, channelId, Map.of());
  }

  /**
   * 404 for a channel the proxy does not serve.
   *
   * @param channelId the id
   * @return the outcome
   */
  public static TextOutcome unknownChannel(String channelId) {
    return problem(404, "Unknown channel '" + cut(channelId) + "'", null, channelId, Map.of());
  }

  /**
   * 503 with {@code Retry-After}: every tuner busy, or the tuner pool could not decide.
   *
   * @param refusal the library's refusal
   * @param detail one sentence naming the ids
   * @return the outcome
   */
  public static TextOutcome busy(BufferCoreException refusal, String detail) {
    return problem(503, detail, refusal.playlistId(), refusal.streamId(),
        Map.of("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)));
  }

  /**
   * 503 with {@code Retry-After} for a stream that ended, or whose viewer was released, before its
   * first byte (the stream stopped, the server is stopping).
   *
   * @param playlistId the playlist
   * @param channelId the channel
   * @return the outcome
   */
  public static TextOutcome endedBeforeData(String playlistId, String channelId) {
    return problem(503, "Channel '" + cut(channelId) + "' of playlist '" + cut(playlistId)
        + "' ended before sending any data; try again", playlistId, channelId,
        Map.of("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)));
  }

  /**
   * 500 for a failure the proxy did not expect; the details go to the log only.
   *
   * @param playlistId the playlist, or {@code null}
   * @param channelId the channel, or {@code null}
   * @return the outcome
   */
  public static TextOutcome internalError(String playlistId, String channelId) {
    return problem(500, "The proxy failed unexpectedly; the details are in its log", playlistId,
        channelId, Map.of());
  }

  /**
   * 502 or 504 for an upstream the library gave up on before the first byte; see {@link #upstreamStatus}.
   *
   * @param failure the library's failure
   * @return the outcome
   */
  public static TextOutcome upstreamFailed(UpstreamException failure) {
    String channel = failure.streamId();
    String playlist = failure.playlistId();
    String what = "The upstream of channel '" + cut(channel) + "' in playlist '" + cut(playlist) + "' ";
    UpstreamStatusException answered = find(failure.getCause(), UpstreamStatusException.class);
    int status = upstreamStatus(failure);
    String detail;
    if (answered != null) {
      detail = what + "answered HTTP status " + answered.status();
    } else if (status == 504) {
      detail = what + "did not answer in time";
    } else {
      detail = what + "could not be reached or ended before sending data";
    }
    return problem(status, detail, playlist, channel, Map.of());
  }

  /**
   * The status for an upstream failure before the first byte, from the library's typed
   * {@link UpstreamException#reason()}: 504 if connecting, the response headers or the first byte
   * timed out; 502 otherwise (an error status, refused, unreachable, ended early, slot lost).
   *
   * @param failure the library's failure
   * @return 502 or 504
   */
  public static int upstreamStatus(UpstreamException failure) {
    return failure.reason() == UpstreamException.Reason.TIMEOUT ? 504 : 502;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t : chain(failure)) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** The throwable, its causes and their suppressed exceptions, each once. */
  private static Set<Throwable> chain(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    collect(failure, seen);
    return seen;
  }

  private static void collect(Throwable t, Set<Throwable> seen) {
    while (t != null && seen.size() < 64 && seen.add(t)) {
      for (Throwable suppressed : t.getSuppressed()) {
        collect(suppressed, seen);
      }
      t = t.getCause();
    }
  }

  /**
   * One line about a failure for the log: its own description and, if different, its deepest cause.
   *
   * @param failure the failure
   * @return the description
   */
  static String describe(Throwable failure) {
    Throwable root = rootCause(failure);
    return root == failure ? failure.toString() : failure + "; root cause: " + root;
  }

  /** The deepest cause of a failure, for one log line. */
  static Throwable rootCause(Throwable failure) {
    Throwable root = failure;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    while (root.getCause() != null && seen.add(root)) {
      root = root.getCause();
    }
    return root;
  }

  /**
   * An id fit to quote: control characters replaced by {@code ?}, cut to {@value #MAX_ID_LENGTH}
   * characters (on a code point boundary) with an ellipsis.
   *
   * @param id the id
   * @return the printable, bounded id
   */
  public static String cut(String id) {
    String printable = id.replaceAll("\\p{Cntrl}", "?");
    if (printable.length() <= MAX_ID_LENGTH) {
      return printable;
    }
    int end = MAX_ID_LENGTH;
    if (Character.isHighSurrogate(printable.charAt(end - 1))) {
      end--; // never split a surrogate pair
    }
    return printable.substring(0, end) + "\u2026";
  }

  /** The standard reason phrase of a status. */
  static String title(int status) {
    return TITLES.getOrDefault(status, status >= 500 ? "Server Error" : "Client Error");
  }

  private static final Map<Integer, String> TITLES = titles();

  private static Map<Integer, String> titles() {
    Map<Integer, String> titles = new LinkedHashMap<>();
    titles.put(400, "Bad Request");
    titles.put(404, "Not Found");
    titles.put(405, "Method Not Allowed");
    titles.put(408, "Request Timeout");
    titles.put(413, "Content Too Large");
    titles.put(414, "URI Too Long");
    titles.put(431, "Request Header Fields Too Large");
    titles.put(500, "Internal Server Error");
    titles.put(501, "Not Implemented");
    titles.put(502, "Bad Gateway");
    titles.put(503, "Service Unavailable");
    titles.put(504, "Gateway Timeout");
    titles.put(505, "HTTP Version Not Supported");
    return Map.copyOf(titles);
  }

  /**
   * A JSON string literal.
   *
   * @param text the text
   * @return the quoted, escaped text
   */
  public static String json(String text) {
    StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
