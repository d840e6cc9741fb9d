package io.github.buffercore.examples;

import io.github.buffercore.UpstreamTarget;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The channels an example proxy serves: which playlist each belongs to, its tuner limit, and its
 * upstream URLs. Built from an M3U playlist (one playlist, channels from {@code #EXTINF} entries) or
 * from a properties file:
 *
 * <pre>
 * playlist.news.tuners=2
 * channel.bbc.playlist=news
 * channel.bbc.url=http://example.com/bbc.ts
 * channel.bbc.backups=http://backup1/bbc.ts,http://backup2/bbc.ts
 * </pre>
 */
public final class ChannelMap {

  /**
   * Ids a URL path may carry: what a channel id in an example URL must look like. Letters and digits
   * of any script (a path is decoded as UTF-8), '.', '_', '~' and '-'.
   */
  static final Pattern VALID_ID = Pattern.compile("[\\p{L}\\p{M}\\p{N}._~-]{1,64}");

  /**
   * Whether {@code id} matches {@link #VALID_ID}. An ASCII id, what nearly every request carries, is
   * checked by a loop (ASCII has no marks, and its only letters and digits are A-Z, a-z and 0-9); any
   * other goes to the pattern.
   *
   * @param id the decoded id
   * @return true if it is a valid id
   */
  static boolean isValidId(String id) {
    int length = id.length();
    if (length == 0 || length > 64) {
      // Longer than 64 chars can still be 64 code points (surrogate pairs): the pattern decides.
      return length != 0 && VALID_ID.matcher(id).matches();
    }
    for (int i = 0; i < length; i++) {
      char c = id.charAt(i);
      if (c >= 0x80) {
        return VALID_ID.matcher(id).matches();
      }
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '.' || c == '_' || c == '~' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** One channel. */
  public record Channel(String id, String playlistId, UpstreamTarget target) { }

  private final Map<String, Integer> tunersByPlaylist;
  private final Map<String, Channel> channels;

  public ChannelMap(Map<String, Integer> tunersByPlaylist, Map<String, Channel> channels) {
    this.tunersByPlaylist = Map.copyOf(tunersByPlaylist);
    this.channels = Map.copyOf(channels);
    for (Channel channel : channels.values()) {
      if (!tunersByPlaylist.containsKey(channel.playlistId())) {
        throw new IllegalArgumentException("Channel '" + channel.id() + "' names playlist '"
            + channel.playlistId() + "', which has no tuner limit");
      }
    }
  }

  /** A single channel on a single playlist. */
  public static ChannelMap single(String playlistId, int tuners, String channelId, URI url) {
    return new ChannelMap(Map.of(playlistId, tuners),
        Map.of(channelId, new Channel(channelId, playlistId, UpstreamTarget.of(url))));
  }

  /**
   * Loads a map from a file or URL: {@code .properties} as above, anything else as M3U, whose one
   * playlist is named after the file (for a URL: the last path segment without its extension).
   *
   * @param location a file path or an http(s) URL
   * @param defaultTuners the tuner limit of an M3U playlist
   * @return the map
   * @throws IOException if the file or URL cannot be read
   * @throws InterruptedException if interrupted while fetching a URL
   */
  public static ChannelMap load(String location, int defaultTuners) throws IOException, InterruptedException {
    return load(location, defaultTuners, null);
  }

  /**
   * Loads a map from a file or URL, naming an M3U playlist {@code name} if given.
   *
   * @param location a file path or an http(s) URL
   * @param defaultTuners the tuner limit of an M3U playlist
   * @param name the playlist name of an M3U source, or {@code null} to name it after the file
   * @return the map
   * @throws IOException if the file or URL cannot be read
   * @throws InterruptedException if interrupted while fetching a URL
   */
  public static ChannelMap load(String location, int defaultTuners, String name)
      throws IOException, InterruptedException {
    String text;
    String fileName;
    String path;
    if (location.startsWith("http://") || location.startsWith("https://")) {
      URI uri = URI.create(location);
      HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() >= 400) {
        throw new IOException("Fetching the playlist answered HTTP " + response.statusCode());
      }
      text = response.body();
      path = uri.getPath() == null ? "" : uri.getPath();
      fileName = path.substring(path.lastIndexOf('/') + 1);
    } else {
      Path file = Path.of(location);
      text = Files.readString(file);
      path = location;
      fileName = file.getFileName().toString();
    }
    if (path.endsWith(".properties")) {
      return fromProperties(text);
    }
    String playlist = name != null ? name : fileName.replaceFirst("\\.[^.]*$", "");
    return fromM3u(sanitize(playlist.isBlank() ? "playlist" : playlist), text, defaultTuners);
  }

  /** Parses an M3U playlist into one playlist {@code playlistId} with {@code tuners} tuners. */
  public static ChannelMap fromM3u(String playlistId, String m3u, int tuners) {
    Map<String, Channel> channels = new LinkedHashMap<>();
    Pattern tvgId = Pattern.compile("tvg-id=\"([^\"]*)\"");
    String pendingName = null;
    for (String raw : m3u.split("\\R")) {
      String line = raw.strip();
      if (line.startsWith("#EXTINF")) {
        Matcher id = tvgId.matcher(line);
        String title = line.contains(",") ? line.substring(line.lastIndexOf(',') + 1) : "";
        pendingName = id.find() && !id.group(1).isBlank() ? id.group(1) : title;
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        String base = sanitize(pendingName == null || pendingName.isBlank()
            ? "channel-" + (channels.size() + 1) : pendingName);
        String channelId = base;
        for (int n = 2; channels.containsKey(channelId); n++) {
          channelId = base + "-" + n;
        }
        channels.put(channelId, new Channel(channelId, playlistId, UpstreamTarget.of(URI.create(line))));
        pendingName = null;
      }
    }
    return new ChannelMap(Map.of(playlistId, tuners), channels);
  }

  /** Parses the properties format of the class documentation. */
  public static ChannelMap fromProperties(String text) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    Map<String, Integer> tuners = new LinkedHashMap<>();
    Map<String, Channel> channels = new LinkedHashMap<>();
    for (String key : properties.stringPropertyNames()) {
      String[] parts = key.split("\\.");
      if (parts.length == 3 && parts[0].equals("playlist") && parts[2].equals("tuners")) {
        tuners.put(parts[1], Integer.parseInt(properties.getProperty(key).strip()));
      }
    }
    for (String key : properties.stringPropertyNames()) {
      String[] parts = key.split("\\.");
      if (parts.length == 3 && parts[0].equals("channel") && parts[2].equals("url")) {
        String id = parts[1];
        String playlist = properties.getProperty("channel." + id + ".playlist", "default").strip();
        List<URI> backups = new ArrayList<>();
        String backupList = properties.getProperty("channel." + id + ".backups", "");
        Arrays.stream(backupList.split(",")).map(String::strip).filter(s -> !s.isEmpty())
            .map(URI::create).forEach(backups::add);
        channels.put(id, new Channel(id, playlist,
            new UpstreamTarget(URI.create(properties.getProperty(key).strip()), backups)));
      }
    }
    return new ChannelMap(tuners, channels);
  }

  private static String sanitize(String name) {
    String cleaned = name.strip().replaceAll("[^\\p{L}\\p{M}\\p{N}._~-]+", "-").replaceAll("\\.\\.+", ".");
    cleaned = cleaned.replaceAll("^[-.]+|[-.]+$", "");
    if (cleaned.length() > 64) {
      cleaned = cleaned.substring(0, 64);
    }
    return cleaned.isEmpty() ? "channel" : cleaned;
  }

  /** The channel with this id, if any. */
  public Optional<Channel> channel(String channelId) {
    return Optional.ofNullable(channels.get(channelId));
  }

  /** The tuner limit of a playlist. */
  public int tuners(String playlistId) {
    Integer tuners = tunersByPlaylist.get(playlistId);
    if (tuners == null) {
      throw new IllegalArgumentException("No playlist '" + playlistId + "' in the channel map");
    }
    return tuners;
  }

  /** Every channel, for the start-up banner. */
  public List<Channel> channels() {
    return List.copyOf(channels.values());
  }
}
