package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "A tuner is a connection", checked from outside as a provider sees it: an {@link UpstreamSource}
 * that counts connections opened and not yet closed (an open in progress counts from the moment
 * {@code open} is entered), while 16 threads start and end distinct streams of one playlist. The
 * count never exceeds the tuner limit, and one channel never has two connections, across generations.
 */
class TunerConnectionLimitTest {

  private static final int THREADS = 16;
  private static final int CHANNELS = 8;
  /** Per limit; 10,200 over the three. */
  private static final int STARTS = 3_400;

  /** Counts open connections per playlist and per channel; remembers the highest counts seen. */
  static final class CountingSource implements UpstreamSource {
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    final AtomicInteger opens = new AtomicInteger();
    final ConcurrentHashMap<String, AtomicInteger> perChannel = new ConcurrentHashMap<>();
    final AtomicInteger maxPerChannel = new AtomicInteger();
    final AtomicReference<String> worstChannel = new AtomicReference<>();
    final Set<String> openNow = ConcurrentHashMap.newKeySet();
    final AtomicReference<String> overLimit = new AtomicReference<>();
    final int limit;

    CountingSource(int limit) {
      this.limit = limit;
    }

    @Override
    public UpstreamConnection open(UpstreamRequest request) throws IOException {
      AtomicInteger channel = perChannel.computeIfAbsent(request.streamId(), id -> new AtomicInteger());
      String name = request.streamId() + " on " + Thread.currentThread().getName() + " #"
          + opens.incrementAndGet();
      openNow.add(name);
      int now = open.incrementAndGet();
      int onChannel = channel.incrementAndGet();
      maxOpen.accumulateAndGet(now, Math::max);
      if (now > limit) {
        overLimit.compareAndSet(null, List.copyOf(openNow).toString());
      }
      if (onChannel > maxPerChannel.get()) {
        maxPerChannel.accumulateAndGet(onChannel, Math::max);
        worstChannel.set(request.streamId());
      }
      AtomicBoolean closed = new AtomicBoolean();
      // Closed when close() returns, for every caller: a second, concurrent close (the pump's, after
      // the stopping thread's) waits for the first, as closing a socket does.
      Runnable close = () -> {
        synchronized (closed) {
          if (closed.compareAndSet(false, true)) {
            openNow.remove(name);
            channel.decrementAndGet();
            open.decrementAndGet();
          }
        }
      };
      // A connect of 0-0.3 ms (or none): the window in which a stop meets an open in progress.
      int delayMicros = ThreadLocalRandom.current().nextInt(-100, 300);
      if (delayMicros > 0) {
        LockSupport.parkNanos(delayMicros * 1_000L);
        if (Thread.interrupted()) {
          close.run();
          throw new InterruptedIOException("open of " + request.url() + " interrupted");
        }
      }
      return new UpstreamConnection() {
        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          if (closed.get()) {
            throw new IOException("closed");
          }
          LockSupport.parkNanos(200_000);
          int n = Math.min(len, 188);
          buf[off] = 0x47;
          for (int i = 1; i < n; i++) {
            buf[off + i] = (byte) 0xFF;
          }
          return n;
        }

        @Override
        public void close() {
          close.run();
        }
      };
    }
  }

  @ParameterizedTest(name = "tuner limit {0}")
  @ValueSource(ints = {1, 2, 3})
  void openConnectionsNeverExceedTheLimitAndOneChannelNeverHasTwo(int limit) throws Exception {
    CountingSource source = new CountingSource(limit);
    Object stops = new Object();
    long[] stopCount = new long[1];
    AtomicInteger started = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    List<Throwable> unexpected = new ArrayList<>();
    try (PlaylistRegistry registry = PlaylistRegistry.builder()
        .upstream(source, (p, s) -> UpstreamTarget.of(URI.create("counting:" + s)))
        .streamGrace(Duration.ZERO)
        .reconnectPolicy(ReconnectPolicy.none())
        .startTimeout(Duration.ofSeconds(10))
        .listener(event -> {
          if (event.type() == RegistryEvent.Type.STREAM_STARTED) {
            started.incrementAndGet();
          } else if (event.type() == RegistryEvent.Type.STREAM_STOPPED) {
            synchronized (stops) {
              stopCount[0]++;
              stops.notifyAll();
            }
          }
        })
        .build()) {
      registry.getOrCreate("p1", id -> PlaylistSettings.withTuners(limit));
      CountDownLatch done = new CountDownLatch(THREADS);
      for (int t = 0; t < THREADS; t++) {
        Thread thread = new Thread(() -> {
          try {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (started.get() < STARTS) {
              String channel = "ch" + random.nextInt(CHANNELS);
              long stopsBefore;
              synchronized (stops) {
                stopsBefore = stopCount[0];
              }
              try (ClientLease lease = registry.acquire("p1", channel)) {
                assertThat(lease.streamId()).isEqualTo(channel);
              } catch (TunerLimitExceededException refusal) {
                refused.incrementAndGet();
                // Not a fix for a race: a refused thread waits for a tuner to come back instead of
                // spinning, so the starts, not the refusals, get the two cores.
                synchronized (stops) {
                  if (stopCount[0] == stopsBefore) {
                    stops.wait(100);
                  }
                }
              }
            }
          } catch (Throwable e) {
            synchronized (unexpected) {
              unexpected.add(e);
            }
          } finally {
            done.countDown();
          }
        }, "churn-" + t);
        thread.start();
      }
      done.await();
    }
    assertThat(unexpected).isEmpty();
    assertThat(started.get()).isGreaterThanOrEqualTo(STARTS);
    assertThat(source.open.get()).as("connections left open after close").isZero();
    assertThat(source.maxOpen.get()).as("most connections open at once (limit %d, %d opens, %d refusals)",
        limit, source.opens.get(), refused.get()).withFailMessage("over the limit: %s",
        source.overLimit.get()).isLessThanOrEqualTo(limit);
    assertThat(source.maxPerChannel.get()).as("most connections of channel %s open at once",
        source.worstChannel.get()).isEqualTo(1);
  }
}
