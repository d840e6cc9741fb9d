package io.github.buffercore.examples;

import io.github.buffercore.examples.ProxyApp.Outcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The example proxy as an HDHomeRun network tuner, the device API through which Plex, Jellyfin and
 * Emby find and use network tuners.
 *
 * <ul>
 *   <li>{@code GET /discover.json}: the device (FriendlyName, ModelNumber, FirmwareName,
 *       FirmwareVersion, DeviceID, DeviceAuth, BaseURL, LineupURL, TunerCount);</li>
 *   <li>{@code GET /lineup_status.json}: ScanInProgress, ScanPossible, Source, SourceList;</li>
 *   <li>{@code GET /lineup.json}: one entry per channel of the channel map: GuideNumber, GuideName,
 *       URL;</li>
 *   <li>{@code GET /device.xml}: the UPnP device description;</li>
 *   <li>{@code GET /auto/v{GuideNumber}}: the channel's stream, as {@code /stream/{channelId}} serves
 *       it; all tuners busy: {@code 503} with {@code X-HDHomeRun-Error: 805 All Tuners In Use}.</li>
 * </ul>
 *
 * <p>Field names and types follow SiliconDust's HDHomeRun HTTP development guide
 * (info.hdhomerun.com/info/http_api: GuideNumber and GuideName strings, URL per channel, "503 Service
 * Unavailable" when all tuners are in use, the X-HDHomeRun-Error header) and what Jellyfin's
 * HdHomerunHost reads (jellyfin/jellyfin src/Jellyfin.LiveTv/TunerHosts/HdHomerun/DiscoverResponse.cs
 * and Channels.cs: DeviceID, BaseURL, LineupURL strings, TunerCount an integer; a ModelNumber
 * containing "hdtc" would make Jellyfin ask for transcoding profiles, which this proxy does not do).
 * The DeviceID carries the check digit of libhdhomerun's {@code hdhomerun_discover_validate_device_id}
 * (SiliconDust libhdhomerun, hdhomerun_discover.c), since clients may drop IDs that fail it.
 *
 * <p>Channels are numbered 1, 2, 3, ... in the order of their ids, so a channel keeps its GuideNumber
 * as long as the channel map does not gain or lose an id sorting before it. TunerCount is the sum of the
 * tuner limits of the map's playlists (the playlist's limit for a single playlist). The absolute URLs
 * need the address clients reach the proxy at: {@link #advertise(URI)}, which the launcher calls with
 * the listening address once the server runs.
 */
public final class HdHomeRun {

  /** What the device calls itself. */
  public static final String FRIENDLY_NAME = "buffer-core proxy";
  /** The model: not "HDTC" (no transcoding profiles), not a real SiliconDust model. */
  public static final String MODEL_NUMBER = "HDHR-BUFFERCORE";
  /** The value of {@code X-HDHomeRun-Error} when every tuner is busy. */
  public static final String ALL_TUNERS_IN_USE = "805 All Tuners In Use";

  private static final Pattern AUTO_CHANNEL = Pattern.compile("/auto/v([0-9]{1,6})");
  // libhdhomerun's device-id checksum table (hdhomerun_discover.c).
  private static final int[] CHECKSUM_LOOKUP =
      {0xA, 0x5, 0xF, 0x6, 0x7, 0xC, 0x1, 0xB, 0x9, 0x2, 0x8, 0xD, 0x4, 0x3, 0xE, 0x0};

  /** One lineup entry. */
  public record LineupEntry(String guideNumber, String guideName, String channelId) { }

  private final ProxyApp app;
  private final List<LineupEntry> lineup;
  private final Map<String, String> channelByGuideNumber = new HashMap<>();
  private final int tunerCount;
  private final String deviceId;
  private final AtomicReference<URI> base = new AtomicReference<>();

  /**
   * Creates the device view of an app.
   *
   * @param channels the channels served
   * @param app the app that serves their streams
   */
  HdHomeRun(ChannelMap channels, ProxyApp app) {
    this.app = Objects.requireNonNull(app, "app");
    List<ChannelMap.Channel> sorted = new ArrayList<>(channels.channels());
    sorted.sort(Comparator.comparing(ChannelMap.Channel::id));
    List<LineupEntry> entries = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      String number = String.valueOf(i + 1);
      String id = sorted.get(i).id();
      entries.add(new LineupEntry(number, id, id));
      channelByGuideNumber.put(number, id);
    }
    this.lineup = List.copyOf(entries);
    TreeSet<String> playlists = new TreeSet<>();
    sorted.forEach(c -> playlists.add(c.playlistId()));
    this.tunerCount = playlists.stream().mapToInt(channels::tuners).sum();
    this.deviceId = deviceId(String.join("\n", playlists));
  }

  /**
   * Sets the base URL written into {@code discover.json}, {@code lineup.json} and {@code device.xml}:
   * the address media servers reach this proxy at, for example {@code http://192.168.1.20:34400}.
   *
   * @param baseUrl an absolute http(s) URL without a path
   * @throws IllegalArgumentException if it is not an absolute http(s) URL with a host and no path
   */
  public void advertise(URI baseUrl) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    String path = baseUrl.getRawPath();
    if (baseUrl.getScheme() == null || !baseUrl.getScheme().matches("https?") || baseUrl.getHost() == null
        || (path != null && !path.isEmpty() && !path.equals("/")) || baseUrl.getRawQuery() != null) {
      throw new IllegalArgumentException("The advertised base URL must look like http://host:port, but was '"
          + baseUrl + "'");
    }
    base.set(URI.create(baseUrl.toString().replaceFirst("/$", "")));
  }

  /**
   * Returns the advertised base URL.
   *
   * @return the base URL, or empty before {@link #advertise(URI)}
   */
  public Optional<URI> baseUrl() {
    return Optional.ofNullable(base.get());
  }

  /**
   * Returns the DeviceID: eight hex digits, derived from the playlist ids (stable across restarts
   * with the same channel map), with a valid libhdhomerun check digit.
   *
   * @return the device id
   */
  public String deviceId() {
    return deviceId;
  }

  /**
   * Returns the TunerCount: the sum of the playlists' tuner limits.
   *
   * @return the tuner count
   */
  public int tunerCount() {
    return tunerCount;
  }

  /**
   * Returns the lineup, in GuideNumber order.
   *
   * @return the entries
   */
  public List<LineupEntry> lineup() {
    return lineup;
  }

  /**
   * Answers the device API's paths.
   *
   * @param method GET or HEAD (the app has refused the others)
   * @param rawPath the request path
   * @return the answer, or empty if the path is not part of the device API
   */
  Optional<Outcome> handle(String method, String rawPath) {
    switch (rawPath) {
      case "/discover.json":
        return Optional.of(withBase(url -> json(discoverJson(url))));
      case "/lineup_status.json":
        return Optional.of(json(
            "{\"ScanInProgress\":0,\"ScanPossible\":0,\"Source\":\"Cable\",\"SourceList\":[\"Cable\"]}\n"));
      case "/lineup.json":
        return Optional.of(withBase(url -> json(lineupJson(url))));
      case "/device.xml":
        return Optional.of(withBase(url -> new TextOutcome(200, "application/xml; charset=utf-8",
            deviceXml(url), Map.of())));
      default:
        break;
    }
    // The prefix first: every viewer's request passes here, and a matcher is an allocation.
    if (!rawPath.startsWith("/auto/v")) {
      return Optional.empty();
    }
    Matcher auto = AUTO_CHANNEL.matcher(rawPath);
    if (!auto.matches()) {
      return Optional.empty();
    }
    String channelId = channelByGuideNumber.get(auto.group(1));
    if (channelId == null) {
      return Optional.of(TextOutcome.plain(404, "Unknown channel number '" + auto.group(1) + "'"));
    }
    Outcome stream = app.handle(method, "/stream/" + URLEncoder.encode(channelId, StandardCharsets.UTF_8));
    if (stream instanceof TextOutcome text && text.status() == 503) {
      // A media server shows the device's reason, not the body: say it the way a real tuner does.
      Map<String, String> headers = new HashMap<>(text.headers());
      headers.put("X-HDHomeRun-Error", ALL_TUNERS_IN_USE);
      return Optional.of(new TextOutcome(503, text.contentType(), text.body(), Map.copyOf(headers)));
    }
    return Optional.of(stream);
  }

  private Outcome withBase(java.util.function.Function<URI, Outcome> answer) {
    URI url = base.get();
    if (url == null) {
      return TextOutcome.plain(503, "The HDHomeRun API needs the proxy's advertised base URL; "
          + "it is set once the server listens");
    }
    return answer.apply(url);
  }

  private static TextOutcome json(String body) {
    return new TextOutcome(200, "application/json", body, Map.of());
  }

  String discoverJson(URI url) {
    return "{\"FriendlyName\":" + JsonText.quote(FRIENDLY_NAME)
        + ",\"ModelNumber\":" + JsonText.quote(MODEL_NUMBER)
        + ",\"FirmwareName\":\"buffer-core\""
        + ",\"FirmwareVersion\":\"20260101\""
        + ",\"DeviceID\":" + JsonText.quote(deviceId)
        + ",\"DeviceAuth\":\"\""
        + ",\"BaseURL\":" + JsonText.quote(url.toString())
        + ",\"LineupURL\":" + JsonText.quote(url + "/lineup.json")
        + ",\"TunerCount\":" + tunerCount + "}\n";
  }

  String lineupJson(URI url) {
    StringBuilder json = new StringBuilder("[");
    String separator = "";
    for (LineupEntry entry : lineup) {
      json.append(separator).append("{\"GuideNumber\":").append(JsonText.quote(entry.guideNumber()))
          .append(",\"GuideName\":").append(JsonText.quote(entry.guideName()))
          .append(",\"URL\":").append(JsonText.quote(url + "/auto/v" + entry.guideNumber()))
          .append('}');
      separator = ",";
    }
    return json.append("]\n").toString();
  }

  String deviceXml(URI url) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">\n"
        + "  <specVersion><major>1</major><minor>0</minor></specVersion>\n"
        + "  <URLBase>" + xml(url.toString()) + "</URLBase>\n"
        + "  <device>\n"
        + "    <deviceType>urn:schemas-upnp-org:device:MediaServer:1</deviceType>\n"
        + "    <friendlyName>" + xml(FRIENDLY_NAME) + "</friendlyName>\n"
        + "    <manufacturer>buffer-core</manufacturer>\n"
        + "    <modelName>" + MODEL_NUMBER + "</modelName>\n"
        + "    <modelNumber>" + MODEL_NUMBER + "</modelNumber>\n"
        + "    <serialNumber>" + deviceId + "</serialNumber>\n"
        + "    <UDN>uuid:" + udn() + "</UDN>\n"
        + "  </device>\n"
        + "</root>\n";
  }

  private String udn() {
    // A UUID-shaped name fixed by the DeviceID, so it is as stable as the DeviceID.
    return java.util.UUID.nameUUIDFromBytes(("buffer-core-hdhomerun-" + deviceId)
        .getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String xml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** Seven hex digits from a CRC of {@code seed}, then the check digit that makes the ID valid. */
  static String deviceId(String seed) {
    CRC32 crc = new CRC32();
    crc.update(("buffer-core:" + seed).getBytes(StandardCharsets.UTF_8));
    long high = (crc.getValue() & 0xFFFFFFFL) << 4;
    int checksum = checksum((int) high);
    return String.format("%08X", high | checksum);
  }

  /**
   * The XOR of libhdhomerun's device-id check: zero for a valid id. With the low digit zero it is the
   * digit that makes the id valid, since that digit enters the XOR as itself.
   */
  static int checksum(int id) {
    int sum = 0;
    for (int shift = 28; shift >= 0; shift -= 4) {
      int digit = (id >>> shift) & 0xF;
      sum ^= (shift / 4) % 2 == 1 ? CHECKSUM_LOOKUP[digit] : digit;
    }
    return sum;
  }
}
