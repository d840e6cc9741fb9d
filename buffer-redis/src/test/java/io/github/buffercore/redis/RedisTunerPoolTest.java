package io.github.buffercore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerPoolUnavailableException;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The pool against a real redis-server: limits, waiting, heartbeat, fencing, data loss, outage. */
class RedisTunerPoolTest {

  static final Duration TTL = Duration.ofMillis(1000);
  static final Duration NO_WAIT = Duration.ZERO;

  private RedisServer redis;
  private String prefix;
  private final List<RedisTunerPool> pools = new ArrayList<>();

  @BeforeEach
  void startRedis(TestInfo test) {
    redis = RedisServer.start();
    prefix = "test:" + test.getTestMethod().orElseThrow().getName() + ":";
  }

  @AfterEach
  void stopAll() {
    pools.forEach(RedisTunerPool::close);
    redis.close();
  }

  private RedisTunerPool pool(String node) {
    RedisTunerPool pool = RedisTunerPool.builder(redis.uri()).leaseTtl(TTL).nodeId(node)
        .keyPrefix(prefix).build();
    pools.add(pool);
    return pool;
  }

  /**
   * Marks this Redis's lease data as begun long ago, so tests that are not about a new or restarted
   * Redis need not wait out the one-TTL quarantine (which {@link #aNewRedisGrantsNothingForOneTtl}
   * covers).
   */
  private void settled() {
    redis.inspect().set(prefix + "epoch", "0");
  }

  private static TunerRequest request(String stream, int limit, Duration wait) {
    return new TunerRequest("provider", stream, limit, wait);
  }

  @Test
  void grantsUpToTheLimitThenRefusesNamingTheHolders() throws Exception {
    settled();
    RedisTunerPool a = pool("node-a");
    RedisTunerPool b = pool("node-b");
    TunerSlot first = a.acquire(request("ch-1", 2, NO_WAIT));
    TunerSlot second = b.acquire(request("ch-2", 2, NO_WAIT));

    TunerLimitExceededException refusal = catchThrowableOfType(
        () -> a.acquire(request("ch-3", 2, NO_WAIT)), TunerLimitExceededException.class);
    assertThat(refusal.playlistId()).isEqualTo("provider");
    assertThat(refusal.streamId()).isEqualTo("ch-3");
    assertThat(refusal.tunerLimit()).isEqualTo(2);
    assertThat(refusal.activeStreams()).containsExactlyInAnyOrder("ch-1", "ch-2");
    assertThat(refusal.getMessage()).contains("provider", "ch-3", "ch-1", "ch-2");

    assertThat(first.isHeld()).isTrue();
    assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
    assertThat(redis.validLeases(prefix, "provider")).isEqualTo(2);
    assertThat(first.playlistId()).isEqualTo("provider");
    assertThat(first.streamId()).isEqualTo("ch-1");
  }

  @Test
  void releaseIsIdempotentAndFreesTheSlotForAnotherNode() throws Exception {
    settled();
    RedisTunerPool a = pool("node-a");
    RedisTunerPool b = pool("node-b");
    TunerSlot held = a.acquire(request("ch-1", 1, NO_WAIT));
    held.close();
    held.close();
    assertThat(held.isHeld()).isFalse();
    assertThat(a.heldSlots()).isZero();

    TunerSlot next = b.acquire(request("ch-2", 1, NO_WAIT));
    held.close(); // a late third close must not touch the new holder's lease
    assertThat(next.isHeld()).isTrue();
    assertThat(redis.validLeases(prefix, "provider")).isEqualTo(1);
    assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());

