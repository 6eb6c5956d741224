package dev.vane.gateway.state.redis;

import dev.vane.router.FirstExposure;
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
 * the unit's key; when nil, or when its arm equals the replaceable arm, it SETs the candidate with the TTL and reports it
 * created; otherwise it returns the stored arm, re-arming the TTL when less than {@code ttl / 2} remains (a key
 * without a TTL, set by an operator, is left without one). Two instances racing on a new unit therefore agree: Redis
 * runs scripts one at a time.
 *
 * <p>A value is {@code arm@firstExposure}: the arm and the epoch second of the hour in which the claim that stored
 * it was made ({@link dev.vane.router.FirstExposure}), e.g. {@code treatment@1796414400}. A value without {@code @}
 * (set by an operator or an older Vane) is the arm alone, its first exposure unknown; arm ids cannot hold {@code @}.
 */
final class ClaimScript {
  /** Separates the arm from its first exposure in a stored value. */
  static final char STAMP = '@';

  // KEYS[1] key; ARGV[1] candidate; ARGV[2] replaceable or ''; ARGV[3] '1' when ARGV[2] is set; ARGV[4] ttl in ms;
  // ARGV[5] refresh threshold in ms (ttl / 2); ARGV[6] the suffix a new value gets ('@' and the epoch second of its
  // hour, or ''). Returns {winner, 1 when created else 0, remaining ttl in ms or -1, winner's first exposure in
  // epoch seconds or ''}.
  // A write forgets the key in Redis's tracking table, also for the writer (NOLOOP only skips its push), so a
  // script that wrote reads the key again to stay subscribed to its invalidations.
  static final String SOURCE = """
      local v = redis.call('GET', KEYS[1])
      local arm, stamp = v, ''
      if v then
        local at = string.find(v, '@', 1, true)
        if at then
          arm, stamp = string.sub(v, 1, at - 1), string.sub(v, at + 1)
        end
      end
      if (not v) or (ARGV[3] == '1' and arm == ARGV[2]) then
        redis.call('SET', KEYS[1], ARGV[1] .. ARGV[6], 'PX', ARGV[4])
        redis.call('GET', KEYS[1])
        return {ARGV[1], 1, tonumber(ARGV[4]), string.sub(ARGV[6], 2)}
      end
      local pttl = redis.call('PTTL', KEYS[1])
      if pttl >= 0 and pttl < tonumber(ARGV[5]) then
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('GET', KEYS[1])
        pttl = tonumber(ARGV[4])
      end
      return {arm, 0, pttl, stamp}
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
   * {@link IllegalStateException} when the reply is not {@code [arm, created, pttl, firstExposure]}.
   *
   * @param firstExposureMillis when a new value's unit was first exposed (the claim's time; rounded down to the
   *                            hour), or {@link FirstExposure#UNKNOWN} to store the arm alone
   */
  CompletableFuture<Reply> run(RedisLink link, String key, String candidate, String replaceable,
      long firstExposureMillis) {
    String[] keys = {key};
    long hour = FirstExposure.hour(firstExposureMillis);
    String[] args = {candidate, replaceable == null ? "" : replaceable, replaceable == null ? "0" : "1", ttlMillis,
        refreshBelowMillis, hour == FirstExposure.UNKNOWN ? "" : STAMP + Long.toString(hour / 1000)};
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
   * @param arm                 the unit's arm in Redis after the claim
   * @param created             whether this claim wrote it
   * @param pttlMillis          the key's remaining TTL in milliseconds after the claim, or -1 when it has none
   * @param firstExposureMillis the epoch millisecond the value's stamp names, or {@link FirstExposure#UNKNOWN}
   *                            (no stamp, or one that is not a number)
   */
  record Reply(String arm, boolean created, long pttlMillis, long firstExposureMillis) {
    static Reply parse(List<Object> reply) {
      if (reply == null || reply.size() != 4) {
        throw new IllegalStateException("claim script reply: " + reply
            + " (expected: [arm, created, pttl, firstExposure])");
      }
      return new Reply(String.valueOf(reply.get(0)), ((Number) reply.get(1)).longValue() == 1,
          ((Number) reply.get(2)).longValue(), stampMillis(String.valueOf(reply.get(3))));
    }
  }

  /** The epoch millisecond of a stamp (epoch seconds), or {@link FirstExposure#UNKNOWN}. */
  static long stampMillis(String stamp) {
    if (stamp.isEmpty() || stamp.length() > 12) {
      return FirstExposure.UNKNOWN;
    }
    try {
      return FirstExposure.hour(Long.parseLong(stamp) * 1000);
    } catch (NumberFormatException e) {
      return FirstExposure.UNKNOWN;
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
