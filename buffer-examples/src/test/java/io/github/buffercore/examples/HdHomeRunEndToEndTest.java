package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.UpstreamTarget;
import io.github.buffercore.examples.jdk.JdkHttpStack;
import io.github.buffercore.examples.jetty.JettyHttpStack;
import io.github.buffercore.examples.netty.NettyHttpStack;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.json.Json;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The HDHomeRun device API on every stack, read the way Plex and Jellyfin read it: fields and types
 * of {@code discover.json}, {@code lineup_status.json}, {@code lineup.json} and {@code device.xml}
 * as SiliconDust's HTTP API guide and Jellyfin's HdhomerunHost define them, then a channel streamed
 * from the URL the lineup gives, and the 503 a busy device answers.
 */
class HdHomeRunEndToEndTest {

  private static final Duration GUARD = Duration.ofSeconds(30);
  private static final int PACKET = 188;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private ProxyApp app;
  private HttpStack.RunningServer server;

  static Stream<HttpStack> stacks() {
    return Stream.of(new JdkHttpStack(), new JettyHttpStack(), new NettyHttpStack());
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    if (app != null) {
      app.close();
    }
  }

  /** Two channels on one playlist with {@code tuners} tuners; upstreams loop the demo clip in-process. */
  private URI start(HttpStack stack, int tuners) throws Exception {
    Map<String, ChannelMap.Channel> channels = new LinkedHashMap<>();
    for (String id : List.of("news", "arts")) {
      channels.put(id, new ChannelMap.Channel(id, "tv", UpstreamTarget.of(URI.create("inprocess:" + id))));
    }
    app = new ProxyApp(new ChannelMap(Map.of("tv", tuners), channels), DemoChannel.source(),
        builder -> builder.streamGrace(Duration.ZERO));
    server = stack.start(app, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    URI base = URI.create("http://127.0.0.1:" + server.port());
    app.hdHomeRun().advertise(base);
    return base;
  }

  private HttpResponse<String> get(URI url) throws Exception {
    return client.send(HttpRequest.newBuilder(url).timeout(GUARD).build(), HttpResponse.BodyHandlers.ofString());
  }

  @SuppressWarnings("unchecked")
  private static <T> T json(String text) {
    return (T) new Json().toType(text, Object.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void devicesApiHasTheDocumentedFieldsAndItsLineupUrlsStream(HttpStack stack) throws Exception {
    URI base = start(stack, 2);

    HttpResponse<String> discoverResponse = get(base.resolve("/discover.json"));
    assertThat(discoverResponse.statusCode()).isEqualTo(200);
    assertThat(discoverResponse.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    Map<String, Object> discover = json(discoverResponse.body());
    for (String field : List.of("FriendlyName", "ModelNumber", "FirmwareName", "FirmwareVersion",
        "DeviceID", "DeviceAuth", "BaseURL", "LineupURL")) {
      assertThat(discover.get(field)).as(field).isInstanceOf(String.class);
    }
    assertThat(discover.get("TunerCount")).as("TunerCount is an integer").isInstanceOf(Long.class)
        .isEqualTo(2L);
    String deviceId = (String) discover.get("DeviceID");
    assertThat(deviceId).matches("[0-9A-F]{8}");
    assertThat(HdHomeRun.checksum(Integer.parseUnsignedInt(deviceId, 16))).as("libhdhomerun check").isZero();
    assertThat(discover.get("BaseURL")).isEqualTo(base.toString());
    assertThat(discover.get("LineupURL")).isEqualTo(base + "/lineup.json");
    assertThat((String) discover.get("ModelNumber")).doesNotContainIgnoringCase("hdtc");

    Map<String, Object> status = json(get(base.resolve("/lineup_status.json")).body());
    assertThat(status.get("ScanInProgress")).isEqualTo(0L);
    assertThat(status.get("ScanPossible")).isInstanceOf(Long.class);
    assertThat(status.get("Source")).isEqualTo("Cable");
    assertThat(status.get("SourceList")).isEqualTo(List.of("Cable"));

    HttpResponse<String> lineupResponse = get(URI.create((String) discover.get("LineupURL")));
    List<Map<String, Object>> lineup = json(lineupResponse.body());
    assertThat(lineup).hasSize(2);
    assertThat(lineup).extracting(e -> e.get("GuideNumber")).containsExactly("1", "2");
    assertThat(lineup).extracting(e -> e.get("GuideName")).containsExactly("arts", "news");
    for (Map<String, Object> entry : lineup) {
      assertThat(entry.get("URL")).isEqualTo(base + "/auto/v" + entry.get("GuideNumber"));
    }

    HttpResponse<String> xmlResponse = get(base.resolve("/device.xml"));
    assertThat(xmlResponse.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/xml"));
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document xml = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xmlResponse.body().getBytes()));
    Element root = xml.getDocumentElement();
    assertThat(root.getNamespaceURI()).isEqualTo("urn:schemas-upnp-org:device-1-0");
    assertThat(text(root, "URLBase")).isEqualTo(base.toString());
    assertThat(text(root, "deviceType")).isEqualTo("urn:schemas-upnp-org:device:MediaServer:1");
    assertThat(text(root, "serialNumber")).isEqualTo(deviceId);
    assertThat(text(root, "UDN")).startsWith("uuid:");

    // Stream "news" through the URL the lineup gives: MPEG-TS packets on the wire.
    String newsUrl = (String) lineup.get(1).get("URL");
    HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(URI.create(newsUrl)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = stream.body()) {
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.headers().firstValue("Content-Type")).hasValue("video/mp2t");
      byte[] packets = body.readNBytes(PACKET * 50);
      assertThat(packets).hasSize(PACKET * 50);
      for (int i = 0; i < packets.length; i += PACKET) {
        assertThat(packets[i]).as("sync byte of packet %d", i / PACKET).isEqualTo((byte) 0x47);
      }
      String snapshot = get(base.resolve("/status")).body();
      assertThat(snapshot).contains("\"id\":\"news\"").contains("\"totalClients\":1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stacks")
  void aBusyDeviceAnswers503WithTheHdHomeRunError(HttpStack stack) throws Exception {
    URI base = start(stack, 1);
    HttpResponse<InputStream> arts = client.send(HttpRequest.newBuilder(base.resolve("/auto/v1")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = arts.body()) {
      assertThat(arts.statusCode()).isEqualTo(200);
      assertThat(body.readNBytes(PACKET)).hasSize(PACKET); // the one tuner is held by a viewer

      HttpResponse<String> news = get(base.resolve("/auto/v2"));
      assertThat(news.statusCode()).isEqualTo(503);
      assertThat(news.headers().firstValue("X-HDHomeRun-Error")).hasValue(HdHomeRun.ALL_TUNERS_IN_USE);
      assertThat(news.headers().firstValue("Retry-After")).isPresent();
      assertThat(news.body()).contains("tv"); // the reason names the playlist
    }
    assertThat(get(base.resolve("/auto/v9")).statusCode()).isEqualTo(404);
  }

  @Test
  void deviceIdIsStableValidAndFollowsThePlaylists() {
    // A real device's id (HDHR4-2US in SiliconDust's discover.json example) passes the same check.
    assertThat(HdHomeRun.checksum(0x10439EFD)).isZero();
    assertThat(HdHomeRun.checksum(0x10439EFE)).isNotZero();
    String tv = HdHomeRun.deviceId("tv");
    assertThat(HdHomeRun.deviceId("tv")).isEqualTo(tv);
    assertThat(HdHomeRun.deviceId("radio")).isNotEqualTo(tv);
    for (String seed : List.of("tv", "radio", "demo", "a\nb", "")) {
      assertThat(HdHomeRun.checksum(Integer.parseUnsignedInt(HdHomeRun.deviceId(seed), 16))).isZero();
    }
  }

  @Test
  void theApiRefusesToAdvertiseAnAddressThatIsNotABaseUrl() throws Exception {
    app = new ProxyApp(DemoChannel.channels(), DemoChannel.source(), builder -> { });
    assertThat(app.handle("GET", "/discover.json"))
        .isInstanceOfSatisfying(ProxyApp.TextOutcome.class, t -> assertThat(t.status()).isEqualTo(503));
    for (String bad : List.of("ftp://host:1", "http://host:1/path", "http://host:1/?q=1", "/relative")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> app.hdHomeRun().advertise(URI.create(bad)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
    }
    app.hdHomeRun().advertise(URI.create("http://192.168.1.20:34400/"));
    assertThat(app.handle("GET", "/discover.json")).isInstanceOfSatisfying(ProxyApp.TextOutcome.class,
        t -> assertThat(t.body()).contains("\"BaseURL\":\"http://192.168.1.20:34400\""));
  }

  @Test
  void theLauncherAdvertisesAnAddressClientsCanConnectTo() throws Exception {
    assertThat(Launcher.advertisedBase("127.0.0.1", 34400)).isEqualTo(URI.create("http://127.0.0.1:34400"));
    assertThat(Launcher.advertisedBase("::1", 34400)).isEqualTo(URI.create("http://[0:0:0:0:0:0:0:1]:34400"));
    URI wildcard = Launcher.advertisedBase("0.0.0.0", 34400);
    assertThat(InetAddress.getByName(wildcard.getHost()).isAnyLocalAddress()).as(wildcard.toString()).isFalse();
    assertThat(wildcard.getPort()).isEqualTo(34400);
    app = new ProxyApp(DemoChannel.channels(), DemoChannel.source(), builder -> { });
    app.hdHomeRun().advertise(wildcard); // what the launcher derives is a valid base URL
  }

  private static String text(Element root, String tag) {
    return root.getElementsByTagNameNS("urn:schemas-upnp-org:device-1-0", tag).item(0).getTextContent();
  }
}
