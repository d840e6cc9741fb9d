package io.github.buffercore.internal;

import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamSource;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the upstream of one stream into a {@link ChunkSink}: opens the connection (primary URL,
 * retries, backup URLs, following a {@link ReconnectPolicy}), reads chunks into one reusable buffer
 * and writes them to the sink, until it is {@linkplain #stop() stopped} or every attempt failed.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #run()} is called once, on a platform thread the caller provides (e.g. from an
 *       executor); it returns when the pump has ended. Every sink method is called on that thread.
 *   <li>An <em>attempt</em> fails when open throws, when no byte arrives within the start timeout
 *       (measured from the start of the attempt, open included), or when the connection fails or
 *       ends before its first byte. A live stream must not end: end of stream after data is treated
 *       like a dropped connection and reconnected.
 *   <li>A round tries each URL in turn, starting at the URL that last worked (the primary at start),
 *       each up to {@link ReconnectPolicy#maxAttempts()} times with backoff; if a connection
 *       delivered data and then dropped, a new round starts at that URL after
 *       {@link ReconnectPolicy#initialBackoff()}. If a whole round fails, the pump calls
 *       {@link ChunkSink#fail(UpstreamException)} exactly once, with the playlist and stream ids and
 *       the last failure as cause (earlier failures of the round as suppressed), logs it once at
 *       ERROR, and ends.
 *   <li>{@link #stop()} (any thread, idempotent, also before {@code run()}) closes the current
 *       connection, cuts a backoff short, interrupts an open in progress, and makes the pump end
 *       promptly and call {@link ChunkSink#complete()} exactly once instead of {@code fail}.
 *   <li>Exactly one of {@code complete()} and {@code fail()} is called, then the optional
 *       {@link Listener} once, then {@link #awaitTermination} returns true.
 *   <li>If the sink throws from {@code write}, the pump treats it as a failure of the stream: it
 *       closes the connection and calls {@code fail()} with the sink's exception as cause.
 * </ul>
 *
 * <p>The start timeout is enforced by a task on the given {@link ScheduledExecutorService}, which
 * closes the connection (or interrupts the pump thread while it is opening); the pump interrupts
 * its own thread only while it is inside {@link UpstreamSource#open} and clears that interrupt
 * before it goes on. If the pump thread is interrupted by someone else while waiting, the pump
 * stops and restores the interrupt.
 *
 * <p>Thread-safety: {@code stop()}, the counters and {@link #state()} may be called from any thread.
 *
 * <p>Split by role: this class is the face and the end; {@link PumpRounds} the connect/reconnect loop,
 * {@link PumpCopy} the copy loop (it also marks {@link ChunkSink#discontinuity()}s), {@link PumpControl}
 * the state they share with the stopping and watchdog threads.
 */
public final class UpstreamPump implements Runnable {

  /** Default size of the read buffer: 64 KiB. */
  public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamPump.class);

  /** Told once when a pump has ended, e.g. so that the registry frees the stream's tuner. */
  @FunctionalInterface
  public interface Listener {

    /**
     * Called once on the pump thread, after the sink was completed or failed. Must not block.
     *
     * @param pump the pump that ended
     * @param failure the exception passed to {@link ChunkSink#fail}, or {@code null} if stopped
     */
    void pumpEnded(UpstreamPump pump, UpstreamException failure);
  }

  private final String playlistId;
  private final String streamId;
  private final List<URI> urls;
  private final ChunkSink sink;
  private final Listener listener;

  private final AtomicBoolean started = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final PumpControl control;
  private final PumpRounds rounds;

  private UpstreamPump(Builder b) {
    this.playlistId = b.playlistId;
    this.streamId = b.streamId;
    List<URI> all = new ArrayList<>();
    all.add(b.primaryUrl);
    all.addAll(b.backupUrls);
    this.urls = List.copyOf(all);
    this.sink = b.sink;
    this.listener = b.listener;
    this.control = new PumpControl(playlistId, streamId, b.startTimeout);
    this.rounds = new PumpRounds(control, new PumpCopy(control, b.source, sink, b.scheduler), urls, b.policy,
        b.chunkSize);
  }

  /**
   * Starts building a pump.
   *
   * @param playlistId the playlist of the stream
   * @param streamId the stream
   * @param source opens the upstream
   * @param sink receives the bytes
   * @param scheduler runs the start-timeout watchdogs; owned by the caller
   * @return a new builder
   */
  public static Builder builder(String playlistId, String streamId, UpstreamSource source,
      ChunkSink sink, ScheduledExecutorService scheduler) {
    return new Builder(playlistId, streamId, source, sink, scheduler);
  }

  /**
   * Runs the pump until it is stopped or fails; see the class documentation.
   *
   * @throws IllegalStateException if called a second time
   */
  @Override
  public void run() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("UpstreamPump of stream '" + streamId + "' in playlist '"
          + playlistId + "' was already run");
    }
    control.enter();
    UpstreamException failure = null;
    Error error = null;
    try {
      failure = rounds.run();
    } catch (RuntimeException | Error e) {
      failure = new UpstreamException(playlistId, streamId, UpstreamException.Reason.INTERNAL,
          control.connectionsOpened, "pump failed unexpectedly: " + e, e);
      error = e instanceof Error err ? err : null;
    } finally {
      control.leave();
      try {
        finish(failure);
      } finally {
        terminated.countDown();
        if (control.externalInterrupt) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (error != null) {
      throw error; // the sink was failed and the listener told; let the thread's owner see it too
    }
  }

  private void finish(UpstreamException failure) {
    try {
      if (failure == null) {
        control.state = PumpState.STOPPED;
        LOG.info("Upstream pump of stream '{}' in playlist '{}' stopped after {} bytes,"
            + " {} connection(s)", streamId, playlistId, control.bytesIn, control.connectionsOpened);
        sink.complete();
      } else {
        control.state = PumpState.FAILED;
        PumpLogging.gaveUp(failure, control.bytesIn);
        sink.fail(failure);
      }
    } catch (RuntimeException e) {
      LOG.error("The sink of stream '{}' in playlist '{}' threw when the pump ended", streamId,
          playlistId, e);
    } finally {
      if (listener != null) {
        try {
          listener.pumpEnded(this, failure);
        } catch (RuntimeException e) {
          LOG.error("The end listener of the pump of stream '{}' in playlist '{}' threw",
              streamId, playlistId, e);
        }
      }
    }
  }

  /**
   * Stops the pump: closes the current connection, cuts a backoff short and interrupts an open in
   * progress. The pump then ends promptly and calls {@link ChunkSink#complete()} (unless it had
   * already failed). Idempotent; callable from any thread, also before {@link #run()}. Does not wait
   * for the pump to end; use {@link #awaitTermination(long, TimeUnit)} for that.
   */
  public void stop() {
    if (control.stop()) {
      LOG.debug("Stop requested for the upstream pump of stream '{}' in playlist '{}'", streamId,
          playlistId);
    }
  }

  /**
   * Waits until the pump has ended (its sink was completed or failed and its listener called).
   *
   * @param timeout how long to wait at most
   * @param unit the unit of {@code timeout}
   * @return true if the pump ended, false if the timeout elapsed first
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }

  /**
   * Returns the playlist id.
   *
   * @return the playlist id
   */
  public String playlistId() {
    return playlistId;
  }

  /**
   * Returns the stream id.
   *
   * @return the stream id
   */
  public String streamId() {
    return streamId;
  }

  /**
   * Returns the primary URL followed by the backup URLs.
   *
   * @return an immutable list
   */
  public List<URI> urls() {
    return urls;
  }

  /**
   * Returns where the pump is.
   *
   * @return the state
   */
  public PumpState state() {
    return control.state;
  }

  /**
   * Returns how many bytes were read from upstream connections and written to the sink.
   *
   * @return the byte count
   */
  public long bytesIn() {
    return control.bytesIn;
  }

  /**
   * Returns how many attempts were made after the first one (retries, failovers and reconnects).
   *
   * @return the reconnect count
   */
  public int reconnects() {
    return control.reconnects;
  }

  /**
   * Returns the index in {@link #urls()} of the URL being (or last) tried: 0 for the primary.
   *
   * @return the URL index
   */
  public int currentUrlIndex() {
    return control.currentUrlIndex;
  }

  /**
   * Returns how many connections were opened successfully.
   *
   * @return the connection count
   */
  public int connectionsOpened() {
    return control.connectionsOpened;
  }

  @Override
  public String toString() {
    return "UpstreamPump[playlist=" + playlistId + ", stream=" + streamId + ", state=" + control.state
        + ", url#" + control.currentUrlIndex + ", bytesIn=" + control.bytesIn + "]";
  }

  /** Builds an {@link UpstreamPump}. Not thread-safe. */
  public static final class Builder {

    private final String playlistId;
    private final String streamId;
    private final UpstreamSource source;
    private final ChunkSink sink;
    private final ScheduledExecutorService scheduler;
    private URI primaryUrl;
    private List<URI> backupUrls = List.of();
    private ReconnectPolicy policy = ReconnectPolicy.defaults();
    private Duration startTimeout = Duration.ofSeconds(10);
    private Listener listener;
    private int chunkSize = DEFAULT_CHUNK_SIZE;

    private Builder(String playlistId, String streamId, UpstreamSource source, ChunkSink sink,
        ScheduledExecutorService scheduler) {
      this.playlistId = Objects.requireNonNull(playlistId, "playlistId");
      this.streamId = Objects.requireNonNull(streamId, "streamId");
      this.source = Objects.requireNonNull(source, "source");
      this.sink = Objects.requireNonNull(sink, "sink");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Sets the primary URL (required).
     *
     * @param url the URL
     * @return this builder
     */
    public Builder primaryUrl(URI url) {
      this.primaryUrl = Objects.requireNonNull(url, "primaryUrl");
      return this;
    }

    /**
     * Sets the backup URLs, tried in order after the primary (default none).
     *
     * @param urls the URLs
     * @return this builder
     */
    public Builder backupUrls(List<URI> urls) {
      this.backupUrls = List.copyOf(urls);
      return this;
    }

    /**
     * Sets the reconnect policy (default {@link ReconnectPolicy#defaults()}).
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder reconnectPolicy(ReconnectPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "reconnectPolicy");
      return this;
    }

    /**
     * Sets how long an attempt may take from its start to the first byte (default 10 s).
     *
     * @param startTimeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if {@code startTimeout} is null, zero or negative
     */
    public Builder startTimeout(Duration startTimeout) {
      if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException(
            "startTimeout must be a positive duration, got: " + startTimeout);
      }
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * Sets the listener told when the pump ends (default none).
     *
     * @param listener the listener, or {@code null}
     * @return this builder
     */
    public Builder listener(Listener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Sets the size of the read buffer (default {@link #DEFAULT_CHUNK_SIZE}).
     *
     * @param chunkSize at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code chunkSize} is less than 1
     */
    public Builder chunkSize(int chunkSize) {
      if (chunkSize < 1) {
        throw new IllegalArgumentException("chunkSize must be at least 1, got: " + chunkSize);
      }
      this.chunkSize = chunkSize;
      return this;
    }

    /**
     * Builds the pump; run it with {@link UpstreamPump#run()} on a thread of your choice.
     *
     * @return the pump
     * @throws IllegalStateException if no primary URL was set
     */
    public UpstreamPump build() {
      if (primaryUrl == null) {
        throw new IllegalStateException("primaryUrl is required");
      }
      return new UpstreamPump(this);
    }
  }
}
