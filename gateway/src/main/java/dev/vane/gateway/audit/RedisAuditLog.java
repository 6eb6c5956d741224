package dev.vane.gateway.audit;

import dev.vane.gateway.configstore.RedisCalls;
import dev.vane.gateway.state.redis.RedisKeys;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The audit log as the Redis stream {@code vane:{config}:audit}, shared by every instance: {@code XADD} with
 * {@code MAXLEN ~ maxEntries} (Redis trims whole nodes, so a few more entries may stay), read with {@code XRANGE}
 * from {@code since} (a stream id is Redis's time in milliseconds when the entry was added, so {@code since} is
 * compared with that, not with the entry's {@code time}) or {@code XREVRANGE} for the newest. Redis assigns every
 * id (an entry's own id is ignored). Fields that are null are not stored and read back as null.
 */
public final class RedisAuditLog implements AuditLog {
  private final RedisCalls redis;
  private final int maxEntries;

  private RedisAuditLog(String uri, int maxEntries, Duration timeout) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
    }
    this.maxEntries = maxEntries;
    this.redis = new RedisCalls(uri, timeout);
  }

  /**
   * A log on {@code uri} (connected on first use), keeping about the newest {@code maxEntries}.
   *
   * @param timeout how long any call may take, connect included
   */
  public static RedisAuditLog of(String uri, int maxEntries, Duration timeout) {
    return new RedisAuditLog(uri, maxEntries, timeout);
  }

  @Override
  public CompletionStage<Void> append(AuditEntry e) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("time", e.time().toString());
    body.put("actor", e.actor());
    put(body, "address", e.address());
    body.put("action", e.action());
    put(body, "target", e.target());
    if (e.version() != null) {
      body.put("version", Long.toString(e.version()));
    }
    body.put("status", Integer.toString(e.status()));
    put(body, "message", e.message());
    put(body, "diff", e.diff());
    XAddArgs args = XAddArgs.Builder.maxlen(maxEntries).approximateTrimming();
    return redis.call("appending to the audit log", c -> c.xadd(RedisKeys.audit(), args, body))
        .thenApply(id -> null);
  }

  private static void put(Map<String, String> body, String name, String value) {
    if (value != null) {
      body.put(name, value);
    }
  }

  @Override
  public CompletionStage<List<AuditEntry>> read(Instant since, int limit) {
    if (limit <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    if (since == null) {
      return redis.call("reading the audit log", c -> c.xrevrange(RedisKeys.audit(), Range.unbounded(),
          Limit.from(limit))).thenApply(newestFirst -> {
            List<AuditEntry> out = new ArrayList<>(newestFirst.size());
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
              out.add(entry(newestFirst.get(i)));
            }
            return out;
          });
    }
    Range<String> from = Range.from(Range.Boundary.including(Long.toString(Math.max(0, since.toEpochMilli()))),
        Range.Boundary.unbounded());
    return redis.call("reading the audit log", c -> c.xrange(RedisKeys.audit(), from, Limit.from(limit)))
        .thenApply(messages -> messages.stream().map(RedisAuditLog::entry).toList());
  }

  private static AuditEntry entry(StreamMessage<String, String> m) {
    Map<String, String> f = m.getBody();
    String version = f.get("version");
    return new AuditEntry(m.getId(), Instant.parse(f.get("time")), f.get("actor"), f.get("address"),
        f.get("action"), f.get("target"), version == null ? null : Long.valueOf(version),
        Integer.parseInt(f.getOrDefault("status", "0")), f.get("message"), f.get("diff"));
  }

  @Override
  public String describe() {
    return "redis " + redis.shownUri() + " (stream " + RedisKeys.audit() + ", about " + maxEntries + " entries)";
  }

  @Override
  public void close() {
    redis.close();
  }
}