    AtomicBoolean ran = new AtomicBoolean();
    held.onLost(reason -> ran.set(true));
    assertThat(ran).as("a closed slot never runs a loss action").isFalse();
  }

  @Test
  void aWaitingAcquireTakesASlotReleasedMeanwhile() throws Exception {
    settled();
    RedisTunerPool a = pool("node-a");
    RedisTunerPool b = pool("node-b");
    TunerSlot held = a.acquire(request("ch-1", 1, NO_WAIT));
    ExecutorService waiter = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch asking = new CountDownLatch(1);
      Future<TunerSlot> waiting = waiter.submit(() -> {
        asking.countDown();
        return b.acquire(request("ch-2", 1, Duration.ofSeconds(30)));
      });
      asking.await();
      assertThat(waiting.isDone()).isFalse();
      held.close();
      TunerSlot taken = waiting.get(30, TimeUnit.SECONDS);
      assertThat(taken.isHeld()).isTrue();
      assertThat(taken.streamId()).isEqualTo("ch-2");
    } finally {
      waiter.shutdownNow();
    }
  }

  @Test
  void theHeartbeatKeepsALeaseAliveForSeveralTtls() throws Exception {
    settled();
    RedisTunerPool a = pool("node-a");
    long start = System.nanoTime();
    RedisTunerSlot held = (RedisTunerSlot) a.acquire(request("ch-1", 1, NO_WAIT));
    String leases = prefix + "playlist:provider:leases";
    double expiry = redis.inspect().zscore(leases, held.leaseId());
    // Each renewal moves the server-side expiry forward; wait for four of them.
    for (int renewals = 0; renewals < 4; renewals++) {
      double before = expiry;
      expiry = awaitValue(() -> redis.inspect().zscore(leases, held.leaseId()), v -> v > before,
          "lease " + held.leaseId() + " renewed");
    }
    assertThat(System.nanoTime() - start).isGreaterThan(TTL.toNanos());
    assertThat(held.isHeld()).isTrue();
    assertThat(redis.validLeases(prefix, "provider")).isEqualTo(1);
    assertThatThrownBy(() -> pool("node-b").acquire(request("ch-2", 1, NO_WAIT)))
        .isInstanceOf(TunerLimitExceededException.class);
  }

  @Test
  void aRenewalThatFindsItsLeaseGoneReportsItLost() throws Exception {
    settled();
    RedisTunerPool a = pool("node-a");
    RedisTunerSlot held = (RedisTunerSlot) a.acquire(request("ch-1", 1, NO_WAIT));
    BlockingQueue<String> lost = new ArrayBlockingQueue<>(2);
    held.onLost(lost::add);
    // Someone removed it (an operator, a flush): the next renewal must not put it back.
    redis.inspect().zrem(prefix + "playlist:provider:leases", held.leaseId());

    String reason = lost.poll(30, TimeUnit.SECONDS);
    assertThat(reason).contains("provider", "ch-1", held.leaseId(), "gone");
    assertThat(held.isHeld()).isFalse();
    assertThat(redis.inspect().zscore(prefix + "playlist:provider:leases", held.leaseId())).isNull();

    TunerSlot next = pool("node-b").acquire(request("ch-2", 1, NO_WAIT));
    held.close(); // a no-op: it must not release the new holder
    assertThat(redis.validLeases(prefix, "provider")).isEqualTo(1);
    assertThat(next.isHeld()).isTrue();
    assertThat(lost).as("the loss action ran once").isEmpty();

    List<String> late = new ArrayList<>();
    TunerSlot other = pool("node-c").acquire(request("ch-3", 2, NO_WAIT));
    other.close();
    other.onLost(late::add);
    assertThat(late).isEmpty();
  }

  @Test
  void aRenewalThatFindsItsLeaseExpiredDoesNotReviveIt() throws Exception {
    settled();
    RedisTunerPool a = pool("node-a");
    RedisTunerSlot held = (RedisTunerSlot) a.acquire(request("ch-1", 1, NO_WAIT));
    BlockingQueue<String> lost = new ArrayBlockingQueue<>(2);
    held.onLost(lost::add);
    // Its server-side expiry passed (as if this node had been paused): it stays dead.
    redis.inspect().zadd(prefix + "playlist:provider:leases", 1.0, held.leaseId());

    String reason = lost.poll(30, TimeUnit.SECONDS);
    assertThat(reason).contains("provider", "ch-1", "expired", "fenced");
    assertThat(redis.inspect().zscore(prefix + "playlist:provider:leases", held.leaseId())).isNull();
    assertThat(redis.validLeases(prefix, "provider")).isZero();
    assertThat(held.isHeld()).isFalse();
  }

  @Test
  void contentionFromThreadsAndTwoNodesNeverExceedsTheLimit() throws Exception {
    settled();
    int limit = 3;
    List<RedisTunerPool> nodes = List.of(pool("node-a"), pool("node-b"));
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger maxHolding = new AtomicInteger();
    AtomicLong granted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    Map<String, Throwable> untyped = new ConcurrentHashMap<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong maxValid = new AtomicLong();
    AtomicLong samples = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (running.get()) {
        maxValid.accumulateAndGet(redis.validLeases(prefix, "provider"), Math::max);
        samples.incrementAndGet();
      }
    });
    sampler.start();
    int threadsPerNode = 4;
    ExecutorService workers = Executors.newFixedThreadPool(threadsPerNode * nodes.size());
    List<Future<?>> done = new ArrayList<>();
    for (int n = 0; n < nodes.size(); n++) {
      for (int t = 0; t < threadsPerNode; t++) {
        RedisTunerPool node = nodes.get(n);
        String stream = "ch-" + n + "-" + t;
        done.add(workers.submit(() -> {
          for (int i = 0; i < 120; i++) {
            Duration wait = Duration.ofMillis(ThreadLocalRandom.current().nextInt(0, 30));
            TunerSlot slot;
            try {
              slot = node.acquire(request(stream, limit, wait));
            } catch (TunerLimitExceededException expected) {
              refused.incrementAndGet();
              continue;
            } catch (Throwable other) {
              untyped.put(stream + "#" + i, other);
              continue;
            }
            granted.incrementAndGet();
            int now = holding.incrementAndGet();
            maxHolding.accumulateAndGet(now, Math::max);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(
                ThreadLocalRandom.current().nextInt(1, 5))); // the stream runs a little while
            holding.decrementAndGet();
            slot.close();
          }
          return null;
        }));
      }
    }
    for (Future<?> future : done) {
      future.get(60, TimeUnit.SECONDS);
    }
    workers.shutdown();
    running.set(false);
    sampler.join();

    assertThat(untyped).as("every refusal is a TunerLimitExceededException").isEmpty();
    assertThat(maxHolding.get()).as("slots held at once").isEqualTo(limit);
    assertThat(maxValid.get()).as("valid leases in Redis at any sampled moment").isLessThanOrEqualTo(limit);
    assertThat(samples.get()).isPositive();
    assertThat(granted.get()).isPositive();
    assertThat(refused.get()).as("the limit was contended").isPositive();
    assertThat(redis.validLeases(prefix, "provider")).isZero();
  }

  @Test
  void aNewRedisGrantsNothingForOneTtl() throws Exception {
    RedisTunerPool a = pool("node-a");
    Throwable refusal = catchThrowable(() -> a.acquire(request("ch-1", 1, NO_WAIT)));
    assertThat(refusal).isInstanceOf(TunerPoolUnavailableException.class)
        .hasMessageContaining("provider").hasMessageContaining("ch-1");
    assertThat(refusal.getCause()).isInstanceOf(LeaseQuarantineException.class);
    LeaseQuarantineException quarantine = (LeaseQuarantineException) refusal.getCause();
    assertThat(quarantine.remaining()).isPositive().isLessThanOrEqualTo(TTL);
    assertThat(redis.validLeases(prefix, "provider")).isZero();

    TunerSlot slot = a.acquire(request("ch-1", 1, TTL.multipliedBy(3))); // waits the quarantine out
    assertThat(slot.isHeld()).isTrue();
  }

  @Test
  void aRedisRestartLosesEveryLeaseAndGrantsNothingWhileTheOldOnesMayLive() throws Exception {
    settled();
    RedisTunerPool a = pool("node-a");
    RedisTunerPool b = pool("node-b");
    TunerSlot held = a.acquire(request("ch-1", 1, NO_WAIT));
    AtomicLong lostAt = new AtomicLong();
    BlockingQueue<String> lost = new ArrayBlockingQueue<>(2);
    held.onLost(reason -> {
      lostAt.set(System.nanoTime());
      lost.add(reason);
    });
    assertThatThrownBy(() -> b.acquire(request("ch-2", 1, NO_WAIT)))
        .isInstanceOf(TunerLimitExceededException.class);

    redis.kill();
    Throwable down = catchThrowable(() -> b.acquire(request("ch-2", 1, NO_WAIT)));
    assertThat(down).as("Redis down: fail closed, typed").isInstanceOf(TunerPoolUnavailableException.class)
        .hasMessageContaining("provider").hasMessageContaining("ch-2");
    assertThat(down.getCause()).isNotNull();

    redis.restart(); // empty: the lease of ch-1 is gone
    String reason = lost.poll(30, TimeUnit.SECONDS);
    assertThat(reason).as("the old holder learns its lease is gone").contains("provider", "ch-1");
    assertThat(held.isHeld()).isFalse();

    TunerSlot next = b.acquire(request("ch-2", 1, TTL.multipliedBy(5)));
    long grantedAt = System.nanoTime();
    assertThat(lostAt.get()).as("the old slot was given up before the new one was granted")
        .isLessThan(grantedAt);
    assertThat(next.isHeld()).isTrue();
    assertThat(next.fencingToken()).as("tokens keep increasing across the data loss")
        .isGreaterThan(held.fencingToken());
    assertThat(redis.validLeases(prefix, "provider")).isEqualTo(1);
  }

  @Test
  void whileRedisIsDownNewStreamsAreRefusedAndHeldSlotsEndAtTheirDeadline() throws Exception {
    settled();
    RedisTunerPool a = pool("node-a");
    TunerSlot held = a.acquire(request("ch-1", 2, NO_WAIT));
    BlockingQueue<String> lost = new ArrayBlockingQueue<>(2);
    held.onLost(lost::add);
    redis.kill();

    String reason = lost.poll(30, TimeUnit.SECONDS);
    assertThat(reason).contains("provider", "ch-1", "not renewed within the lease TTL");
    assertThat(held.isHeld()).isFalse();
    Throwable refusal = catchThrowable(() -> a.acquire(request("ch-2", 2, Duration.ofMillis(200))));
    assertThat(refusal).isInstanceOf(TunerPoolUnavailableException.class)
        .hasMessageContaining("ch-2");
    held.close(); // never throws, even with Redis gone
  }

  @Test
  void keysLiveNoLongerThanTheirLeases() throws Exception {
    settled();
    RedisTunerPool a = pool("node-a");
    TunerSlot slot = a.acquire(request("ch-1", 2, NO_WAIT));
    String base = prefix + "playlist:provider:";
    assertThat(redis.inspect().pttl(base + "leases")).isBetween(1L, TTL.toMillis());
    assertThat(redis.inspect().pttl(base + "holders")).isBetween(1L, TTL.toMillis());
    assertThat(redis.inspect().pttl(base + "fence")).isBetween(1L, LeaseKeys.FENCE_TTL_MS);
    slot.close();
    assertThat(redis.inspect().exists(base + "leases", base + "holders")).isZero();
    assertThat(redis.inspect().keys(prefix + "*"))
        .containsExactlyInAnyOrder(prefix + "epoch", base + "fence");
  }

  @Test
  void badConfigurationIsRefusedNamingTheValue() {
    assertThatThrownBy(() -> RedisTunerPool.builder("not a uri").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a uri");
    assertThatThrownBy(() -> RedisTunerPool.builder(redis.uri()).leaseTtl(Duration.ofMillis(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 ms");
    assertThatThrownBy(() -> RedisTunerPool.builder(redis.uri()).leaseTtl(Duration.ofSeconds(3))
        .commandTimeout(Duration.ofSeconds(2)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2000 ms");
    assertThatThrownBy(() -> RedisTunerPool.builder(redis.uri()).nodeId("a b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a b'");
  }

  @Test
  void aPoolStartedWhileRedisIsDownRefusesTypedAndWorksOnceItIsUp() throws Exception {
    redis.kill();
    RedisTunerPool a = pool("node-a");
    assertThatThrownBy(() -> a.acquire(request("ch-1", 1, NO_WAIT)))
        .isInstanceOf(TunerPoolUnavailableException.class).hasMessageContaining("ch-1");
    redis.restart();
    TunerSlot slot = a.acquire(request("ch-1", 1, TTL.multipliedBy(3)));
    assertThat(slot.isHeld()).isTrue();
  }

  private static <T extends Throwable> T catchThrowableOfType(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Class<T> type) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(type);
    return type.cast(thrown);
  }

  static <T> T awaitValue(java.util.concurrent.Callable<T> read,
      java.util.function.Predicate<T> until, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      T value = read.call();
      if (value != null && until.test(value)) {
        return value;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what + "; last value " + value);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling Redis, not fixing a race
    }
  }
}
