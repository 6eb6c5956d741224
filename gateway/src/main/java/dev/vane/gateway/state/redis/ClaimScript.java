package dev.vane.gateway.state.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The sticky store's first-write-wins claim: one Lua script, sent with EVALSHA and, on NOSCRIPT, with EVAL. It GETs
 * the unit's key; when nil, or equal to the replaceable arm, it SETs the candidate with the TTL and reports it
 * created; otherwise it returns the stored arm, re-arming the TTL when less than {@code ttl / 2} remains (a key
 * without a TTL, set by an operator, is left without one). Two instances racing on a new unit therefore agree: Redis
 * runs scripts one at a time.
 */
final class ClaimScript {
  // KEYS[1] key; ARGV[1] candidate; ARGV[2] replaceable or ''; ARGV[3] '1' when ARGV[2] is set; ARGV[4] ttl in ms;
  // ARGV[5] refresh threshold in ms (ttl / 2). Returns {winner, 1 when created else 0, remaining ttl in ms or -1}.
  // A write forgets the key in Redis's tracking table, also for the writer (NOLOOP only skips its push), so a
  // script that wrote reads the key again to stay subscribed to its invalidations.
  static final String SOURCE = """
      local v = redis.call('GET', KEYS[1])
      if (not v) or (ARGV[3] == '1' and v == ARGV[2]) then
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
        redis.call('GET', KEYS[1])
        return {ARGV[1], 1, tonumber(ARGV[4])}
      end
      local pttl = redis.call('PTTL', KEYS[1])
      if pttl >= 0 and pttl < tonumber(ARGV[5]) then
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('GET', KEYS[1])
        pttl = tonumber(ARGV[4])
      end
      return {v, 0, pttl}
      """;
  static final String SHA = sha1Hex(SOURCE);

  private final String ttlMillis;
  private final String refreshBelowMillis;

  /** @param ttl the TTL a claim writes, and re-arms when less than half of it remains */
  ClaimScript(Duration ttl) {
    long millis = ttl.toMillis();
    this.ttlMillis = Long.toString(millis);
    this.refreshBelowMillis = Long.toString(millis / 2);
  }

  /**
   * Claims {@code key} for {@code candidate} (or keeps the stored arm); fails as the command does, or with an
   * {@link IllegalStateException} when the reply is not {@code [arm, created, pttl]}.
   */
  CompletableFuture<Reply> run(RedisLink link, String key, String candidate, String replaceable) {
    String[] keys = {key};
    String[] args = {candidate, replaceable == null ? "" : replaceable, replaceable == null ? "0" : "1", ttlMillis,
        refreshBelowMillis};
    try {
      RedisClusterAsyncCommands<String, String> commands = link.commands();
      return commands.<List<Object>>evalsha(SHA, ScriptOutputType.MULTI, keys, args)
          .toCompletableFuture()
          .exceptionallyCompose(failure -> RedisFailures.unwrap(failure) instanceof RedisNoScriptException
              ? commands.<List<Object>>eval(SOURCE, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
              : CompletableFuture.failedFuture(failure))
          .thenApply(Reply::parse);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The script's answer.
   *
   * @param arm        the unit's arm in Redis after the claim
   * @param created    whether this claim wrote it
   * @param pttlMillis the key's remaining TTL in milliseconds after the claim, or -1 when it has none
   */
  record Reply(String arm, boolean created, long pttlMillis) {
    static Reply parse(List<Object> reply) {
      if (reply == null || reply.size() != 3) {
        throw new IllegalStateException("claim script reply: " + reply + " (expected: [arm, created, pttl])");
      }
      return new Reply(String.valueOf(reply.get(0)), ((Number) reply.get(1)).longValue() == 1,
          ((Number) reply.get(2)).longValue());
    }
  }

  private static String sha1Hex(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
