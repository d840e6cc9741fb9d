package io.github.buffercore.examples.jdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The JDK stack's request threads: virtual on Java 21+, bounded either way. */
class BlockingExecutorsTest {

  @Test
  void virtualThreadsExactlyWhenTheRuntimeHasThem() throws Exception {
    ExecutorService executor = BlockingExecutors.bounded("test-", 4);
    try {
      CountDownLatch ran = new CountDownLatch(1);
      boolean[] virtual = new boolean[1];
      executor.execute(() -> {
        virtual[0] = Thread.currentThread().toString().startsWith("VirtualThread");
        ran.countDown();
      });
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      boolean java21 = Runtime.version().feature() >= 21;
      assertThat(virtual[0]).isEqualTo(java21);
      assertThat(BlockingExecutors.kind()).isEqualTo(java21 ? "virtual threads" : "platform threads");
    } finally {
      executor.shutdown();
    }
  }

  @Test
  void atMostMaxTasksRunAtOnceAndTheRestWaitTheirTurn() throws Exception {
    ExecutorService executor = BlockingExecutors.bounded("test-", 2);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch twoStarted = new CountDownLatch(2);
    CountDownLatch allDone = new CountDownLatch(3);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    try {
      for (int i = 0; i < 3; i++) {
        executor.execute(() -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          started.incrementAndGet();
          twoStarted.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          running.decrementAndGet();
          allDone.countDown();
        });
      }
      assertThat(twoStarted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(started.get()).as("the third waits while two run").isEqualTo(2);
      release.countDown();
      assertThat(allDone.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(most.get()).isEqualTo(2);
    } finally {
      executor.shutdown();
      assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
