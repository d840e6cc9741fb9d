package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example's command line and channel sources. */
class LauncherOptionsTest {

  static final String M3U = "#EXTM3U\n#EXTINF:-1 tvg-id=\"news\",News\nhttp://upstream.invalid/news.ts\n";

  @Test
  void edgeLimitsAndStartBehindAreOptions() {
    Launcher.Options options = Launcher.Options.parse(new String[] {"--header-timeout", "3",
        "--write-timeout", "7", "--backlog", "2048", "--threads", "64", "--send-buffer", "65536", "--start-behind", "0",
        "--name", "mine"});

    assertThat(options.limits()).isEqualTo(new EdgeLimits(Duration.ofSeconds(3), Duration.ofSeconds(7), 2048, 64, 65536));
    assertThat(options.startBehind()).isZero();
    assertThat(options.name()).isEqualTo("mine");
    assertThat(Launcher.Options.parse(new String[0]).limits()).isEqualTo(EdgeLimits.defaults());
    assertThat(Launcher.Options.parse(new String[0]).startBehind()).isNull();
  }

  @Test
  void badValuesAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> Launcher.Options.parse(new String[] {"--backlog", "64"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--backlog").hasMessageContaining("1024");
    assertThatThrownBy(() -> Launcher.Options.parse(new String[] {"--write-timeout", "soon"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--write-timeout");
    assertThatThrownBy(() -> Launcher.Options.parse(new String[] {"--start-behind"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--start-behind needs a value");
    assertThatThrownBy(() -> new EdgeLimits(Duration.ZERO, Duration.ofSeconds(1), 1024, 1, 4096))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headerTimeout");
  }

  @Test
  void aPlaylistFromAUrlIsNamedAfterItsFileOrTheGivenName() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/lists/my-provider.m3u", exchange -> {
      byte[] body = M3U.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/lists/my-provider.m3u?token=x";

      assertThat(ChannelMap.load(url, 2).channel("news").orElseThrow().playlistId()).isEqualTo("my-provider");
      assertThat(ChannelMap.load(url, 2, "Kabel TV").channel("news").orElseThrow().playlistId())
          .isEqualTo("Kabel-TV");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aPlaylistFromAFileIsNamedAfterTheFileAndKeepsNonAsciiIds(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("fernsehen.m3u");
    Files.writeString(file, "#EXTM3U\n#EXTINF:-1,Das Erste Ü\nhttp://upstream.invalid/1.ts\n");

    ChannelMap channels = ChannelMap.load(file.toString(), 1);

    assertThat(channels.channels()).singleElement().satisfies(channel -> {
      assertThat(channel.playlistId()).isEqualTo("fernsehen");
      assertThat(channel.id()).isEqualTo("Das-Erste-Ü");
      assertThat(ChannelMap.VALID_ID.matcher(channel.id()).matches()).isTrue();
    });
  }
}
