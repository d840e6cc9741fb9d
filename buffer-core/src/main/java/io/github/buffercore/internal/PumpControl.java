package io.github.buffercore.internal;

import io.github.buffercore.UpstreamConnection;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state an {@link UpstreamPump}'s thread shares with the threads that stop it and with its
 * start-timeout watchdogs: who runs it, the connection being opened or read, the current attempt's
 * timeout, the stop request; plus its counters. Split out of the pump so that its connect/reconnect
 * loop ({@link PumpRounds}) and its copy loop ({@link PumpCopy}) share one lock without depending on
 * the pump's public face. Every field marked "guarded" is read and written under {@link #lock} only.
 */
final class PumpControl {

  /** The logger name of the pump's parts, unchanged by its split into files. */
  static final String LOGGER = "io.github.buffercore.internal.UpstreamPump";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  final String playlistId;
  final String streamId;
  final Duration startTimeout;
  final ReentrantLock lock = new ReentrantLock();
  final Condition wakeUp = lock.newCondition();

  // Guarded by lock.
  boolean stopRequested;
  Thread runner;
  UpstreamConnection current;
  boolean opening;
  long attemptSeq;
  boolean attemptTimedOut;
  boolean firstByteSeen;
  boolean selfInterrupt;

  // Written by the pump thread only.
  volatile PumpState state = PumpState.NEW;
  volatile long bytesIn;
  volatile int reconnects;
  volatile int currentUrlIndex;
  volatile int connectionsOpened;
  // Written and read by the pump thread only.
  long lastByteAt; // nanos of the last byte received
  long droppedAt; // nanos of the last byte before a drop, 0 when not reconnecting
  boolean externalInterrupt;

  PumpControl(String playlistId, String streamId, Duration startTimeout) {
    this.playlistId = playlistId;
    this.streamId = streamId;
    this.startTimeout = startTimeout;
  }

  /** The pump thread starts running. */
  void enter() {
    lock.lock();
    try {
      runner = Thread.currentThread();
    } finally {
      lock.unlock();
    }
  }

  /** The pump thread stops running: clears its own interrupt and closes what is still open. */
  void leave() {
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
  }

  /** Waits, cut short by stop(); returns false if the pump must stop. */
  boolean backoff(Duration wait) {
    lock.lock();
    try {
      if (!wait.isZero() && !stopRequested) {
        state = PumpState.BACKING_OFF;
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

  /** The watchdog of attempt {@code seq}: abandons it if no byte arrived in time. */
  void onStartTimeout(long seq, URI url) {
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

  IOException startTimeoutFailure(URI url, Throwable suppressed) {
    // A SocketTimeoutException, so UpstreamException.Reason classifies it as TIMEOUT by its type.
    IOException e = new java.net.SocketTimeoutException("No data from " + url + " for stream '" + streamId
        + "' in playlist '" + playlistId + "' within the start timeout of " + startTimeout);
    if (suppressed != null) {
      e.addSuppressed(suppressed);
    }
    return e;
  }

  boolean isStopRequested() {
    lock.lock();
    try {
      return stopRequested;
    } finally {
      lock.unlock();
    }
  }

  /** Requests the stop; see {@link UpstreamPump#stop()}. Returns false if it was already requested. */
  boolean stop() {
    UpstreamConnection toClose;
    lock.lock();
    try {
      if (stopRequested) {
        return false;
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
    closeQuietly(toClose);
    return true;
  }

  void closeQuietly(UpstreamConnection conn) {
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
}
