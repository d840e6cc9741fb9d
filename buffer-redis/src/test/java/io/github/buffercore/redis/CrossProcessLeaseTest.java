package io.github.buffercore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool across processes: a node that is killed with {@code kill -9}, and one that is paused with
 * SIGSTOP past its lease TTL and resumed with SIGCONT. Each node is a separate JVM
 * ({@link LeaseHolderMain}) on this test's class path.
 */
class CrossProcessLeaseTest {

  static final Duration TTL = Duration.ofMillis(1500);
  static final String PREFIX = RedisTunerPool.DEFAULT_KEY_PREFIX;

  private RedisServer redis;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeEach
  void startRedis() {
    redis = RedisServer.start();
    redis.inspect().set(PREFIX + "epoch", "0"); // not about a new Redis: no quarantine to wait out
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
    redis.close();
  }

  private ChildJvm node(String nodeId, String playlistId, int limit, int count) {
    ChildJvm child = ChildJvm.start(nodeId, LeaseHolderMain.class, redis.uri(),
        Long.toString(TTL.toMillis()), playlistId, Integer.toString(limit), Integer.toString(count),
        nodeId, "60");
    resources.add(child);
    child.await("READY"::equals, 30_000, "READY");
    return child;
  }

  private RedisTunerPool pool(String nodeId) {
    RedisTunerPool pool = RedisTunerPool.builder(redis.uri()).leaseTtl(TTL).nodeId(nodeId).build();
    resources.add(0, pool); // closed before the children
    return pool;
  }

  @Test
  void theSlotsOfAKilledNodeReturnWithinTheTtlPlusOneSecond() throws Exception {
    ChildJvm victim = node("victim", "provider", 2, 2);
    List<Long> victimTokens = new ArrayList<>();
    for (String line : victim.lines()) {
      if (line.startsWith("HELD ")) {
        victimTokens.add(Long.parseLong(line.split(" ")[2]));
      }
    }
    RedisTunerPool survivor = pool("survivor");
    Throwable refused = catchThrowable(
        () -> survivor.acquire(new TunerRequest("provider", "mine-0", 2, Duration.ZERO)));
    assertThat(refused).isInstanceOf(TunerLimitExceededException.class);
    assertThat(((TunerLimitExceededException) refused).activeStreams())
        .containsExactlyInAnyOrder("victim-s0", "victim-s1");

    long killedAt = System.nanoTime();
    victim.kill();
    List<TunerSlot> taken = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      taken.add(survivor.acquire(new TunerRequest("provider", "mine-" + i, 2,
          TTL.plusSeconds(1))));
    }
    long returnedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    System.out.printf("kill -9: both slots taken again after %d ms (TTL %d ms)%n", returnedAfter,
        TTL.toMillis());

    assertThat(returnedAfter).as("ms until both slots of the killed node were taken again")
        .isLessThanOrEqualTo(TTL.toMillis() + 1000);
    for (TunerSlot slot : taken) {
      assertThat(slot.isHeld()).isTrue();
      assertThat(slot.fencingToken()).isGreaterThan(victimTokens.stream().mapToLong(t -> t).max()
          .orElseThrow());
    }
    assertThat(redis.validLeases(PREFIX, "provider")).isEqualTo(2);
  }

  @Test
  void aNodePausedPastItsTtlFindsItsLeaseFencedAndNeverStreamsAgain() throws Exception {
    ChildJvm paused = node("paused", "provider", 1, 1);
    paused.await(line -> line.startsWith("BYTE paused-s0 "), 10_000, "a first BYTE");
    long pausedToken = Long.parseLong(paused.await(l -> l.startsWith("HELD "), 1000, "HELD")
        .split(" ")[2]);

    paused.signal("STOP");
    RedisTunerPool other = pool("other");
    TunerSlot taken = other.acquire(new TunerRequest("provider", "other-0", 1, TTL.multipliedBy(4)));
    long takenAtMillis = System.currentTimeMillis();
    assertThat(redis.validLeases(PREFIX, "provider")).as("one valid lease: the new one").isEqualTo(1);
    assertThat(taken.fencingToken()).isGreaterThan(pausedToken);

    paused.signal("CONT");
    String lost = paused.await(line -> line.startsWith("LOST paused-s0 "), 10_000, "LOST");
    assertThat(lost).contains("provider", "not renewed within the lease TTL");
    paused.send("EXIT");
    paused.await("BYE"::equals, 10_000, "BYE");
    assertThat(paused.waitForExit(10_000)).isTrue();

    List<String> bytes = paused.lines().stream().filter(l -> l.startsWith("BYTE ")).toList();
    assertThat(bytes).as("it streamed before the pause").isNotEmpty();
    List<String> late = bytes.stream()
        .filter(line -> Long.parseLong(line.split(" ")[2]) >= takenAtMillis).toList();
    assertThat(late).as("bytes sent after its slot was given to another node").isEmpty();

    // Its exit released nothing of the new holder's: fencing by lease id.
    assertThat(taken.isHeld()).isTrue();
    assertThat(redis.validLeases(PREFIX, "provider")).isEqualTo(1);
  }
}
