package io.github.buffercore.examples;

import io.github.buffercore.BufferCoreException;
import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistInitializationException;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.PlaylistSnapshot;
import io.github.buffercore.RegistrySnapshot;
import io.github.buffercore.SlowClientException;
import io.github.buffercore.StreamReader;
import io.github.buffercore.StreamSnapshot;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.UnknownStreamException;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamSource;
import io.github.buffercore.UpstreamTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example proxy, independent of any HTTP stack: maps a request to an {@link Outcome}, and owns
 * the {@link PlaylistRegistry}. Each stack (JDK, Jetty, Netty) only moves bytes.
 *
 * <ul>
 *   <li>{@code GET /stream/{channelId}}: the channel as {@code video/mp2t}, one upstream shared by all
 *       viewers of the channel;</li>
 *   <li>{@code GET /status}: the registry snapshot as JSON;</li>
 *   <li>{@code GET /}: the live status page ({@link StatusPage}); {@code GET /metrics}: Prometheus
 *       ({@link PrometheusEndpoint}); the HDHomeRun device API ({@link HdHomeRun});</li>
 *   <li>all tuners busy: 503 with {@code Retry-After} and a one-line reason; unknown channel: 404;
 *       malformed id: 400.</li>
 * </ul>
 */
public final class ProxyApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyApp.class);

  /** Seconds a refused viewer is told to wait before retrying. */
  static final int RETRY_AFTER_SECONDS = 10;

  /** The result of one request. */
  public sealed interface Outcome permits StreamOutcome, TextOutcome { }

  /**
   * A stream to send: the stack writes what {@code reader} yields and closes {@code lease} when the
   * response ends or the client goes away.
   */
  public record StreamOutcome(String channelId, ClientLease lease, StreamReader reader) implements Outcome {
    /** The content type of a stream response. */
    public static final String CONTENT_TYPE = "video/mp2t";
  }

  /** A complete text answer. */
  public record TextOutcome(int status, String contentType, String body, Map<String, String> headers)
      implements Outcome {
    static TextOutcome plain(int status, String body) {
      return new TextOutcome(status, "text/plain; charset=utf-8", body + "\n", Map.of());
    }
  }

  private final ChannelMap channels;
  private final PlaylistRegistry registry;
  private final PrometheusEndpoint metrics = new PrometheusEndpoint();
  private final HdHomeRun hdHomeRun;

  /**
   * Creates the app.
   *
   * @param channels the channels served
   * @param source opens upstream connections
   * @param configure adjusts the registry builder (grace periods, buffer) before it is built; it must
   *     not replace the listener, which feeds {@code /metrics} and the refusal and eviction counts
   */
  public ProxyApp(ChannelMap channels, UpstreamSource source,
      java.util.function.Consumer<PlaylistRegistry.Builder> configure) {
    this.channels = channels;
    PlaylistRegistry.Builder builder = PlaylistRegistry.builder()
        .upstream(source, this::resolve)
        .staleAfter(Duration.ofSeconds(30))
        .streamGrace(Duration.ofSeconds(10))
        .listener(metrics.listener());
    configure.accept(builder);
    this.registry = builder.build();
    metrics.monitor(registry);
    this.hdHomeRun = new HdHomeRun(channels, this);
  }

  private UpstreamTarget resolve(String playlistId, String channelId) {
    return channels.channel(channelId).filter(c -> c.playlistId().equals(playlistId))
        .map(ChannelMap.Channel::target).orElse(null);
  }

  /** The registry, for tests and status. */
  public PlaylistRegistry registry() {
    return registry;
  }

  /** The channel map. */
  public ChannelMap channels() {
    return channels;
  }

  /** The HDHomeRun device view; the launcher tells it the address to advertise. */
  public HdHomeRun hdHomeRun() {
    return hdHomeRun;
  }

  /**
   * Answers one request.
   *
   * @param method the HTTP method
   * @param rawPath the path as sent, still percent-encoded
   * @return what to send
   */
  public Outcome handle(String method, String rawPath) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return new TextOutcome(405, "text/plain; charset=utf-8", "Only GET is supported\n",
          Map.of("Allow", "GET"));
    }
    if (rawPath.equals("/status")) {
      return new TextOutcome(200, "application/json", statusJson(registry.snapshot(), metrics), Map.of());
    }
    if (rawPath.equals("/metrics")) {
      return metrics.scrape();
    }
    Optional<Outcome> device = hdHomeRun.handle(method, rawPath);
    if (device.isPresent()) {
      return device.get();
    }
    if (rawPath.startsWith("/stream/")) {
      String encoded = rawPath.substring("/stream/".length());
      String channelId;
      try {
        channelId = URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException malformed) {
        return TextOutcome.plain(400, "Malformed channel id '" + encoded + "'");
      }
      if (method.equals("HEAD")) {
        return probeStream(channelId); // a probe must not take a tuner or open an upstream
      }
      return openStream(channelId);
    }
    if (rawPath.equals("/")) {
      return StatusPage.outcome();
    }
    return TextOutcome.plain(404, "Not found: " + rawPath);
  }

  /** The channel, or the 400/404 answer if the id is malformed or unknown. */
  private Object channelOrRefusal(String channelId) {
    if (!ChannelMap.VALID_ID.matcher(channelId).matches() || channelId.contains("..")) {
      return TextOutcome.plain(400, "Malformed channel id '" + printable(channelId)
          + "': use letters, digits, '.', '_', '~' or '-' (at most 64)");
    }
    Optional<ChannelMap.Channel> channel = channels.channel(channelId);
    if (channel.isEmpty()) {
      return TextOutcome.plain(404, "Unknown channel '" + channelId + "'");
    }
    return channel.get();
  }

  private Outcome probeStream(String channelId) {
    Object found = channelOrRefusal(channelId);
    if (found instanceof TextOutcome refusal) {
      return refusal;
    }
    return new TextOutcome(200, StreamOutcome.CONTENT_TYPE, "", Map.of());
  }

  private Outcome openStream(String channelId) {
    Object found = channelOrRefusal(channelId);
    if (found instanceof TextOutcome refusal) {
      return refusal;
    }
    ChannelMap.Channel channel = (ChannelMap.Channel) found;
    String playlistId = channel.playlistId();
    ClientLease lease;
    try {
      lease = metrics.timeJoin(playlistId, () -> registry.acquire(playlistId, channelId,
          id -> PlaylistSettings.withTuners(channels.tuners(id))));
    } catch (TunerLimitExceededException busy) {
      return new TextOutcome(503, "text/plain; charset=utf-8", busy.getMessage() + "\n",
          Map.of("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)));
    } catch (UnknownStreamException unknown) {
      return TextOutcome.plain(404, unknown.getMessage());
    } catch (PlaylistInitializationException failed) {
      LOG.warn("Playlist {} for channel {} could not be created", playlistId, channelId, failed);
      return TextOutcome.plain(502, failed.getMessage());
    } catch (IllegalArgumentException malformed) {
      return TextOutcome.plain(400, malformed.getMessage());
    }
    try {
      return new StreamOutcome(channelId, lease, lease.reader());
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  /**
   * Copies a stream to a blocking output until the stream ends, the upstream fails, the reader is
   * disconnected as too slow, or the client goes away; closes the lease in every case. For
   * thread-per-request stacks.
   *
   * @param stream the stream outcome
   * @param out the response body
   */
  public void copyBlocking(StreamOutcome stream, OutputStream out) {
    byte[] buffer = new byte[64 * 1316]; // whole TS packets, about 84 KB
    try (ClientLease lease = stream.lease()) {
      while (true) {
        int n = stream.reader().read(buffer, 0, buffer.length, Duration.ofSeconds(1));
        if (n < 0) {
          LOG.info("Stream {} of playlist {} ended for client {}", stream.channelId(),
              lease.playlistId(), lease.clientId());
          return;
        }
        if (n > 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      }
    } catch (IOException clientGone) {
      LOG.info("Client {} of stream {} in playlist {} disconnected: {}", stream.lease().clientId(),
          stream.channelId(), stream.lease().playlistId(), clientGone.toString());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      LOG.info("Response of client {} of stream {} in playlist {} interrupted",
          stream.lease().clientId(), stream.channelId(), stream.lease().playlistId());
    } catch (RuntimeException failure) {
      ended(stream, failure);
    }
  }

  /**
   * Logs why a stream response ended early; shared by all stacks.
   *
   * @param stream the stream
   * @param failure what the reader threw
   */
  public void ended(StreamOutcome stream, RuntimeException failure) {
    ClientLease lease = stream.lease();
    if (failure instanceof UpstreamException upstream) {
      LOG.warn("Ending response of client {} of stream {} in playlist {}: {}", lease.clientId(),
          upstream.streamId(), upstream.playlistId(), upstream.getMessage());
    } else if (failure instanceof SlowClientException slow) {
      LOG.info("Disconnecting slow client {} of stream {} in playlist {}: {}", lease.clientId(),
          slow.streamId(), slow.playlistId(), slow.getMessage());
    } else if (failure instanceof BufferCoreException other) {
      LOG.warn("Ending response of client {} of stream {} in playlist {}", lease.clientId(),
          other.streamId(), other.playlistId(), other);
    } else if (failure instanceof IllegalStateException closed && !lease.isOpen()) {
      LOG.info("Response of client {} of stream {} in playlist {} ended: {}", lease.clientId(),
          stream.channelId(), lease.playlistId(), closed.getMessage());
    } else {
      LOG.error("Response of client {} of stream {} in playlist {} failed", lease.clientId(),
          stream.channelId(), lease.playlistId(), failure);
    }
    lease.close();
  }

  /** The registry snapshot as JSON (written by hand: the example needs no JSON library). */
  static String statusJson(RegistrySnapshot snapshot, PrometheusEndpoint metrics) {
    StringBuilder json = new StringBuilder("{\"totalClients\":").append(snapshot.totalClients())
        .append(",\"totalStreams\":").append(snapshot.totalStreams()).append(",\"playlists\":[");
    String playlistSeparator = "";
    for (PlaylistSnapshot playlist : snapshot.playlists()) {
      json.append(playlistSeparator).append("{\"id\":").append(quote(playlist.id()))
          .append(",\"tunerLimit\":").append(playlist.playlist().tunerLimit())
          .append(",\"tunersInUse\":").append(playlist.tunersInUse())
          .append(",\"clients\":").append(playlist.clients())
          .append(",\"refusals\":").append(metrics.refusals(playlist.id()))
          .append(",\"evictions\":").append(metrics.evictions(playlist.id()))
          .append(",\"streams\":[");
      String streamSeparator = "";
      for (StreamSnapshot stream : playlist.streams()) {
        json.append(streamSeparator).append("{\"id\":").append(quote(stream.streamId()))
            .append(",\"generation\":").append(stream.generation())
            .append(",\"clients\":").append(stream.clients())
            .append(",\"bytesIn\":").append(stream.stats().bytesIn())
            .append(",\"bytesOut\":").append(stream.stats().bytesOut())
            .append(",\"readers\":").append(stream.stats().readers())
            .append(",\"laps\":").append(stream.stats().laps())
            .append(",\"skips\":").append(stream.stats().skips())
            .append(",\"reconnects\":").append(stream.stats().reconnects())
            .append(",\"connectionsOpened\":").append(stream.stats().connectionsOpened())
            .append('}');
        streamSeparator = ",";
      }
      json.append("]}");
      playlistSeparator = ",";
    }
    return json.append("]}\n").toString();
  }

  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }

  private static String printable(String text) {
    return text.replaceAll("\\p{Cntrl}", "?");
  }

  /** Closes the registry: every lease released, every upstream closed. */
  @Override
  public void close() {
    registry.close();
    metrics.close();
  }
}
