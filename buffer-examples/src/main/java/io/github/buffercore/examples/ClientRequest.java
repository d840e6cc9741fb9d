package io.github.buffercore.examples;

import io.github.buffercore.ClientKey;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who sent a request, as far as the example's channel switching cares: the client's address, its
 * {@code User-Agent}, its {@value #KEY_HEADER} header and the raw query of the request target. Every
 * stack builds one per request and hands it to {@link ProxyApp#handle(String, String, ClientRequest)}.
 *
 * <p>The client key (see {@link io.github.buffercore.ClientKey}): by default the client address plus
 * its user agent, so a player that opens a new channel before it closes the old one switches on a
 * one-tuner account instead of getting a 503; a {@value #KEY_HEADER} header replaces it (a device id,
 * a session), and the query flag {@value #OPT_OUT} turns switching off for the request (two players
 * behind one address with the same user agent, watching two channels at once).
 *
 * @param address the client's IP address, or {@code null} if unknown (then no default key)
 * @param userAgent the {@code User-Agent} header, or {@code null}
 * @param keyHeader the {@value #KEY_HEADER} header, or {@code null}
 * @param rawQuery the query of the request target, without the {@code ?}, or {@code null}
 */
public record ClientRequest(String address, String userAgent, String keyHeader, String rawQuery) {

  /** The header that overrides the default client key. */
  public static final String KEY_HEADER = "X-Client-Key";
  /** The query parameter that turns channel switching off for a request. */
  public static final String OPT_OUT = "switch=0";
  /** A request nothing is known about: it never switches. */
  public static final ClientRequest UNKNOWN = new ClientRequest(null, null, null, null);
  /** Compiled once: every stream request derives its key through it (String.replaceAll compiles per call). */
  static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  /**
   * Returns the raw query of a request target ({@code /path?query#fragment}), for stacks that hand
   * over the whole target.
   *
   * @param target the request target
   * @return the query without the {@code ?}, or {@code null} if there is none
   */
  public static String queryOf(String target) {
    int start = target.indexOf('?');
    if (start < 0) {
      return null;
    }
    int fragment = target.indexOf('#', start);
    return target.substring(start + 1, fragment < 0 ? target.length() : fragment);
  }

  /**
   * Returns the key this request switches channels with, if any.
   *
   * @return the header's key, else the address plus user agent; empty if switching is off for this
   *     request or the address is unknown
   * @throws IllegalArgumentException if the {@value #KEY_HEADER} header is not a valid key (empty
   *     after trimming, too long, or with control characters)
   */
  public Optional<ClientKey> switchKey() {
    if (rawQuery != null) {
      for (String parameter : rawQuery.split("&")) {
        if (parameter.equals(OPT_OUT) || parameter.equals("switch=false")) {
          return Optional.empty();
        }
      }
    }
    if (keyHeader != null) {
      return Optional.of(ClientKey.of("header " + keyHeader.trim()));
    }
    if (address == null) {
      return Optional.empty();
    }
    // Derived from what the client sent, not chosen by it: made valid rather than refused.
    String key = address + " " + (userAgent == null ? "" : userAgent);
    if (hasControl(key)) { // checked first: a matcher per join is an allocation the usual key does not need
      key = CONTROL.matcher(key).replaceAll("?");
    }
    return Optional.of(ClientKey.of(key.length() > ClientKey.MAX_LENGTH
        ? key.substring(0, ClientKey.MAX_LENGTH) : key));
  }

  /** Whether {@link #CONTROL} finds anything: {@code \p{Cntrl}} is U+0000-U+001F and U+007F. */
  static boolean hasControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
