package dev.vane.gateway.rollout;

import dev.vane.gateway.configstore.RedisCalls;
import dev.vane.gateway.state.redis.RedisKeys;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Rollouts shared by every instance through Redis, each experiment's keys under its hash tag (one slot on a
 * Cluster): {@code vane:{<exp>}:rollout:state} (JSON), {@code :lease} (the leader's id, with a TTL), {@code :fence}
 * (a counter: the fencing token, one more at every change of leader), {@code :history} (a list, newest first, at
 * most {@link #HISTORY}), {@code :commands} (a list of operator commands).
 *
 * <p>Leadership: {@code lead} renews the lease when this owner holds it, or takes it when nobody does and increments
 * the fence; a state is saved only when the fence is still the leader's token, so an old leader that was paused
 * past its lease (GC, network) cannot overwrite its successor's decisions.
 */
final class RedisRolloutStore implements RolloutStore {
  /** KEYS: lease, fence. ARGV: owner, ttl ms. Returns the fence held, or -1 when another owner leads. */
  private static final String LEAD = """
      local holder = redis.call('GET', KEYS[1])
      if holder == ARGV[1] then
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return tonumber(redis.call('GET', KEYS[2]) or '0')
      end
      if holder then
        return -1
      end
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      return redis.call('INCR', KEYS[2])
      """;
  /** KEYS: fence, state. ARGV: token, json. Returns 1 when saved, 0 when fenced out. */
  private static final String SAVE = """
      if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then
        return 0
      end
      redis.call('SET', KEYS[2], ARGV[2])
      return 1
      """;
  /** KEYS: commands. Returns every queued command and empties the list. */
  private static final String TAKE = """
      local all = redis.call('LRANGE', KEYS[1], 0, -1)
      redis.call('DEL', KEYS[1])
      return all
      """;

  private final RedisCalls redis;
  private final String shown;

  RedisRolloutStore(String uri, Duration timeout) {
    this.redis = new RedisCalls(uri, timeout);
    this.shown = redis.shownUri();
  }

  private static String key(String experiment, String kind) {
    return RedisKeys.PREFIX + RedisKeys.tag(experiment) + ":rollout:" + kind;
  }

  @Override
  public CompletionStage<Optional<Long>> lead(String experiment, String owner, Duration ttl) {
    return redis.<Long>call("leading the rollout of " + experiment, c -> c.eval(LEAD, ScriptOutputType.INTEGER,
            new String[] {key(experiment, "lease"), key(experiment, "fence")}, owner, Long.toString(ttl.toMillis())))
        .thenApply(n -> n == null || n < 0 ? Optional.empty() : Optional.of(n));
  }

  @Override
  public CompletionStage<Optional<String>> state(String experiment) {
    return redis.call("reading the rollout of " + experiment, c -> c.get(key(experiment, "state")))
        .thenApply(Optional::ofNullable);
  }

  @Override
  public CompletionStage<Boolean> save(String experiment, long fence, String json) {
    return redis.<Long>call("saving the rollout of " + experiment, c -> c.eval(SAVE, ScriptOutputType.INTEGER,
            new String[] {key(experiment, "fence"), key(experiment, "state")}, Long.toString(fence), json))
        .thenApply(n -> n != null && n == 1);
  }

  @Override
  public CompletionStage<Void> record(String experiment, String json) {
    String k = key(experiment, "history");
    return redis.call("recording a rollout decision of " + experiment,
        c -> c.lpush(k, json).thenCompose(n -> c.ltrim(k, 0, HISTORY - 1))).thenApply(x -> null);
  }

  @Override
  public CompletionStage<List<String>> history(String experiment, int limit) {
    return redis.call("reading the rollout history of " + experiment,
        c -> c.lrange(key(experiment, "history"), 0, limit - 1));
  }

  @Override
  public CompletionStage<Void> command(String experiment, String command) {
    return redis.call("queueing a rollout command for " + experiment,
        c -> c.rpush(key(experiment, "commands"), command)).thenApply(x -> null);
  }

  @Override
  public CompletionStage<List<String>> takeCommands(String experiment) {
    return redis.<List<String>>call("taking the rollout commands of " + experiment,
        c -> c.eval(TAKE, ScriptOutputType.MULTI, key(experiment, "commands")));
  }

  @Override
  public String describe() {
    return "redis " + shown;
  }

  @Override
  public void close() {
    redis.close();
  }
}
