package io.github.buffercore.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The three Lua scripts of the lease protocol (acquire, renew, release), each one atomic step on the
 * server. Expiry is decided with the server's {@code TIME}, never a client clock. Scripts are sent with
 * {@code EVALSHA}; after a {@code NOSCRIPT} answer (a restarted or flushed server) the source is sent
 * once with {@code EVAL}, which also caches it again.
 *
 * <p>Numbers are formatted with {@code %d} before they reach {@code redis.call}, because Lua 5.1 turns a
 * number argument into a string with {@code %.14g}, which would round a 16-digit fencing token.
 */
final class LeaseScripts {

  /** Shared by every script: the server time and the data epoch (created when missing). */
  private static final String PROLOGUE = """
      local t = redis.call('TIME')
      local sec = tonumber(t[1])
      local usec = tonumber(t[2])
      local now = sec * 1000 + math.floor(usec / 1000)
      local epoch = redis.call('GET', KEYS[1])
      if epoch then
        epoch = tonumber(epoch)
      else
        epoch = now
        redis.call('SET', KEYS[1], string.format('%d', now))
      end
      local function keep_alive()
        local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
        if #top == 0 then
          redis.call('DEL', KEYS[3])
          return
        end
        local ms = tonumber(top[2]) - now
        if ms < 1 then ms = 1 end
        redis.call('PEXPIRE', KEYS[2], string.format('%d', ms))
        redis.call('PEXPIRE', KEYS[3], string.format('%d', ms))
      end
      """;

  /**
   * KEYS: epoch, leases, holders, fence. ARGV: lease id, stream id, limit, ttl ms, fence ttl ms.
   * Returns {1, token, expiry ms} when granted; {0, 0, stream id, lease id, ...} of the valid leases
   * when every slot is taken; {2, quarantine ms left, epoch ms} while leases from before a data loss may live.
   */
  static final String ACQUIRE = PROLOGUE + """
      local limit = tonumber(ARGV[3])
      local ttl = tonumber(ARGV[4])
      if now < epoch + ttl then
        return {2, epoch + ttl - now, epoch}
      end
      local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', string.format('%d', now))
      for _, id in ipairs(expired) do
        redis.call('ZREM', KEYS[2], id)
        redis.call('HDEL', KEYS[3], id)
      end
      if redis.call('ZCARD', KEYS[2]) >= limit then
        local out = {0, 0}
        for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
          local holder = redis.call('HGET', KEYS[3], id)
          if holder then
            out[#out + 1] = string.sub(holder, string.find(holder, ' ', 1, true) + 1)
          else
            out[#out + 1] = id
          end
          out[#out + 1] = id
        end
        return out
      end
      local last = tonumber(redis.call('GET', KEYS[4]) or '0')
      local token = math.max(last + 1, sec * 1000000 + usec)
      local token_text = string.format('%d', token)
      redis.call('SET', KEYS[4], token_text, 'PX', ARGV[5])
      local expiry = now + ttl
      redis.call('ZADD', KEYS[2], string.format('%d', expiry), ARGV[1])
      redis.call('HSET', KEYS[3], ARGV[1], token_text .. ' ' .. ARGV[2])
      keep_alive()
      return {1, token, expiry}
      """;

  /**
   * KEYS: epoch, leases, holders. ARGV: lease id, ttl ms.
   * Returns {1, expiry ms} when renewed; {0, 0} when the lease is gone (released, taken over, or lost
   * with the server's data); {-1, expired at ms} when it had expired (it is removed, never revived).
   */
  static final String RENEW = PROLOGUE + """
      local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
      if not score then
        return {0, 0}
      end
      score = tonumber(score)
      if score <= now then
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        keep_alive()
        return {-1, score}
      end
      local expiry = now + tonumber(ARGV[2])
      redis.call('ZADD', KEYS[2], 'XX', string.format('%d', expiry), ARGV[1])
      keep_alive()
      return {1, expiry}
      """;

  /**
   * KEYS: epoch, leases, holders. ARGV: lease id.
   * Returns {1} when the lease was removed, {0} when it was already gone (release is idempotent).
   */
  static final String RELEASE = PROLOGUE + """
      local removed = redis.call('ZREM', KEYS[2], ARGV[1])
      redis.call('HDEL', KEYS[3], ARGV[1])
      keep_alive()
      return {removed}
      """;

  private static final String ACQUIRE_SHA = sha1(ACQUIRE);
  private static final String RENEW_SHA = sha1(RENEW);
  private static final String RELEASE_SHA = sha1(RELEASE);

  private LeaseScripts() { }

  static CompletableFuture<List<Object>> acquire(RedisAsyncCommands<String, String> redis,
      String[] keys, String... args) {
    return run(redis, ACQUIRE, ACQUIRE_SHA, keys, args);
  }

  static CompletableFuture<List<Object>> renew(RedisAsyncCommands<String, String> redis,
      String[] keys, String... args) {
    return run(redis, RENEW, RENEW_SHA, keys, args);
  }

  static CompletableFuture<List<Object>> release(RedisAsyncCommands<String, String> redis,
      String[] keys, String... args) {
    return run(redis, RELEASE, RELEASE_SHA, keys, args);
  }

  private static CompletableFuture<List<Object>> run(RedisAsyncCommands<String, String> redis,
      String source, String sha, String[] keys, String[] args) {
    CompletableFuture<List<Object>> bySha =
        redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
    return bySha.exceptionallyCompose(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      if (cause instanceof RedisNoScriptException) {
        // The server lost its script cache (restart, SCRIPT FLUSH): send the source once.
        return redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args)
            .toCompletableFuture();
      }
      return CompletableFuture.failedFuture(cause);
    });
  }

  static long asLong(Object value) {
    if (value instanceof Long number) {
      return number;
    }
    return Long.parseLong(String.valueOf(value));
  }

  private static String sha1(String source) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest(source.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException impossible) {
      // Every Java platform must provide SHA-1 (MessageDigest javadoc).
      throw new IllegalStateException("SHA-1 is not available", impossible);
    }
  }
}
