package io.github.buffercore.examples.jetty;

import io.github.buffercore.examples.EdgeWatchdog;
import io.github.buffercore.examples.ClientRequest;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamHead;
import io.github.buffercore.examples.ProxyApp.StreamOutcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import io.github.buffercore.examples.WakeupRounds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/** Routes every request through the {@link ProxyApp}. */
final class ProxyHandler extends Handler.Abstract {
  // Not Handler.Abstract.NonBlocking: acquiring a lease may create a playlist, which is not
  // guaranteed to be cheap enough for a selector thread. The streaming itself never blocks.

  private final ProxyApp app;
  /** Shards of the viewers' wake-ups; a power of two, picked by client id. */
  private final List<WakeupRounds<StreamPump>> wakeups;
  private final Set<StreamPump> open;
  private final EdgeWatchdog watchdog;
  private final HeaderTimeouts headers;

  ProxyHandler(ProxyApp app, Executor executor, Set<StreamPump> open, EdgeWatchdog watchdog,
      HeaderTimeouts headers) {
    this.app = app;
    // One shard per core, so that the grouped writes still use every core.
    this.wakeups = Stream.generate(() -> new WakeupRounds<StreamPump>(executor, new ConcurrentLinkedQueue<>(),
            StreamPump::iterate))
        .limit(Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors())))
        .toList();
    this.open = open;
    this.watchdog = watchdog;
    this.headers = headers;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Connection connection = request.getConnectionMetaData().getConnection();
    headers.disarm(connection);
    // Armed before the response completes, so the next request (which disarms it) comes after.
    Callback rearming = Callback.from(() -> {
      headers.arm(connection);
      callback.succeeded();
    }, callback::failed);
    boolean head = request.getMethod().equals("HEAD");
    // The JDK and Netty parsers deliver each byte of the target as one char; Jetty decodes raw
    // non-ASCII bytes as UTF-8, so re-encode to honour ProxyApp.handle's contract.
    String rawPath = new String(request.getHttpURI().getPath().getBytes(StandardCharsets.UTF_8),
        StandardCharsets.ISO_8859_1);
    ClientRequest client = new ClientRequest(Request.getRemoteAddr(request),
        request.getHeaders().get(HttpHeader.USER_AGENT), request.getHeaders().get(ClientRequest.KEY_HEADER),
        request.getHttpURI().getQuery());
    ProxyApp.Outcome outcome = app.handle(request.getMethod(), rawPath, client);
    if (outcome instanceof TextOutcome text) {
      writeText(response, text, head, rearming);
      return true;
    }
    if (outcome instanceof StreamHead) {
      streamHeaders(response);
      // Committing before the last write keeps the GET headers (chunked, no Content-Length: 0);
      // Jetty sends no body, not even the last chunk, for HEAD.
      response.write(false, BufferUtil.EMPTY_BUFFER, Callback.from(
          () -> response.write(true, BufferUtil.EMPTY_BUFFER, rearming), rearming::failed));
      return true;
    }
    StreamOutcome stream = (StreamOutcome) outcome;
    WakeupRounds<StreamPump> shard = wakeups.get((int) (stream.lease().clientId() & (wakeups.size() - 1)));
    StreamPump pump = new StreamPump(app, stream, request, response, rearming, shard, open, watchdog);
    open.add(pump);
    // Waiting for upstream data is not idleness; a pending write that makes no progress is failed by
    // Jetty without asking this listener.
    request.addIdleTimeoutListener(timeout -> false);
    // Jetty reports a connection failure it notices outside a write (client reset, server stop)
    // here; closing the lease wakes a parked pump, which then ends.
    request.addFailureListener(pump::clientGone);
    pump.iterate();
    return true;
  }

  /** The head of a stream response (Jetty chunks it on HTTP/1.1). */
  static void streamHeaders(Response response) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, StreamOutcome.CONTENT_TYPE);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
  }

  /** A whole text response, with its Content-Length; {@code head} sends the headers only. */
  static void writeText(Response response, TextOutcome text, boolean head, Callback callback) {
    byte[] body = text.body().getBytes(StandardCharsets.UTF_8);
    response.setStatus(text.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, text.contentType());
    text.headers().forEach((name, value) -> response.getHeaders().put(name, value));
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    // Content-Length as for GET; Jetty would not send a HEAD body anyway, so none is written.
    response.write(true, head ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(body), callback);
  }
}
