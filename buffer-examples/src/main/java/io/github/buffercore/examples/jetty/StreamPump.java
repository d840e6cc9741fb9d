package io.github.buffercore.examples.jetty;

import io.github.buffercore.ClientLease;
import io.github.buffercore.StreamReader;
import io.github.buffercore.examples.EdgeWatchdog;
import io.github.buffercore.examples.ProxyApp;
import io.github.buffercore.examples.ProxyApp.StreamOutcome;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import io.github.buffercore.examples.WakeupRounds;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write loop of one stream response. {@link IteratingCallback} serialises {@link #process()}, so
 * the reader has exactly one consumer at a time, and turns a write that completes synchronously into
 * iteration instead of recursion. Nothing is committed before the reader's first byte; a failure
 * before it is answered with its problem, a failure after it fails this callback, which makes Jetty
 * abort the response (the connection closes without the terminating chunk).
 */
final class StreamPump extends IteratingCallback implements EdgeWatchdog.Watched {

  private static final Logger LOG = LoggerFactory.getLogger(JettyHttpStack.class);

  /** Bytes copied per write: whole 1316-byte (7 TS packets) datagrams, about 62 KB. */
  static final int CHUNK = 48 * 1316;

  private final ProxyApp app;
  private final StreamOutcome stream;
  private final StreamReader reader;
  private final Request request;
  private final Response response;
  private final Callback jettyCallback;
  private final Set<StreamPump> open;
  private final EdgeWatchdog watchdog;
  /**
   * Jetty's buffer pool: a viewer holds a chunk only while its write is in flight, not for its whole
   * life (a per-viewer array of {@link #CHUNK} bytes would be 63 KB per viewer).
   */
  private final ByteBufferPool pool;
  /** The chunk of the write in flight; released when it completed (process runs again only then). */
  private RetainableByteBuffer inFlight;
  private final Runnable iterateLater;
  // process() only (serialised by IteratingCallback).
  private boolean committed;
  private boolean lastWritten;
  private EdgeWatchdog.Registration watched;
  private volatile boolean writing;
  private volatile long writes;

  StreamPump(ProxyApp app, StreamOutcome stream, Request request, Response response,
      Callback jettyCallback, WakeupRounds<StreamPump> wakeups, Set<StreamPump> open, EdgeWatchdog watchdog) {
    this.app = app;
    this.stream = stream;
    this.reader = stream.reader();
    this.request = request;
    this.response = response;
    this.jettyCallback = jettyCallback;
    this.open = open;
    this.watchdog = watchdog;
    this.pool = request.getComponents().getByteBufferPool();
    // The readiness callback runs on the stream's writer thread: only hand over to Jetty's pool,
    // grouped with the other viewers woken in the same round.
    this.iterateLater = () -> {
      if (!wakeups.add(this)) {
        // The server is stopping: Jetty fails the open responses, whose callbacks release the leases.
        LOG.debug("Jetty's pool stopped; not resuming stream {} of client {}", stream.channelId(),
            stream.lease().clientId());
      }
    };
  }

  @Override
  protected Action process() throws Exception {
    writing = false;
    releaseChunk();
    if (lastWritten) {
      return Action.SUCCEEDED;
    }
    // A direct buffer: the reader copies the ring's bytes into it once, and the socket writes from it
    // (a heap buffer would cost the JDK's channel a second copy into a temporary direct one).
    RetainableByteBuffer chunk = pool.acquire(CHUNK, true);
    ByteBuffer bytes = chunk.getByteBuffer();
    int n;
    try {
      bytes.clear().limit(CHUNK); // fill mode from 0 (the pool hands it out empty, in flush mode)
      n = reader.poll(bytes);
      if (n <= 0) {
        chunk.release();
      }
    } catch (RuntimeException failure) {
      chunk.release();
      if (!committed) {
        return answer(app.beforeData(stream, failure));
      }
      app.ended(stream, failure);
      throw failure;
    }
    if (n > 0) {
      if (!committed) {
        committed = true;
        ProxyHandler.streamHeaders(response);
        watched = watchdog.watch(this);
      }
      writing = true;
      inFlight = chunk;
      bytes.flip(); // flush mode: the n bytes just polled
      response.write(false, bytes, this);
      writes++;
      return Action.SCHEDULED;
    }
    if (n < 0) {
      if (!committed) {
        return answer(app.beforeData(stream, null));
      }
      app.left(stream, "the stream ended");
      throw new EOFException("The live stream of channel '" + stream.channelId() + "' ended");
    }
    // Nothing yet: park without a thread. If data arrived meanwhile the callback runs right away and
    // the iterate() it dispatches makes IteratingCallback process again.
    reader.onReadable(iterateLater);
    return Action.IDLE;
  }

  private Action answer(TextOutcome problem) {
    lastWritten = true;
    committed = true;
    ProxyHandler.writeText(response, problem, false, this);
    return Action.SCHEDULED;
  }

  private void releaseChunk() {
    if (inFlight != null) {
      inFlight.release();
      inFlight = null;
    }
  }

  @Override
  protected void onCompleteSuccess() {
    releaseChunk();
    open.remove(this);
    closeWatch();
    stream.lease().close(); // already closed by beforeData; a response never succeeds otherwise
    jettyCallback.succeeded();
  }

  @Override
  protected void onCompleteFailure(Throwable cause) {
    releaseChunk(); // the failed write is over: Jetty no longer reads the chunk
    open.remove(this);
    closeWatch();
    app.left(stream, cause.toString());
    jettyCallback.failed(cause);
  }

  private void closeWatch() {
    EdgeWatchdog.Registration registration = watched;
    if (registration != null) {
      registration.close();
    }
  }

  /** Called by Jetty from any thread when the connection failed outside a write. */
  void clientGone(Throwable failure) {
    app.left(stream, "connection failed: " + failure); // runs a pending readiness callback: the pump ends
  }

  @Override
  public boolean writePending() {
    return writing;
  }

  @Override
  public long writeProgress() {
    return writes;
  }

  @Override
  public ClientLease lease() {
    return stream.lease();
  }

  @Override
  public void abort(String why) {
    app.left(stream, why);
    request.getConnectionMetaData().getConnection().getEndPoint().close(new TimeoutException(why));
  }
}
