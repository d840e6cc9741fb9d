package io.github.buffercore;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link UpstreamSource} whose bytes are produced in process, for tests and demos: either a clip
 * repeated forever ({@link #looping(byte[])}) or whatever a {@link StreamFactory} returns
 * ({@link #from(StreamFactory)}). Optionally paced to a bitrate so that a demo plays at real speed
 * (the pacing sleeps in the reading thread, which simulates a real upstream), and with injected
 * failures: the first opens throw, or every connection ends after a number of bytes.
 *
 * <p>It counts open attempts, opened connections and connections still open, and records every
 * request, so that tests can check what a pump did.
 *
 * <p>Thread-safe: {@link #open(UpstreamRequest)} may be called from several threads at once. A
 * connection is read by one thread and may be closed from any thread; closing it unblocks a read
 * waiting for pacing, and closes the factory's stream (which should in turn unblock a read blocked
 * in that stream).
 */
public final class InProcessUpstreamSource implements UpstreamSource {

  private static final Logger LOG = LoggerFactory.getLogger(InProcessUpstreamSource.class);

  /**
   * Produces the bytes of one connection. Called once per successful-so-far open, from the thread
   * that opens; may throw to simulate an upstream that cannot be opened.
   */
  @FunctionalInterface
  public interface StreamFactory {

    /**
     * Returns the stream of bytes for one connection; the connection closes it.
     *
     * @param request the stream, URL and attempt being opened
     * @return the bytes of the connection, never {@code null}
     * @throws IOException to make the open fail
     */
    InputStream open(UpstreamRequest request) throws IOException;
  }

  private final StreamFactory factory;
  private final long bytesPerSecond;
  private final long endAfterBytes;
  private final int failFirstOpens;
  private final AtomicInteger openAttempts = new AtomicInteger();
  private final AtomicInteger openedConnections = new AtomicInteger();
  private final AtomicInteger activeConnections = new AtomicInteger();
  private final List<UpstreamRequest> requests = new ArrayList<>();

  private InProcessUpstreamSource(Builder b) {
    this.factory = b.factory;
    this.bytesPerSecond = b.bytesPerSecond;
    this.endAfterBytes = b.endAfterBytes;
    this.failFirstOpens = b.failFirstOpens;
  }

  /**
   * Starts building a source whose every connection serves {@code clip} repeated forever, from its
   * first byte.
   *
   * @param clip the bytes to loop; copied
   * @return a new builder
   * @throws IllegalArgumentException if {@code clip} is {@code null} or empty
   */
  public static Builder looping(byte[] clip) {
    if (clip == null || clip.length == 0) {
      throw new IllegalArgumentException("clip must not be null or empty, got: "
          + (clip == null ? "null" : "0 bytes"));
    }
    byte[] copy = clip.clone();
    return new Builder(request -> new LoopingInputStream(copy));
  }

  /**
   * Starts building a source whose connections serve what {@code factory} returns.
   *
   * @param factory called once per open
   * @return a new builder
   * @throws IllegalArgumentException if {@code factory} is {@code null}
   */
  public static Builder from(StreamFactory factory) {
    if (factory == null) {
      throw new IllegalArgumentException("factory must not be null");
    }
    return new Builder(factory);
  }

  /**
   * Opens a connection: records the request, fails if an injected failure is due, else calls the
   * factory.
   *
   * @param request the stream, URL and attempt
   * @return the connection
   * @throws IOException if an injected failure is due or the factory threw
   */
  @Override
  public UpstreamConnection open(UpstreamRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    synchronized (requests) {
      requests.add(request);
    }
    int attempt = openAttempts.incrementAndGet();
    if (attempt <= failFirstOpens) {
      throw new IOException("Injected failure " + attempt + " of " + failFirstOpens + " opening "
          + request.url() + " for stream '" + request.streamId() + "' in playlist '"
          + request.playlistId() + "'");
    }
    InputStream in = factory.open(request);
    if (in == null) {
      throw new IOException("StreamFactory returned null for " + request.url() + " (stream '"
          + request.streamId() + "' in playlist '" + request.playlistId() + "')");
    }
    openedConnections.incrementAndGet();
    activeConnections.incrementAndGet();
    return new Connection(request, in);
  }

  /**
   * Returns how many times {@link #open(UpstreamRequest)} was called, failed calls included.
   *
   * @return the number of open attempts
   */
  public int openAttempts() {
    return openAttempts.get();
  }

  /**
   * Returns how many connections were opened successfully.
   *
   * @return the number of opened connections
   */
  public int openedConnections() {
    return openedConnections.get();
  }

  /**
   * Returns how many opened connections have not been closed yet.
   *
   * @return the number of open connections
   */
  public int activeConnections() {
    return activeConnections.get();
  }

  /**
   * Returns every request passed to {@link #open(UpstreamRequest)}, in order.
   *
   * @return a snapshot copy
   */
  public List<UpstreamRequest> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /**
   * Builds an {@link InProcessUpstreamSource}. Every setter validates its argument at once and
   * throws {@link IllegalArgumentException} naming the rejected value. Not thread-safe.
   */
  public static final class Builder {

    private final StreamFactory factory;
    private long bytesPerSecond;
    private long endAfterBytes = Long.MAX_VALUE;
    private int failFirstOpens;

    private Builder(StreamFactory factory) {
      this.factory = factory;
    }

    /**
     * Paces every connection to {@code bytesPerSecond} (default 0: as fast as the reader reads).
     *
     * @param bytesPerSecond the rate, or 0 for no pacing
     * @return this builder
     * @throws IllegalArgumentException if {@code bytesPerSecond} is negative
     */
    public Builder bytesPerSecond(long bytesPerSecond) {
      if (bytesPerSecond < 0) {
        throw new IllegalArgumentException(
            "bytesPerSecond must not be negative, got: " + bytesPerSecond);
      }
      this.bytesPerSecond = bytesPerSecond;
      return this;
    }

    /**
     * Makes every connection end (read returns -1) after {@code bytes} bytes, simulating an upstream
     * that dies. Default: never.
     *
     * @param bytes at least 0
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder endAfterBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("endAfterBytes must not be negative, got: " + bytes);
      }
      this.endAfterBytes = bytes;
      return this;
    }

    /**
     * Makes the first {@code count} calls of {@link #open(UpstreamRequest)} throw
     * {@link IOException} (default 0).
     *
     * @param count at least 0
     * @return this builder
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public Builder failFirstOpens(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("failFirstOpens must not be negative, got: " + count);
      }
      this.failFirstOpens = count;
      return this;
    }

    /**
     * Builds the source.
     *
     * @return the source
     */
    public InProcessUpstreamSource build() {
      return new InProcessUpstreamSource(this);
    }
  }

  private final class Connection implements UpstreamConnection {

    private final UpstreamRequest request;
    private final InputStream in;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final long sliceBytes;
    private long startNanos;
    private long delivered;

    Connection(UpstreamRequest request, InputStream in) {
      this.request = request;
      this.in = in;
      // Pace in slices of about 20 ms so that the rate is smooth.
      this.sliceBytes = bytesPerSecond == 0 ? Long.MAX_VALUE : Math.max(1, bytesPerSecond / 50);
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, buf.length);
      checkOpen();
      if (len == 0) {
        return 0;
      }
      long remaining = endAfterBytes - delivered;
      if (remaining <= 0) {
        return -1;
      }
      int max = (int) Math.min(len, Math.min(remaining, sliceBytes));
      if (bytesPerSecond > 0) {
        if (delivered == 0) {
          startNanos = System.nanoTime();
        } else {
          long due = startNanos + (long) (delivered * 1e9 / bytesPerSecond);
          long wait = due - System.nanoTime();
          try {
            if (wait > 0 && closedLatch.await(wait, TimeUnit.NANOSECONDS)) {
              checkOpen();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ie = new InterruptedIOException("Interrupted while pacing "
                + request.url() + " for stream '" + request.streamId() + "' in playlist '"
                + request.playlistId() + "'");
            ie.initCause(e);
            throw ie;
          }
        }
      }
      int n = in.read(buf, off, max);
      checkOpen();
      if (n > 0) {
        delivered += n;
      }
      return n;
    }

    private void checkOpen() throws IOException {
      if (closed.get()) {
        throw new IOException("In-process connection to " + request.url() + " for stream '"
            + request.streamId() + "' in playlist '" + request.playlistId() + "' was closed");
      }
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      activeConnections.decrementAndGet();
      closedLatch.countDown();
      try {
        in.close();
      } catch (IOException e) {
        LOG.warn("Closing the in-process stream of {} for stream '{}' in playlist '{}' failed",
            request.url(), request.streamId(), request.playlistId(), e);
      }
    }
  }

  private static final class LoopingInputStream extends InputStream {
    private final byte[] clip;
    private int pos;

    LoopingInputStream(byte[] clip) {
      this.clip = clip;
    }

    @Override
    public int read() {
      int b = clip[pos] & 0xff;
      pos = (pos + 1) % clip.length;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      int n = Math.min(len, clip.length - pos);
      System.arraycopy(clip, pos, b, off, n);
      pos = (pos + n) % clip.length;
      return n;
    }
  }
}
