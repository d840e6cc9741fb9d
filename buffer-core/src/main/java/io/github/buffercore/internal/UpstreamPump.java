package io.github.buffercore.internal;

import io.github.buffercore.ReconnectPolicy;
import io.github.buffercore.UpstreamConnection;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamRequest;
import io.github.buffercore.UpstreamSource;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 */
public final class UpstreamPump implements Runnable {

  /** Default size of the read buffer: 64 KiB. */
  public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamPump.class);

  /** Maximum number of earlier failures attached as suppressed to the final exception. */
  private static final int MAX_SUPPRESSED = 32;

  /** Where the pump is; for monitoring and tests. */
  public enum State {
    /** {@code run()} has not started yet. */
    NEW,
    /** Opening a connection, or waiting for its first byte. */
    CONNECTING,
    /** Copying bytes. */
    STREAMING,
    /** Waiting before the next attempt. */
    BACKING_OFF,
    /** Ended after {@link #stop()}; {@code complete()} was called. */
    STOPPED,
    /** Ended because every attempt failed; {@code fail()} was called. */
    FAILED
  }

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
  private final UpstreamSource source;
  private final ChunkSink sink;
  private final ReconnectPolicy policy;
  private final Duration startTimeout;
  private final ScheduledExecutorService scheduler;
  private final Listener listener;
  private final int chunkSize;

  private final AtomicBoolean started = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeUp = lock.newCondition();

  // Guarded by lock.
  private boolean stopRequested;
  private Thread runner;
  private UpstreamConnection current;
  private boolean opening;
  private long attemptSeq;
  private boolean attemptTimedOut;
  private boolean firstByteSeen;
  private boolean selfInterrupt;

  // Written by the pump thread only.
  private volatile State state = State.NEW;
  private volatile long bytesIn;
  private volatile int reconnects;
  private volatile int currentUrlIndex;
  private volatile int connectionsOpened;
  private boolean externalInterrupt;

  private UpstreamPump(Builder b) {
    this.playlistId = b.playlistId;
    this.streamId = b.streamId;
    List<URI> all = new ArrayList<>();
    all.add(b.primaryUrl);
    all.addAll(b.backupUrls);
    this.urls = List.copyOf(all);
    this.source = b.source;
    this.sink = b.sink;
    this.policy = b.policy;
    this.startTimeout = b.startTimeout;
    this.scheduler = b.scheduler;
    this.listener = b.listener;
    this.chunkSize = b.chunkSize;
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
    lock.lock();
    try {
      runner = Thread.currentThread();
    } finally {
      lock.unlock();
    }
    UpstreamException failure = null;
    Error error = null;
    try {
      failure = pump();
    } catch (RuntimeException | Error e) {
      failure = new UpstreamException(playlistId, streamId, "pump failed unexpectedly: " + e, e);
      if (e instanceof Error) {
        error = (Error) e;
      }
    } finally {
      UpstreamConnection toClose;
      boolean clear;
      lock.lock();
      try {
        runner = null;
        toClose = current;
        current = null;
        clear = selfInterrupt;
        selfInterrupt = false;
      } finally {
        lock.unlock();
      }
      if (clear) {
        Thread.interrupted();
      }
      closeQuietly(toClose);
      try {
        finish(failure);
      } finally {
        terminated.countDown();
        if (externalInterrupt) {
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
        state = State.STOPPED;
        LOG.info("Upstream pump of stream '{}' in playlist '{}' stopped after {} bytes,"
            + " {} connection(s)", streamId, playlistId, bytesIn, connectionsOpened);
        sink.complete();
      } else {
        state = State.FAILED;
        LOG.error("Upstream pump of stream '{}' in playlist '{}' gave up after {} bytes,"
            + " {} connection(s), {} reconnect(s)", streamId, playlistId, bytesIn,
            connectionsOpened, reconnects, failure);
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

  /** Returns null when stopped, the failure otherwise. */
  private UpstreamException pump() {
    byte[] buf = new byte[chunkSize];
    int startIndex = 0;
    boolean afterDrop = false;
    boolean first = true;
    while (true) {
      List<Throwable> failures = new ArrayList<>();
      Throwable lastCause = null;
      boolean dropped = false;
      rounds:
      for (int k = 0; k < urls.size(); k++) {
        int index = (startIndex + k) % urls.size();
        URI url = urls.get(index);
        currentUrlIndex = index;
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
          Duration wait = attempt > 1 ? policy.backoffBefore(attempt)
              : (k == 0 && afterDrop ? policy.initialBackoff() : Duration.ZERO);
          if (!backoff(wait)) {
            return null;
          }
          if (!first) {
            reconnects++;
          }
          first = false;
          Outcome outcome = attempt(url, index, attempt, buf);
          if (outcome.stopped) {
            return null;
          }
          if (outcome.deliveredData) {
            LOG.warn("Upstream {} (URL #{}) of stream '{}' in playlist '{}' dropped after data;"
                + " reconnecting: {}", url, index, streamId, playlistId, outcome.cause.toString());
            LOG.debug("Drop of stream '{}' in playlist '{}'", streamId, playlistId, outcome.cause);
            startIndex = index;
            afterDrop = true;
            dropped = true;
            break rounds;
          }
          LOG.info("Attempt {}/{} at upstream {} (URL #{}) of stream '{}' in playlist '{}'"
              + " failed: {}", attempt, policy.maxAttempts(), url, index, streamId, playlistId,
              outcome.cause.toString());
          LOG.debug("Attempt failure of stream '{}' in playlist '{}'", streamId, playlistId,
              outcome.cause);
          if (lastCause != null && failures.size() < MAX_SUPPRESSED) {
            failures.add(lastCause);
          }
          lastCause = outcome.cause;
        }
      }
      if (!dropped) {
        UpstreamException e = new UpstreamException(playlistId, streamId, "all " + urls.size()
            + " URL(s) failed after " + policy.maxAttempts() + " attempt(s) each; last failure: "
            + lastCause, lastCause);
        for (Throwable t : failures) {
          e.addSuppressed(t);
        }
        return e;
      }
    }
  }

  /** Waits, cut short by stop(); returns false if the pump must stop. */
  private boolean backoff(Duration wait) {
    lock.lock();
    try {
      if (!wait.isZero() && !stopRequested) {
        state = State.BACKING_OFF;
        long nanos = wait.toNanos();
        while (!stopRequested && nanos > 0) {
          nanos = wakeUp.awaitNanos(nanos);
        }
      }
      return !stopRequested;
    } catch (InterruptedException e) {
      LOG.info("Pump thread of stream '{}' in playlist '{}' was interrupted during backoff;"
          + " stopping", streamId, playlistId);
      externalInterrupt = true;
      stopRequested = true;
      return false;
    } finally {
      lock.unlock();
    }
  }

  private Outcome attempt(URI url, int index, int attemptNo, byte[] buf) {
    long seq;
    lock.lock();
    try {
      if (stopRequested) {
        return Outcome.STOPPED;
      }
      seq = ++attemptSeq;
      attemptTimedOut = false;
      firstByteSeen = false;
      opening = true;
      state = State.CONNECTING;
    } finally {
      lock.unlock();
    }
    ScheduledFuture<?> watchdog = scheduler.schedule(
        () -> onStartTimeout(seq, url), startTimeout.toNanos(), TimeUnit.NANOSECONDS);
    UpstreamConnection conn = null;
    try {
      Throwable openFailure = null;
      try {
        conn = source.open(new UpstreamRequest(playlistId, streamId, url, attemptNo));
        if (conn == null) {
          openFailure = new IOException("UpstreamSource " + source + " returned null for " + url);
        }
      } catch (IOException | RuntimeException e) {
        openFailure = e;
      }
      boolean stop;
      boolean timedOut;
      lock.lock();
      try {
        opening = false;
        if (selfInterrupt) {
          selfInterrupt = false;
          Thread.interrupted();
        }
        stop = stopRequested;
        timedOut = attemptTimedOut;
        if (!stop && !timedOut && openFailure == null) {
          current = conn;
          connectionsOpened++;
        }
      } finally {
        lock.unlock();
      }
      if (stop) {
        return Outcome.STOPPED;
      }
      if (timedOut) {
        return Outcome.failed(startTimeoutFailure(url, openFailure));
      }
      if (openFailure != null) {
        return Outcome.failed(openFailure);
      }
      LOG.debug("Opened upstream {} (URL #{}, attempt {}) of stream '{}' in playlist '{}'", url,
          index, attemptNo, streamId, playlistId);
      sink.newConnection();
      return copy(conn, url, buf, watchdog);
    } finally {
      watchdog.cancel(false);
      lock.lock();
      try {
        if (current == conn) {
          current = null;
        }
      } finally {
        lock.unlock();
      }
      closeQuietly(conn);
    }
  }

  private Outcome copy(UpstreamConnection conn, URI url, byte[] buf, ScheduledFuture<?> watchdog) {
    boolean gotData = false;
    int discontinuities = conn.discontinuityCount();
    try {
      while (true) {
        int n = conn.read(buf, 0, buf.length);
        if (n < 0) {
          EOFException eof = new EOFException("Upstream " + url + " of stream '" + streamId
              + "' in playlist '" + playlistId + "' ended (a live stream must not end)");
          if (isStopRequested()) {
            return Outcome.STOPPED;
          }
          return gotData ? Outcome.dropped(eof) : Outcome.failed(eof);
        }
        if (n == 0) {
          throw new IOException("UpstreamConnection.read of " + url + " returned 0 bytes");
        }
        if (!gotData) {
          boolean timedOut;
          lock.lock();
          try {
            timedOut = attemptTimedOut;
            firstByteSeen = !timedOut;
            if (!timedOut) {
              state = State.STREAMING;
            }
          } finally {
            lock.unlock();
          }
          if (timedOut) {
            return Outcome.failed(startTimeoutFailure(url, null));
          }
          watchdog.cancel(false);
          gotData = true;
        }
        bytesIn += n;
        int passed = conn.discontinuityCount();
        if (passed != discontinuities) { // grew before this read: these bytes start after the cut
          discontinuities = passed;
          sink.discontinuity();
        }
        sink.write(buf, 0, n);
      }
    } catch (IOException e) {
      boolean stop;
      boolean timedOut;
      lock.lock();
      try {
        stop = stopRequested;
        timedOut = attemptTimedOut && !firstByteSeen;
      } finally {
        lock.unlock();
      }
      if (stop) {
        return Outcome.STOPPED;
      }
      if (timedOut) {
        return Outcome.failed(startTimeoutFailure(url, e));
      }
      return gotData ? Outcome.dropped(e) : Outcome.failed(e);
    }
  }

  private IOException startTimeoutFailure(URI url, Throwable suppressed) {
    IOException e = new IOException("No data from " + url + " for stream '" + streamId
        + "' in playlist '" + playlistId + "' within the start timeout of " + startTimeout);
    if (suppressed != null) {
      e.addSuppressed(suppressed);
    }
    return e;
  }

  private void onStartTimeout(long seq, URI url) {
    UpstreamConnection toClose;
    lock.lock();
    try {
      if (seq != attemptSeq || firstByteSeen || stopRequested || attemptTimedOut) {
        return;
      }
      attemptTimedOut = true;
      if (opening && runner != null) {
        selfInterrupt = true;
        runner.interrupt();
      }
      toClose = current;
    } finally {
      lock.unlock();
    }
    LOG.info("No data from {} for stream '{}' in playlist '{}' within the start timeout of {};"
        + " abandoning this attempt", url, streamId, playlistId, startTimeout);
    closeQuietly(toClose);
  }

  private boolean isStopRequested() {
    lock.lock();
    try {
      return stopRequested;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the pump: closes the current connection, cuts a backoff short and interrupts an open in
   * progress. The pump then ends promptly and calls {@link ChunkSink#complete()} (unless it had
   * already failed). Idempotent; callable from any thread, also before {@link #run()}. Does not wait
   * for the pump to end; use {@link #awaitTermination(long, TimeUnit)} for that.
   */
  public void stop() {
    UpstreamConnection toClose;
    lock.lock();
    try {
      if (stopRequested) {
        return;
      }
      stopRequested = true;
      toClose = current;
      if (opening && runner != null) {
        selfInterrupt = true;
        runner.interrupt();
      }
      wakeUp.signalAll();
    } finally {
      lock.unlock();
    }
    LOG.debug("Stop requested for the upstream pump of stream '{}' in playlist '{}'", streamId,
        playlistId);
    closeQuietly(toClose);
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

  private void closeQuietly(UpstreamConnection conn) {
    if (conn == null) {
      return;
    }
    try {
      conn.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the upstream connection of stream '{}' in playlist '{}' failed", streamId,
          playlistId, e);
    }
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
  public State state() {
    return state;
  }

  /**
   * Returns how many bytes were read from upstream connections and written to the sink.
   *
   * @return the byte count
   */
  public long bytesIn() {
    return bytesIn;
  }

  /**
   * Returns how many attempts were made after the first one (retries, failovers and reconnects).
   *
   * @return the reconnect count
   */
  public int reconnects() {
    return reconnects;
  }

  /**
   * Returns the index in {@link #urls()} of the URL being (or last) tried: 0 for the primary.
   *
   * @return the URL index
   */
  public int currentUrlIndex() {
    return currentUrlIndex;
  }

  /**
   * Returns how many connections were opened successfully.
   *
   * @return the connection count
   */
  public int connectionsOpened() {
    return connectionsOpened;
  }

  @Override
  public String toString() {
    return "UpstreamPump[playlist=" + playlistId + ", stream=" + streamId + ", state=" + state
        + ", url#" + currentUrlIndex + ", bytesIn=" + bytesIn + "]";
  }

  private static final class Outcome {
    static final Outcome STOPPED = new Outcome(true, false, null);

    final boolean stopped;
    final boolean deliveredData;
    final Throwable cause;

    private Outcome(boolean stopped, boolean deliveredData, Throwable cause) {
      this.stopped = stopped;
      this.deliveredData = deliveredData;
      this.cause = cause;
    }

    static Outcome failed(Throwable cause) {
      return new Outcome(false, false, cause);
    }

    static Outcome dropped(Throwable cause) {
      return new Outcome(false, true, cause);
    }
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
