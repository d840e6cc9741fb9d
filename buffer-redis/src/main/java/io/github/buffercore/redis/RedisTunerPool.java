package io.github.buffercore.redis;

import io.github.buffercore.TunerLimitExceededException;
import io.github.buffercore.TunerPool;
import io.github.buffercore.TunerPoolUnavailableException;
import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TunerPool} shared by every proxy node that points at the same Redis: one slot is one lease
 * in Redis, so N nodes together never hold more than a playlist's tuner limit. Plug it in with
 * {@code PlaylistRegistry.builder().tunerPool(pool)} and close it after the registry.
 *
 * <pre>{@code
 * try (RedisTunerPool pool = RedisTunerPool.builder("redis://127.0.0.1:6379").build();
 *      PlaylistRegistry registry = PlaylistRegistry.builder().tunerPool(pool).build()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>How it keeps the contract of {@link TunerPool} (details in the module's README):
 * <ul>
 *   <li>Acquire, renew and release are each one Lua script, atomic on the server; expiry is decided
 *   by the server's {@code TIME}. A lease lives {@linkplain Builder#leaseTtl(Duration) one TTL}
 *   (15 s by default) and is renewed every TTL/3 while its slot is held; a node that dies loses its
 *   leases within one TTL.</li>
 *   <li>Every lease carries a fencing token, strictly increasing per playlist. A renewal that finds
 *   its lease expired or gone fails, and the slot is reported lost ({@link TunerSlot#onLost}). Locally,
 *   a slot counts as held only until the send time of its last confirmed renewal plus the TTL, by this
 *   process's monotonic clock, so a paused process sees its lease lost the moment it resumes.</li>
 *   <li>Redis unreachable: new slots are refused with {@link TunerPoolUnavailableException}; held
 *   slots keep running until their lease would have expired, then are reported lost.</li>
 *   <li>Redis lost its data (or is new): no slot is granted for one TTL after the loss was first
 *   seen, since leases granted before may still be in use
 *   ({@link LeaseQuarantineException}).</li>
 * </ul>
 *
 * <p>Every node sharing a {@linkplain Builder#keyPrefix(String) key prefix} must use the same lease
 * TTL. Thread-safe.
 */
public final class RedisTunerPool implements TunerPool {

  private static final Logger LOG = LoggerFactory.getLogger(RedisTunerPool.class);

  /** Default lease TTL. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(15);

  /** Default key prefix. */
  public static final String DEFAULT_KEY_PREFIX = "buffer-core:tuners:";

  private static final Duration MIN_LEASE_TTL = Duration.ofMillis(100);
  private static final Duration MAX_COMMAND_TIMEOUT = Duration.ofSeconds(2);
  private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final String redis;
  private final Duration leaseTtl;
  private final long ttlMillis;
  private final long ttlNanos;
  /** How long a slot counts as held after a confirmed send: the TTL less a stop margin. */
  private final long holdNanos;
  private final long heartbeatNanos;
  private final long retryNanos;
  private final Duration commandTimeout;
  private final LeaseKeys keys;
  private final String nodeId;
  private final ClientResources resources;
  private final RedisClient client;
  private final ReentrantLock connectLock = new ReentrantLock();
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile boolean closed;
  private final ScheduledExecutorService timers;
  private final ExecutorService callbacks;
  private final Map<String, RedisTunerSlot> held = new ConcurrentHashMap<>();
  private final AtomicLong leaseSequence = new AtomicLong();
  private final AtomicLong releases = new AtomicLong();
  private final Object releaseSignal = new Object();
  /** The slots' view of this pool, kept off its public API. */
  private final SlotOwner owner = new SlotOwner() {
    @Override
    public long leaseTtlMillis() {
      return ttlMillis;
    }

    @Override
    public void release(RedisTunerSlot slot) {
      RedisTunerPool.this.release(slot);
    }

    @Override
    public void lost(RedisTunerSlot slot, String reason, Consumer<String> action) {
      RedisTunerPool.this.lost(slot, reason, action);
    }
  };

  private RedisTunerPool(Builder builder, RedisURI uri) {
    this.redis = uri.getHost() + ":" + uri.getPort();
    this.leaseTtl = builder.leaseTtl;
    this.ttlMillis = builder.leaseTtl.toMillis();
    this.ttlNanos = builder.leaseTtl.toNanos();
    this.heartbeatNanos = ttlNanos / 3;
    // Give up a slot TTL/10 before the server could hand it to another node, so the stream's
    // upstream is closed by then (a provider counting connections never sees both).
    this.holdNanos = ttlNanos - ttlNanos / 10;
    // After a failed renewal, try again sooner: the lease still has at most two thirds of its TTL.
    this.retryNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), ttlNanos / 10);
    this.commandTimeout = builder.commandTimeout != null ? builder.commandTimeout
        : min(MAX_COMMAND_TIMEOUT, builder.leaseTtl.dividedBy(5));
    this.keys = new LeaseKeys(builder.keyPrefix);
    this.nodeId = builder.nodeId != null ? builder.nodeId : defaultNodeId();
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        // Reconnect quickly: while disconnected every new stream is refused.
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2,
            TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources, uri);
    this.client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // Fail at once while disconnected instead of queueing: the caller must decide now.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).build())
        .build());
    this.timers = Executors.newSingleThreadScheduledExecutor(
        daemon("buffer-redis-heartbeat-" + nodeId));
    this.callbacks = Executors.newSingleThreadExecutor(daemon("buffer-redis-lost-" + nodeId));
  }

  /**
   * Starts a builder for a pool on the Redis at {@code redisUri}.
   *
   * @param redisUri for example {@code redis://127.0.0.1:6379} or {@code redis://:password@host:6379/0}
   * @return a builder with the defaults (TTL 15 s, prefix {@value #DEFAULT_KEY_PREFIX})
   * @throws NullPointerException if {@code redisUri} is {@code null}
   */
  public static Builder builder(String redisUri) {
    return new Builder(Objects.requireNonNull(redisUri, "redisUri"));
  }

  /**
   * Returns the lease TTL of this pool.
   *
   * @return the lease TTL
   */
  public Duration leaseTtl() {
    return leaseTtl;
  }

  /**
   * Returns the id this node writes into its lease ids (and logs).
   *
   * @return the node id
   */
  public String nodeId() {
    return nodeId;
  }

  /**
   * Returns the prefix of every key this pool writes.
   *
   * @return the key prefix
   */
  public String keyPrefix() {
    return keys.prefix();
  }

  /**
   * Returns the Redis server this pool uses, as {@code host:port} (never a password).
   *
   * @return the server
   */
  public String redis() {
    return redis;
  }

  /**
   * Returns how many slots this pool holds right now (held, not yet released or lost).
   *
   * @return the number of held slots
   */
  public int heldSlots() {
    return held.size();
  }

  /**
   * Takes one lease for {@code request.streamId()}; while every slot is taken, checks again (at once
   * after a release on this node, every 100 ms otherwise) until {@code request.maxWait()} has passed.
   *
   * @param request the playlist, stream, limit and longest wait
   * @return the held slot; its lease is renewed until it is closed or lost
   * @throws TunerLimitExceededException if every slot stayed taken; names the holders' streams
   * @throws TunerPoolUnavailableException if Redis is unreachable, did not answer in time, or lost its
   *     data less than one TTL ago ({@link LeaseQuarantineException}); nothing is held
   * @throws InterruptedException if interrupted; nothing is held
   */
  @Override
  public TunerSlot acquire(TunerRequest request) throws InterruptedException {
    Objects.requireNonNull(request, "request");
    String playlistId = request.playlistId();
    String streamId = request.streamId();
    long waitUntil = System.nanoTime() + request.maxWait().toNanos();
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("Interrupted while acquiring a tuner of playlist '"
            + playlistId + "' for stream '" + streamId + "'");
      }
      long releasesSeen = releases.get();
      String leaseId = nodeId + ":" + leaseSequence.incrementAndGet();
      RedisAsyncCommands<String, String> commands = commands(playlistId, streamId);
      // The lease's local deadline counts from here, after any (first) connect: the server starts
      // the lease's TTL no earlier than it receives the script, which is after this instant.
      long sent = System.nanoTime();
      List<Object> reply = call(playlistId, streamId, leaseId, commands, request.tunerLimit());
      long code = LeaseScripts.asLong(reply.get(0));
      if (code == 1) {
        return granted(playlistId, streamId, leaseId, LeaseScripts.asLong(reply.get(1)), sent);
      }
      long now = System.nanoTime();
      if (code == 2) {
        long leftMillis = LeaseScripts.asLong(reply.get(1));
        LeaseQuarantineException quarantine = new LeaseQuarantineException(redis,
            Instant.ofEpochMilli(LeaseScripts.asLong(reply.get(2))), Duration.ofMillis(leftMillis));
        if (now + TimeUnit.MILLISECONDS.toNanos(leftMillis) - waitUntil > 0) {
          // INFO: the caller (the registry) logs the refusal itself, with this as its cause.
          LOG.info("Refused a tuner of playlist {} for stream {} on node {}: {}",
              playlistId, streamId, nodeId, quarantine.getMessage());
          throw new TunerPoolUnavailableException(playlistId, streamId, quarantine);
        }
        LOG.info("Waiting {} ms for a tuner of playlist {} for stream {} on node {}: {}",
            leftMillis, playlistId, streamId, nodeId, quarantine.getMessage());
        TimeUnit.MILLISECONDS.sleep(leftMillis + 1);
        continue;
      }
      if (now - waitUntil >= 0) {
        List<String> holders = new ArrayList<>();
        List<String> leases = new ArrayList<>(); // lease ids start with their node's id
        for (int i = 2; i + 1 < reply.size(); i += 2) {
          holders.add(String.valueOf(reply.get(i)));
          leases.add(String.valueOf(reply.get(i + 1)));
        }
        LOG.info("Every tuner of playlist {} is leased in Redis {} (limit {}, streams {}, leases {});"
            + " refused stream {} on node {}", playlistId, redis, request.tunerLimit(), holders,
            leases, streamId, nodeId);
        throw new TunerLimitExceededException(playlistId, streamId, request.tunerLimit(), holders);
      }
      awaitRelease(releasesSeen, Math.min(MAX_POLL_NANOS, waitUntil - now));
    }
  }

  private RedisAsyncCommands<String, String> commands(String playlistId, String streamId) {
    if (closed) {
      throw new TunerPoolUnavailableException(playlistId, streamId,
          new IllegalStateException("the Redis tuner pool of node " + nodeId + " is closed"));
    }
    StatefulRedisConnection<String, String> current = connection;
    if (current != null) {
      return current.async();
    }
    connectLock.lock();
    try {
      if (connection == null) {
        // Connect on first use, so a node can start while Redis is down and refuse streams meanwhile;
        // once connected, Lettuce reconnects by itself.
        connection = client.connect(StringCodec.UTF8);
        LOG.info("Tuner pool of node {} connected to Redis {} (lease TTL {} ms, key prefix '{}')",
            nodeId, redis, ttlMillis, keys.prefix());
      }
      return connection.async();
    } catch (RedisException e) {
      LOG.info("Tuner pool of node {} cannot connect to Redis {}; refusing stream {} of playlist {}:"
          + " {}", nodeId, redis, streamId, playlistId, e.toString());
      throw new TunerPoolUnavailableException(playlistId, streamId, e);
    } finally {
      connectLock.unlock();
    }
  }

  private List<Object> call(String playlistId, String streamId, String leaseId,
      RedisAsyncCommands<String, String> commands, int limit) throws InterruptedException {
    CompletableFuture<List<Object>> reply;
    try {
      reply = LeaseScripts.acquire(commands, keys.forAcquire(playlistId), leaseId, streamId,
          Integer.toString(limit), Long.toString(ttlMillis), Long.toString(LeaseKeys.FENCE_TTL_MS));
    } catch (RedisException e) {
      throw unavailable(playlistId, streamId, e);
    }
    try {
      return reply.get(waitMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      releaseIfGranted(playlistId, leaseId, reply);
      throw e;
    } catch (ExecutionException e) {
      releaseIfGranted(playlistId, leaseId, reply);
      throw unavailable(playlistId, streamId, e.getCause() != null ? e.getCause() : e);
    } catch (TimeoutException e) {
      releaseIfGranted(playlistId, leaseId, reply);
      throw unavailable(playlistId, streamId, e);
    }
  }

  private TunerPoolUnavailableException unavailable(String playlistId, String streamId,
      Throwable cause) {
    // INFO: the caller (the registry) logs the refusal itself, with this as its cause.
    LOG.info("Redis {} could not decide a tuner of playlist {} for stream {} on node {}; refusing"
        + " it: {}", redis, playlistId, streamId, nodeId, cause.toString());
    return new TunerPoolUnavailableException(playlistId, streamId, cause);
  }

  /**
   * An acquire whose answer we stopped waiting for may still have been granted; its lease id is ours
   * alone, so releasing it is safe whatever the outcome.
   */
  private void releaseIfGranted(String playlistId, String leaseId,
      CompletableFuture<List<Object>> reply) {
    reply.whenComplete((answer, failure) -> {
      boolean granted = answer != null && LeaseScripts.asLong(answer.get(0)) == 1;
      if (granted || failure != null) {
        StatefulRedisConnection<String, String> current = connection;
        if (current != null && !closed) {
          LeaseScripts.release(current.async(), keys.forLease(playlistId), leaseId)
              .whenComplete((released, error) -> {
                if (error != null) {
                  // The refusal that follows is the one line at WARN for this event.
                  LOG.debug("Could not remove the unconfirmed tuner lease {} of playlist {} from"
                      + " Redis {}; it expires within {} ms: {}", leaseId, playlistId, redis,
                      ttlMillis, error.toString());
                }
              });
        }
      }
    });
  }

  private TunerSlot granted(String playlistId, String streamId, String leaseId, long token,
      long sent) {
    RedisTunerSlot slot = new RedisTunerSlot(owner, playlistId, streamId, leaseId, token,
        sent + holdNanos);
    held.put(leaseId, slot);
    LOG.info("Tuner lease {} of playlist {} taken for stream {} in Redis {} (fencing token {}, TTL"
        + " {} ms)", leaseId, playlistId, streamId, redis, token, ttlMillis);
    try {
      slot.watchdog(timers.schedule(() -> watch(slot), holdNanos, TimeUnit.NANOSECONDS));
      slot.heartbeat(timers.schedule(() -> renew(slot), heartbeatNanos, TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      // The pool was closed while this acquire ran: the lease cannot be kept alive.
      slot.close();
      throw new TunerPoolUnavailableException(playlistId, streamId, e);
    }
    return slot;
  }

  private void renew(RedisTunerSlot slot) {
    if (!slot.isHeld()) {
      return;
    }
    long sent = System.nanoTime();
    CompletableFuture<List<Object>> reply;
    try {
      StatefulRedisConnection<String, String> current = connection;
      reply = LeaseScripts.renew(current.async(), keys.forLease(slot.playlistId()),
          slot.leaseId(), Long.toString(ttlMillis));
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    try {
      reply.orTimeout(waitMillis(), TimeUnit.MILLISECONDS)
          .whenCompleteAsync((answer, failure) -> renewed(slot, sent, answer, failure), timers);
    } catch (RejectedExecutionException e) {
      LOG.debug("Tuner pool of node {} closed; lease {} no longer renewed", nodeId, slot.leaseId());
    }
  }

  private void renewed(RedisTunerSlot slot, long sent, List<Object> answer, Throwable failure) {
    if (slot.state().phase() != RedisTunerSlot.Phase.HELD) {
      return;
    }
    if (failure != null) {
      long leftMillis = TimeUnit.NANOSECONDS.toMillis(
          slot.state().deadlineNanos() - System.nanoTime());
      LOG.warn("Could not renew tuner lease {} of playlist {} (stream {}) in Redis {}; the stream"
          + " keeps it for at most {} ms more: {}", slot.leaseId(), slot.playlistId(),
          slot.streamId(), redis, Math.max(0, leftMillis), failure.toString());
      schedule(slot, retryNanos);
      return;
    }
    long code = LeaseScripts.asLong(answer.get(0));
    if (code == 1) {
      slot.extendTo(sent + holdNanos);
      LOG.debug("Renewed tuner lease {} of playlist {} (stream {})", slot.leaseId(),
          slot.playlistId(), slot.streamId());
      schedule(slot, heartbeatNanos);
    } else if (code == -1) {
      slot.lose("Redis " + redis + " found it expired when renewing it (server time "
          + Instant.ofEpochMilli(LeaseScripts.asLong(answer.get(1))) + " passed); it is fenced off");
    } else {
      slot.lose("it is gone from Redis " + redis + " (taken over after expiry, or Redis lost its"
          + " data); it is fenced off");
    }
  }

  private void schedule(RedisTunerSlot slot, long delayNanos) {
    try {
      slot.heartbeat(timers.schedule(() -> renew(slot), delayNanos, TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      LOG.debug("Tuner pool of node {} closed; lease {} no longer renewed", nodeId, slot.leaseId());
    }
  }

  /** Fires at the slot's deadline; reports it lost unless a renewal moved the deadline meanwhile. */
  private void watch(RedisTunerSlot slot) {
    RedisTunerSlot.State state = slot.state();
    if (state.phase() != RedisTunerSlot.Phase.HELD) {
      return;
    }
    long left = state.deadlineNanos() - System.nanoTime();
    if (left > 0) {
      try {
        slot.watchdog(timers.schedule(() -> watch(slot), left, TimeUnit.NANOSECONDS));
      } catch (RejectedExecutionException e) {
        LOG.debug("Tuner pool of node {} closed; lease {} no longer watched", nodeId,
            slot.leaseId());
      }
      return;
    }
    slot.isHeld(); // past the deadline: reports the loss
  }

  /** Called once by the slot whose compare-and-set made it lost. */
  private void lost(RedisTunerSlot slot, String reason, Consumer<String> action) {
    held.remove(slot.leaseId());
    LOG.warn("{}", reason); // the reason names the lease, token, playlist and stream
    signalRelease();
    if (action == null) {
      return;
    }
    Runnable run = () -> {
      try {
        slot.runLossAction(action, reason);
      } catch (RuntimeException e) {
        LOG.error("The loss action of tuner lease {} of playlist {} (stream {}) failed",
            slot.leaseId(), slot.playlistId(), slot.streamId(), e);
      }
    };
    try {
      callbacks.execute(run);
    } catch (RejectedExecutionException e) {
      // Closing: the callback thread is gone, run it here rather than never.
      run.run();
    }
  }

  /** Called once by the slot whose compare-and-set closed it while held. */
  private void release(RedisTunerSlot slot) {
    held.remove(slot.leaseId());
    // The caller is often a pump thread that was interrupted to stop its upstream: the release must
    // still reach Redis (bounded by the command timeout), so the flag is set aside and restored.
    boolean interrupted = Thread.interrupted();
    try {
      StatefulRedisConnection<String, String> current = connection;
      List<Object> answer = LeaseScripts.release(current.async(),
          keys.forLease(slot.playlistId()), slot.leaseId()).get(waitMillis(), TimeUnit.MILLISECONDS);
      LOG.info("Tuner lease {} of playlist {} released by stream {}{}", slot.leaseId(),
          slot.playlistId(), slot.streamId(),
          LeaseScripts.asLong(answer.get(0)) == 1 ? "" : " (it was already gone from Redis)");
    } catch (InterruptedException e) {
      interrupted = true;
      LOG.warn("Interrupted while releasing tuner lease {} of playlist {} (stream {}); it expires in"
          + " Redis within {} ms", slot.leaseId(), slot.playlistId(), slot.streamId(), ttlMillis);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      LOG.warn("Could not release tuner lease {} of playlist {} (stream {}) in Redis {}; it expires"
          + " there within {} ms: {}", slot.leaseId(), slot.playlistId(), slot.streamId(), redis,
          ttlMillis, cause.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      signalRelease();
    }
  }

  private void signalRelease() {
    synchronized (releaseSignal) {
      releases.incrementAndGet();
      releaseSignal.notifyAll();
    }
  }

  private void awaitRelease(long releasesSeen, long nanos) throws InterruptedException {
    long until = System.nanoTime() + nanos;
    synchronized (releaseSignal) {
      for (long left = nanos; left > 0 && releases.get() == releasesSeen;
          left = until - System.nanoTime()) {
        TimeUnit.NANOSECONDS.timedWait(releaseSignal, left);
      }
    }
  }

  private long waitMillis() {
    // Lettuce times the command out itself; this only bounds a wait that Lettuce never ends.
    return commandTimeout.toMillis() * 2 + 100;
  }

  /**
   * Closes the connection and the heartbeat threads. Slots still held can no longer be renewed, so
   * they are reported lost now (their leases expire in Redis within one TTL).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (RedisTunerSlot slot : List.copyOf(held.values())) {
      slot.lose("its tuner pool on node " + nodeId + " was closed while it was held");
    }
    timers.shutdownNow();
    callbacks.shutdown();
    try {
      if (!callbacks.awaitTermination(commandTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("Loss actions of tuner pool node {} still running at close", nodeId);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connectLock.lock();
    try {
      StatefulRedisConnection<String, String> current = connection;
      if (current != null) {
        current.close();
      }
    } finally {
      connectLock.unlock();
    }
    client.shutdown(Duration.ZERO, commandTimeout);
    resources.shutdown(0, commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("Tuner pool of node {} on Redis {} closed", nodeId, redis);
  }

  @Override
  public String toString() {
    return "RedisTunerPool[node=" + nodeId + ", redis=" + redis + ", ttl=" + ttlMillis + "ms, prefix="
        + keys.prefix() + ", held=" + held.size() + "]";
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String defaultNodeId() {
    return "node-" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Configures a {@link RedisTunerPool}. Not thread-safe. */
  public static final class Builder {

    private final String redisUri;
    private Duration leaseTtl = DEFAULT_LEASE_TTL;
    private Duration commandTimeout;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private String nodeId;

    private Builder(String redisUri) {
      this.redisUri = redisUri;
    }

    /**
     * Sets how long a lease lives without renewal: a crashed node's slots return within this time,
     * and a node cut off from Redis stops its streams after it. Renewed every TTL/3. Default 15 s.
     * Every node sharing a key prefix must use the same TTL.
     *
     * @param ttl at least 100 ms
     * @return this builder
     * @throws IllegalArgumentException if {@code ttl} is shorter than 100 ms
     */
    public Builder leaseTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.compareTo(MIN_LEASE_TTL) < 0) {
        throw new IllegalArgumentException("leaseTtl must be at least " + MIN_LEASE_TTL.toMillis()
            + " ms but was " + ttl.toMillis() + " ms (Redis " + redisUri + ")");
      }
      this.leaseTtl = ttl;
      return this;
    }

    /**
     * Sets how long one Redis command may take before the pool gives up on it (refusing a new stream,
     * or retrying a renewal). Default: TTL/5, at most 2 s. At most TTL/3.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder commandTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("commandTimeout must be positive but was " + timeout
            + " (Redis " + redisUri + ")");
      }
      this.commandTimeout = timeout;
      return this;
    }

    /**
     * Sets the prefix of every key the pool writes. Default {@value #DEFAULT_KEY_PREFIX}. Nodes that
     * share a limit share a prefix; different prefixes are independent pools on one Redis.
     *
     * @param prefix non-empty
     * @return this builder
     * @throws IllegalArgumentException if empty
     */
    public Builder keyPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("keyPrefix must not be empty (Redis " + redisUri + ")");
      }
      this.keyPrefix = prefix;
      return this;
    }

    /**
     * Sets the id this node writes into its lease ids and logs. Default: {@code node-<pid>-<random>}.
     * Must be unique among the nodes sharing a prefix.
     *
     * @param id non-empty, without whitespace
     * @return this builder
     * @throws IllegalArgumentException if empty or containing whitespace
     */
    public Builder nodeId(String id) {
      Objects.requireNonNull(id, "id");
      if (id.isEmpty() || id.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("nodeId must be non-empty without whitespace but was '"
            + id + "' (Redis " + redisUri + ")");
      }
      this.nodeId = id;
      return this;
    }

    /**
     * Builds the pool. It connects on first use, so it builds while Redis is down.
     *
     * @return the pool
     * @throws IllegalArgumentException if the URI is not a Redis URI, or the command timeout is more
     *     than a third of the lease TTL
     */
    public RedisTunerPool build() {
      RedisURI uri;
      try {
        uri = RedisURI.create(redisUri);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("Not a Redis URI: '" + redisUri
            + "' (expected redis://host:port)", e);
      }
      if (commandTimeout != null && commandTimeout.compareTo(leaseTtl.dividedBy(3)) > 0) {
        throw new IllegalArgumentException("commandTimeout " + commandTimeout.toMillis()
            + " ms must be at most a third of the lease TTL " + leaseTtl.toMillis() + " ms (Redis "
            + redisUri + ")");
      }
      return new RedisTunerPool(this, uri);
    }
  }
}
