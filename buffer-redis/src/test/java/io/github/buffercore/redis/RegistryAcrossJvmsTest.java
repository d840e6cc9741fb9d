package io.github.buffercore.redis;

import static io.github.buffercore.redis.RedisTunerPoolTest.awaitValue;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three proxy nodes, each a separate JVM running a {@code PlaylistRegistry} with a
 * {@link RedisTunerPool} ({@link RegistryNodeMain}), share one account of limit N against one local
 * upstream that counts connections. Each node keeps trying to watch N channels. Then one node is
 * killed with {@code kill -9}, another is paused with SIGSTOP past its TTL and resumed, and Redis is
 * restarted empty. At no moment are more than N upstream connections open (leaving out the frozen
 * sockets of the stopped node while it is stopped) or more than N leases valid in Redis.
 */
class RegistryAcrossJvmsTest {

  static final Duration TTL = Duration.ofMillis(1500);
  static final int LIMIT = 2;

  private RedisServer redis;
  private CountingUpstream upstream;
  private final List<ChildJvm> nodes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    redis.inspect().set(RedisTunerPool.DEFAULT_KEY_PREFIX + "epoch", "0"); // no quarantine to wait
    upstream = new CountingUpstream();
  }

  @AfterEach
  void stop() throws Exception {
    nodes.forEach(ChildJvm::close);
    upstream.close();
    redis.close();
  }

  private ChildJvm node(String name) {
    ChildJvm node = ChildJvm.start(name, RegistryNodeMain.class, redis.uri(),
        Long.toString(TTL.toMillis()), upstream.base(), name, Integer.toString(LIMIT),
        Integer.toString(LIMIT), "90");
    nodes.add(node);
    return node;
  }

  @Test
  void threeNodesNeverOpenMoreThanTheLimitThroughAKillAndAPause() throws Exception {
    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicLong maxValidLeases = new AtomicLong();
    Thread sampler = new Thread(() -> {
      try (RedisServer.Inspector inspector = redis.inspector()) {
        while (sampling.get()) {
          try {
            maxValidLeases.accumulateAndGet(
                inspector.validLeases(RedisTunerPool.DEFAULT_KEY_PREFIX, "provider"), Math::max);
          } catch (io.lettuce.core.RedisException restarting) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // Redis is being restarted
          }
        }
      }
    }, "lease-sampler");
    sampler.start();
    try {
      for (String name : List.of("node-a", "node-b", "node-c")) {
        node(name);
      }
      // Contention: N streams play, and the nodes that hold fewer keep being refused.
      awaitValue(upstream::open, open -> open == LIMIT, LIMIT + " upstream connections");
      awaitValue(() -> nodes.stream().mapToLong(n -> count(n, "REFUSED ")).sum(), r -> r >= 2,
          "refusals while the limit is taken");
      assertThat(upstream.maxOpenExcluding()).as("upstream connections at once").isEqualTo(LIMIT);

      // kill -9 a node holding a stream: its slots return within TTL + 1 s.
      ChildJvm victim = nodes.stream().max(Comparator.comparingInt(n -> upstream.openOf(name(n))))
          .orElseThrow();
      assertThat(upstream.openOf(name(victim))).isPositive();
      long killedAt = System.nanoTime();
      victim.kill();
      nodes.remove(victim);
      awaitValue(() -> upstream.openExcept(name(victim)), open -> open == LIMIT,
          "the survivors holding every slot");
      long returnedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      System.out.printf("kill -9 of %s: its slots in use again after %d ms (TTL %d ms)%n",
          name(victim), returnedMillis, TTL.toMillis());
      assertThat(returnedMillis).as("ms until the killed node's slots were used again")
          .isLessThanOrEqualTo(TTL.toMillis() + 1000);
      // The upstream sees a dead socket only at its next failed write, on its own thread.
      awaitValue(() -> upstream.openOf(name(victim)), open -> open == 0,
          "the kernel closed the dead node's sockets");
      assertThat(upstream.maxOpenExcluding()).isLessThanOrEqualTo(LIMIT);

      // SIGSTOP a node holding a stream past its TTL; the other takes over; SIGCONT.
      ChildJvm paused = nodes.stream().max(Comparator.comparingInt(n -> upstream.openOf(name(n))))
          .orElseThrow();
      ChildJvm other = nodes.stream().filter(n -> n != paused).findFirst().orElseThrow();
      int pausedStreams = upstream.openOf(name(paused));
      assertThat(pausedStreams).isPositive();
      // Pause it while it is delivering: bytes must be flowing to its viewers.
      long readsBefore = count(paused, "READ ");
      awaitValue(() -> count(paused, "READ "), reads -> reads >= readsBefore + 3,
          "the node to be paused delivering bytes");
      paused.signal("STOP");
      awaitValue(paused::isStopped, stopped -> stopped, "every thread of the paused node stopped");
      // Its sockets stay open in the kernel while it is stopped, and what the upstream sends from
      // now on is marked late: the node can read it only after SIGCONT, when its slots are gone.
      upstream.frozen(name(paused));
      awaitValue(() -> upstream.openOf(name(other)), open -> open == LIMIT,
          "the running node taking over the paused node's slots");
      paused.signal("CONT");
      awaitValue(() -> upstream.openOf(name(paused)), open -> open == 0,
          "the resumed node closing its upstreams");
      upstream.frozen("");
      awaitValue(() -> count(paused, "ENDED "), ended -> ended >= pausedStreams,
          "the resumed node ending its fenced streams");
      // What the node received before it stopped, while it held the slot, may still reach its
      // viewers after SIGCONT (readers drain what was published before a stream ends); what it
      // received while stopped must not: its writer sees the slot's local deadline passed.
      List<String> lateReads = paused.lines().stream().filter(l -> l.startsWith("READ "))
          .filter(l -> Long.parseLong(l.split(" ")[4]) > 0).toList();
      assertThat(lateReads).as("reads of bytes the paused node received while stopped, "
          + "after its slots were taken over").isEmpty();
      assertThat(paused.lines()).filteredOn(l -> l.startsWith("ENDED "))
          .anySatisfy(l -> assertThat(l).contains("tuner slot was lost"));
      // It keeps asking, and is refused: the running node holds every slot.
      long refusedBefore = count(paused, "REFUSED ");
      awaitValue(() -> count(paused, "REFUSED "), r -> r > refusedBefore, "a refusal after resume");

      // Redis restarted empty: every holder finds its lease gone and stops; nothing is granted for
      // one TTL (leases it forgot may live that long); then N streams play again.
      long endedBefore = nodes.stream().mapToLong(n -> count(n, "ENDED ")).sum();
      int acceptedBefore = upstream.accepted();
      redis.kill();
      redis.restart();
      awaitValue(() -> nodes.stream().mapToLong(n -> count(n, "ENDED ")).sum(),
          ended -> ended >= endedBefore + LIMIT, "every stream ending after the restart");
      // The old streams' sockets may still count for a tick after ENDED (the upstream sees a closed
      // socket only at its next write): "playing again" needs N connections opened since the restart.
      awaitValue(() -> upstream.accepted() - acceptedBefore >= LIMIT && upstream.open() == LIMIT,
          again -> again, "N streams playing again on new connections");

      assertThat(upstream.maxOpenExcluding()).as("upstream connections at once, all phases")
          .isLessThanOrEqualTo(LIMIT);
      assertThat(upstream.open()).isEqualTo(LIMIT);
    } finally {
      sampling.set(false);
      sampler.join();
    }
    assertThat(maxValidLeases.get()).as("valid leases in Redis at any sampled moment")
        .isLessThanOrEqualTo(LIMIT);
    for (ChildJvm node : nodes) {
      node.send("EXIT");
      node.await("BYE"::equals, 20_000, "BYE");
    }
    awaitValue(upstream::open, open -> open == 0, "every upstream closed after the nodes exit");
    assertThat(redis.validLeases(RedisTunerPool.DEFAULT_KEY_PREFIX, "provider")).isZero();
  }

  private static String name(ChildJvm node) {
    return node.name();
  }

  private static long count(ChildJvm node, String prefix) {
    return node.lines().stream().filter(l -> l.startsWith(prefix)).count();
  }
}
