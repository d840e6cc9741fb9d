package io.github.buffercore.examples;

import io.github.buffercore.BufferCoreException;
import io.github.buffercore.ClientKey;
import io.github.buffercore.ClientLease;
import io.github.buffercore.PlaylistInitializationException;
import io.github.buffercore.PlaylistInitializer;
import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.PlaylistSettings;
import io.github.buffercore.SlowClientException;
import io.github.buffercore.StreamReader;
import io.github.buffercore.StreamSwitchedException;
import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerPoolUnavailableException;
import io.github.buffercore.UnknownStreamException;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamSource;
import io.github.buffercore.UpstreamTarget;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example proxy, independent of any HTTP stack: maps a request to an {@link Outcome}, and owns
 * the {@link PlaylistRegistry}. Each stack (JDK, Jetty, Netty) only moves bytes, following one
 * contract:
 *
 * <ul>
 *   <li>{@code GET /stream/{channelId}}: a {@link StreamOutcome}. The stack must not commit the
 *       response until the reader yields its first byte: then it answers {@code 200}
 *       ({@code video/mp2t}, chunked, {@code Cache-Control: no-store}) and copies. If the reader fails
 *       or ends first, it answers {@link #beforeData} instead (502/503/504, see {@link Problems}). If it
 *       fails after the first byte, the stack calls {@link #ended} and <b>aborts</b> the response:
 *       closes the connection without the terminating chunk, so the client sees a truncated body.</li>
 *   <li>{@code HEAD /stream/{channelId}}: a {@link StreamHead}: the headers a {@code GET} would get,
 *       without a body and without {@code Content-Length}; takes no tuner.</li>
 *   <li>{@code GET /status}: the registry snapshot as JSON.</li>
 *   <li>{@code GET /}: the live status page ({@link StatusPage}); {@code GET /metrics}: Prometheus
 *       ({@link PrometheusEndpoint}); the HDHomeRun device API ({@link HdHomeRun}).</li>
 *   <li>Every error is a short {@code application/problem+json} {@link TextOutcome} from
 *       {@link Problems}.</li>
 * </ul>
 */
public final class ProxyApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyApp.class);

  /** Seconds a refused viewer is told to wait before retrying. */
  static final int RETRY_AFTER_SECONDS = Problems.RETRY_AFTER_SECONDS;

  /** How often the registry's own sweep thread runs cleanup (stalled viewers, idle streams). */
  static final Duration CLEANUP_INTERVAL = Duration.ofSeconds(2);

  /** The result of one request. */
  public sealed interface Outcome permits StreamOutcome, StreamHead, TextOutcome { }

  /**
   * A stream to send: the stack writes what {@code reader} yields and closes {@code lease} when the
   * response ends or the client goes away.
   *
   * @param channelId the channel
   * @param lease the viewer's lease
   * @param reader the viewer's reader
   */
  public record StreamOutcome(String channelId, ClientLease lease, StreamReader reader) implements Outcome {
    /** The content type of a stream response. */
    public static final String CONTENT_TYPE = "video/mp2t";

    /**
     * The playlist of the stream.
     *
     * @return the playlist id
     */
    public String playlistId() {
      return lease.playlistId();
    }
  }

  /**
   * The answer to {@code HEAD} on a stream: the status and headers of a {@code GET}, no body, no
   * {@code Content-Length} (a live stream has none), no tuner taken.
   *
   * @param channelId the channel
   */
  public record StreamHead(String channelId) implements Outcome { }

  /**
   * A complete text answer.
   *
   * @param status the HTTP status
   * @param contentType the media type of {@code body}
   * @param body the body, UTF-8 when sent
   * @param headers extra headers
   */
  public record TextOutcome(int status, String contentType, String body, Map<String, String> headers)
      implements Outcome {
    static TextOutcome plain(int status, String body) {
      return new TextOutcome(status, "text/plain; charset=utf-8", body + "\n", Map.of());
    }
  }

  private final ChannelMap channels;
  private final UpstreamLogging upstreamLog;
  private final PlaylistRegistry registry;
  private final PrometheusEndpoint metrics = new PrometheusEndpoint();
  private final HdHomeRun hdHomeRun;
  /** The last upstream failure logged per channel, so it is logged once, not once per viewer. */
  private final ConcurrentHashMap<String, UpstreamException> reportedFailures = new ConcurrentHashMap<>();

  /**
   * Creates the app. The registry runs its cleanup on its own daemon thread every {@link
   * #CLEANUP_INTERVAL} (stalled viewers are evicted and idle streams stopped without waiting for another
   * request); {@link #close()} closes the registry, which stops that thread.
   *
   * @param channels the channels served
   * @param source opens upstream connections
   * @param configure adjusts the registry builder (grace periods, buffer) before it is built; it must
   *     not replace the listener, which feeds {@code /metrics} and the refusal and eviction counts
   */
  public ProxyApp(ChannelMap channels, UpstreamSource source, Consumer<PlaylistRegistry.Builder> configure) {
    this.channels = channels;
    this.upstreamLog = new UpstreamLogging(source);
    PlaylistRegistry.Builder builder = PlaylistRegistry.builder()
        .upstream(upstreamLog, this::resolve)
        .staleAfter(Duration.ofSeconds(30))
        .streamGrace(Duration.ofSeconds(10))
        .cleanupInterval(CLEANUP_INTERVAL)
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
   * @param rawPath the path as sent, still percent-encoded; a character above U+007F stands for one
   *     byte of the request target (ISO-8859-1), as the JDK and Netty parsers deliver it
   * @return what to send
   */
  public Outcome handle(String method, String rawPath) {
    return handle(method, rawPath, ClientRequest.UNKNOWN);
  }

  /**
   * Answers one request from a known client: a stream request switches channels by the client's key
   * (see {@link ClientRequest}).
   *
   * @param method the HTTP method
   * @param rawPath the path as sent, without the query (see {@link #handle(String, String)})
   * @param client who sent it
   * @return what to send
   */
  public Outcome handle(String method, String rawPath, ClientRequest client) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return Problems.problem(405, "Only GET and HEAD are supported", null, null, Map.of("Allow", "GET, HEAD"));
    }
    if (rawPath.equals("/status")) {
      return new TextOutcome(200, "application/json", StatusPage.json(registry.snapshot(), metrics), Map.of());
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
      String channelId = decodeUtf8(encoded);
      if (channelId == null) {
        return Problems.badChannelId(new String(encoded.getBytes(StandardCharsets.ISO_8859_1),
            StandardCharsets.UTF_8));
      }
      if (method.equals("HEAD")) {
        return probeStream(channelId); // a probe must not take a tuner or open an upstream
      }
      return openStream(channelId, client);
    }
    if (rawPath.equals("/")) {
      return StatusPage.outcome();
    }
    return Problems.problem(404, "Nothing here: " + Problems.cut(rawPath));
  }

  /**
   * Percent-decodes a path segment to bytes and reads them as strict UTF-8; {@code null} if an escape
   * is malformed or the bytes are not UTF-8. A {@code +} stays a plus (this is a path, not a form).
   */
  static String decodeUtf8(String encoded) {
    return PathSegments.decodeUtf8(encoded);
  }

  /** The channel, or the 400/404 answer if the id is malformed or unknown. */
  private Object channelOrRefusal(String channelId) {
    if (!ChannelMap.isValidId(channelId) || channelId.contains("..")) {
      return Problems.badChannelId(channelId);
    }
    Optional<ChannelMap.Channel> channel = channels.channel(channelId);
    if (channel.isEmpty()) {
      return Problems.unknownChannel(channelId);
    }
    return channel.get();
  }

  private Outcome probeStream(String channelId) {
    Object found = channelOrRefusal(channelId);
    if (found instanceof TextOutcome refusal) {
      return refusal;
    }
    return new StreamHead(channelId);
  }

  private Outcome openStream(String channelId, ClientRequest client) {
    Object found = channelOrRefusal(channelId);
    if (found instanceof TextOutcome refusal) {
      return refusal;
    }
    ChannelMap.Channel channel = (ChannelMap.Channel) found;
    String playlistId = channel.playlistId();
    Optional<ClientKey> key;
    try {
      key = client.switchKey();
    } catch (IllegalArgumentException badKey) {
      return Problems.problem(400, "Malformed " + ClientRequest.KEY_HEADER + " header", playlistId, channelId,
          Map.of());
    }
    ClientLease lease;
    PlaylistInitializer settings = id -> PlaylistSettings.withTuners(channels.tuners(id));
    try {
      lease = metrics.timeJoin(playlistId, () -> key.isPresent()
          ? registry.acquire(playlistId, channelId, key.get(), settings)
          : registry.acquire(playlistId, channelId, settings));
    } catch (TunerLimitExceededException busy) {
      return Problems.busy(busy, "All " + busy.tunerLimit() + " tuner(s) of playlist '"
          + Problems.cut(playlistId) + "' are in use; cannot start channel '" + Problems.cut(channelId)
          + "'");
    } catch (TunerPoolUnavailableException unavailable) {
      LOG.warn("Tuner pool of playlist '{}' unavailable for channel '{}': {}", playlistId, channelId,
          Problems.describe(unavailable.getCause() == null ? unavailable : unavailable.getCause()));
      return Problems.busy(unavailable, "The tuners of playlist '" + Problems.cut(playlistId)
          + "' cannot be counted right now; cannot start channel '" + Problems.cut(channelId) + "'");
    } catch (UnknownStreamException unknown) {
      return Problems.unknownChannel(channelId);
    } catch (PlaylistInitializationException failed) {
      LOG.error("Playlist '{}' for channel '{}' could not be created", playlistId, channelId, failed);
      return Problems.internalError(playlistId, channelId);
    } catch (IllegalArgumentException malformed) {
      return Problems.badChannelId(channelId);
    } catch (IllegalStateException closed) {
      return Problems.problem(503, "The proxy is stopping", playlistId, channelId,
          Map.of("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)));
    }
    try {
      StreamOutcome stream = new StreamOutcome(channelId, lease, lease.reader());
      LOG.debug("Client {} joined channel '{}' in playlist '{}'", lease.clientId(), channelId, playlistId);
      return stream;
    } catch (RuntimeException e) {
      lease.close();
      LOG.error("Client {} of channel '{}' in playlist '{}' could not get a reader", lease.clientId(),
          channelId, playlistId, e);
      return Problems.internalError(playlistId, channelId);
    }
  }

  /**
   * The answer for a stream whose reader failed or ended before its first byte; closes the lease.
   * Shared by all stacks, so every stack answers the same status for the same failure.
   *
   * @param stream the stream
   * @param failure what the reader threw, or {@code null} if it ended (returned -1) or was closed
   * @return the problem to send instead of the stream
   */
  public TextOutcome beforeData(StreamOutcome stream, RuntimeException failure) {
    ClientLease lease = stream.lease();
    lease.close();
    if (failure instanceof UpstreamException upstream) {
      reportGiveUp(upstream);
      return Problems.upstreamFailed(upstream);
    }
    if (failure == null || failure instanceof IllegalStateException || failure instanceof SlowClientException
        || failure instanceof StreamSwitchedException) {
      LOG.debug("Client {} of channel '{}' in playlist '{}': stream ended before its first byte",
          lease.clientId(), stream.channelId(), lease.playlistId());
      return Problems.endedBeforeData(lease.playlistId(), stream.channelId());
    }
    LOG.error("Client {} of channel '{}' in playlist '{}' failed before its first byte",
        lease.clientId(), stream.channelId(), lease.playlistId(), failure);
    return Problems.internalError(lease.playlistId(), stream.channelId());
  }

  /**
   * Logs why a committed stream response is being aborted and closes its lease; shared by all stacks.
   *
   * @param stream the stream
   * @param failure what the reader threw
   */
  public void ended(StreamOutcome stream, RuntimeException failure) {
    ClientLease lease = stream.lease();
    lease.close();
    if (failure instanceof UpstreamException upstream) {
      reportGiveUp(upstream);
      LOG.debug("Aborting the response of client {} of channel '{}' in playlist '{}': upstream given up",
          lease.clientId(), stream.channelId(), lease.playlistId());
    } else if (failure instanceof SlowClientException slow) {
      LOG.info("Disconnecting slow client {} of channel '{}' in playlist '{}': lost {} bytes",
          lease.clientId(), slow.streamId(), slow.playlistId(), slow.lostBytes());
    } else if (failure instanceof StreamSwitchedException switched) {
      LOG.debug("Ending the response of client {} of channel '{}' in playlist '{}': switched to '{}'",
          lease.clientId(), stream.channelId(), lease.playlistId(), switched.switchedTo());
    } else if (failure instanceof BufferCoreException other) {
      LOG.warn("Aborting the response of client {} of channel '{}' in playlist '{}'", lease.clientId(),
          other.streamId(), other.playlistId(), other);
    } else if (failure instanceof IllegalStateException) {
      LOG.debug("Response of client {} of channel '{}' in playlist '{}' aborted: its lease ended",
          lease.clientId(), stream.channelId(), lease.playlistId());
    } else {
      LOG.error("Response of client {} of channel '{}' in playlist '{}' failed", lease.clientId(),
          stream.channelId(), lease.playlistId(), failure);
    }
  }

  /**
   * Closes the lease of a viewer that went away or was dropped by the edge; one DEBUG line.
   *
   * @param stream the stream
   * @param why why the connection ended
   */
  public void left(StreamOutcome stream, String why) {
    ClientLease lease = stream.lease();
    boolean wasOpen = lease.isOpen();
    lease.close();
    if (wasOpen) {
      LOG.debug("Client {} left channel '{}' in playlist '{}': {}", lease.clientId(), stream.channelId(),
          lease.playlistId(), why);
    }
  }

  /** One WARN line per upstream given up on, however many viewers see the failure. */
  private void reportGiveUp(UpstreamException failure) {
    String key = failure.playlistId() + '\n' + failure.streamId();
    if (reportedFailures.put(key, failure) == failure) {
      return;
    }
    LOG.warn("Gave up on the upstream of channel '{}' in playlist '{}' after {} failed attempt(s) ({}): {}",
        failure.streamId(), failure.playlistId(), failure.attempts(), failure.reason(),
        Problems.rootCause(failure).toString());
    LOG.debug("Upstream failure of channel '{}' in playlist '{}'", failure.streamId(), failure.playlistId(),
        failure);
  }

  /** Closes the registry: every lease released, every upstream closed, its sweep thread stopped. */
  @Override
  public void close() {
    registry.close();
  }
}
