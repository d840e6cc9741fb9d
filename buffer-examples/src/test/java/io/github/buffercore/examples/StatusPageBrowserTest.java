package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.UpstreamTarget;
import io.github.buffercore.examples.jdk.JdkHttpStack;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.json.Json;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real headless browser: the distribution's {@code chromium} driven through its
 * {@code chromedriver} (no Selenium Manager download), opened while viewers stream; the numbers the
 * page shows must match {@code /status}. Saves {@code target/status-page.png}.
 */
class StatusPageBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration GUARD = Duration.ofSeconds(30);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final ExecutorService viewers = Executors.newCachedThreadPool();
  private final List<InputStream> bodies = new ArrayList<>();
  private ProxyApp app;
  private HttpStack.RunningServer server;
  private WebDriver driver;
  private ChromeDriverService service;
  private Path profile;

  @AfterEach
  void tearDown() throws IOException {
    stopping.set(true);
    if (driver != null) {
      driver.quit();
    }
    if (service != null) {
      service.stop();
    }
    for (InputStream body : bodies) {
      body.close();
    }
    viewers.shutdownNow();
    if (server != null) {
      server.close();
    }
    if (app != null) {
      app.close();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  /** Opens a viewer and keeps it reading in the background, as a player would. */
  private Future<?> watch(URI base, String channel) throws Exception {
    HttpResponse<InputStream> response = client.send(
        // ?switch=0: each call is another viewer, though all come from this one HTTP client
        HttpRequest.newBuilder(base.resolve("/stream/" + channel + "?switch=0")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).as("viewer of %s", channel).isEqualTo(200);
    InputStream body = response.body();
    bodies.add(body);
    assertThat(body.readNBytes(188)).hasSize(188);
    return viewers.submit(() -> {
      byte[] buffer = new byte[188 * 64];
      try {
        while (!stopping.get() && body.read(buffer) >= 0) {
          // discard, like a player that only displays
        }
      } catch (IOException closedAtTearDown) {
        // the test closed the body
      }
    });
  }

  private WebDriver browser() throws IOException {
    assertThat(CHROMIUM).as("chromium (Debian package chromium; .ci/run installs it)").isExecutable();
    assertThat(CHROMEDRIVER).as("chromedriver (Debian package chromium-driver; .ci/run installs it)")
        .isExecutable();
    // The driver is named explicitly, so Selenium never runs Selenium Manager to download one.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    profile = Files.createTempDirectory("status-page-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--window-size=1200,800", "--user-data-dir=" + profile);
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> status(URI base) throws Exception {
    String body = client.send(HttpRequest.newBuilder(base.resolve("/status")).timeout(GUARD).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return (Map<String, Object>) new Json().toType(body, Object.class);
  }

  /**
   * What the page shows, in the shape of the {@code /status} fields it displays. Read by one script
   * run: the page rebuilds its rows every second, and a script runs between two of its tasks, so it
   * sees one rendering whole (element-by-element reads could straddle a rebuild).
   */
  @SuppressWarnings("unchecked")
  private static Map<String, String> shown(WebDriver page) {
    Object shown = ((JavascriptExecutor) page).executeScript("""
        const shown = {};
        const text = (root, field) => root.querySelector('[data-field=' + field + ']').textContent;
        shown.totalStreams = text(document, 'totalStreams');
        shown.totalClients = text(document, 'totalClients');
        for (const row of document.querySelectorAll('#playlists tr[data-playlist]')) {
          for (const field of ['tunersInUse', 'tunerLimit', 'clients', 'refusals', 'evictions']) {
            shown[row.dataset.playlist + '.' + field] = text(row, field);
          }
        }
        for (const row of document.querySelectorAll('#streams tr[data-stream]')) {
          const id = row.dataset.playlist + '/' + row.dataset.stream;
          for (const field of ['clients', 'reconnects', 'upstream']) {
            shown[id + '.' + field] = text(row, field);
          }
        }
        return shown;
        """);
    return new LinkedHashMap<>((Map<String, String>) shown);
  }

  private static String bitrate(WebDriver page, String stream) {
    return (String) ((JavascriptExecutor) page).executeScript(
        "return document.querySelector('#streams tr[data-stream=' + arguments[0] + '] [data-field=bitrate]')"
            + ".textContent;", stream);
  }

  /** The same fields, read from {@code /status}. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> expected(Map<String, Object> status) {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("totalStreams", String.valueOf(status.get("totalStreams")));
    expected.put("totalClients", String.valueOf(status.get("totalClients")));
    for (Map<String, Object> playlist : (List<Map<String, Object>>) status.get("playlists")) {
      String id = (String) playlist.get("id");
      for (String field : List.of("tunersInUse", "tunerLimit", "clients", "refusals", "evictions")) {
        expected.put(id + "." + field, String.valueOf(playlist.get(field)));
      }
      for (Map<String, Object> stream : (List<Map<String, Object>>) playlist.get("streams")) {
        String streamId = id + "/" + stream.get("id");
        expected.put(streamId + ".clients", String.valueOf(stream.get("clients")));
        expected.put(streamId + ".reconnects", String.valueOf(stream.get("reconnects")));
        expected.put(streamId + ".upstream", "receiving"); // every viewer here is being fed
      }
    }
    return expected;
  }

  @Test
  void thePageShowsWhatStatusSaysWhileViewersStream() throws Exception {
    Map<String, ChannelMap.Channel> channels = new LinkedHashMap<>();
    for (String id : List.of("news", "arts", "film")) {
      channels.put(id, new ChannelMap.Channel(id, "tv", UpstreamTarget.of(URI.create("inprocess:" + id))));
    }
    app = new ProxyApp(new ChannelMap(Map.of("tv", 2), channels), DemoChannel.source(),
        builder -> builder.streamGrace(Duration.ZERO));
    server = new JdkHttpStack().start(app, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    URI base = URI.create("http://127.0.0.1:" + server.port());

    watch(base, "news");
    watch(base, "news");
    watch(base, "arts");
    HttpResponse<String> refused = client.send(HttpRequest.newBuilder(base.resolve("/stream/film?switch=0"))
        .timeout(GUARD).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).as("third channel with two tuners").isEqualTo(503);

    Map<String, String> expected = expected(status(base));
    assertThat(expected).containsEntry("totalClients", "3").containsEntry("tv.tunersInUse", "2")
        .containsEntry("tv.refusals", "1").containsEntry("tv/news.clients", "2");

    driver = browser();
    driver.get(base.resolve("/").toString());
    assertThat(driver.getTitle()).isEqualTo("buffer-core proxy status");
    // The page polls every second; wait (bounded) until it has polled twice, so bitrate and upstream
    // state come from two readings, then until it shows what /status says.
    WebDriverWait wait = new WebDriverWait(driver, GUARD);
    wait.until(page -> {
      String polls = page.findElement(By.id("state")).getAttribute("data-polls");
      return polls != null && Integer.parseInt(polls) >= 2;
    });
    Map<String, String> shown = wait.until(page -> {
      Map<String, String> now = shown(page);
      return now.equals(expected) ? now : null;
    });
    assertThat(shown).isEqualTo(expected(status(base)));
    assertThat(bitrate(driver, "news")).matches("[0-9]+\\.[0-9]{2} Mbit/s");
    assertThat(driver.findElement(By.id("state")).getAttribute("class")).isEmpty();

    File screenshot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Path target = Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("status-page.png");
    Files.createDirectories(target.getParent());
    Files.copy(screenshot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    Files.delete(screenshot.toPath());
    assertThat(Files.size(target)).isPositive();
  }
}
