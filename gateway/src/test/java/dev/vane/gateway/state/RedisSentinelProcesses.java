package dev.vane.gateway.state;

import java.util.ArrayList;
import java.util.List;

/**
 * A real Sentinel setup on loopback ports: one primary, one replica ({@code --replicaof}) and three sentinels
 * ({@code redis-server <conf> --sentinel}) monitoring it as {@value #MASTER} with a quorum of 2,
 * {@code down-after-milliseconds 1000} and {@code failover-timeout 3000}, so a killed primary's replica is promoted
 * within a few seconds. {@link #close()} kills every process and deletes their directories.
 */
public final class RedisSentinelProcesses implements AutoCloseable {
  public static final String MASTER = "vane-primary";

  private final List<RedisServerProcess> data = new ArrayList<>();
  private final List<RedisServerProcess> sentinels = new ArrayList<>();

  private RedisSentinelProcesses() {}

  /** Starts the primary, its replica and three sentinels, and waits until every sentinel sees both and the others. */
  public static RedisSentinelProcesses start() {
    RedisSentinelProcesses s = new RedisSentinelProcesses();
    try {
      RedisServerProcess primary = RedisServerProcess.start();
      s.data.add(primary);
      RedisServerProcess replica = RedisServerProcess.start(RedisServerProcess.freePort(), "--replicaof",
          "127.0.0.1", Integer.toString(primary.port()));
      s.data.add(replica);
      String conf = """
          sentinel monitor %1$s 127.0.0.1 %2$d 2
          sentinel down-after-milliseconds %1$s 1000
          sentinel failover-timeout %1$s 3000
          sentinel parallel-syncs %1$s 1
          """.formatted(MASTER, primary.port());
      for (int i = 0; i < 3; i++) {
        s.sentinels.add(RedisServerProcess.startWithConfig(RedisServerProcess.freePort(), conf, "--sentinel"));
      }
      RedisClusterProcesses.await(() -> ((String) replica.call("INFO", "replication"))
          .contains("master_link_status:up"), () -> "replica not synced");
      for (RedisServerProcess sentinel : s.sentinels) {
        RedisClusterProcesses.await(() -> {
          String info = (String) sentinel.call("INFO", "sentinel");
          return info.contains("status=ok") && info.contains("slaves=1") && info.contains("sentinels=3");
        }, () -> "sentinel " + sentinel.port() + ": " + sentinel.call("INFO", "sentinel"));
      }
      return s;
    } catch (RuntimeException | Error e) {
      s.close();
      throw e;
    }
  }

  /** {@code redis-sentinel://127.0.0.1:<port>,...#vane-primary}: Lettuce's Sentinel URI. */
  public String uri() {
    StringBuilder sb = new StringBuilder("redis-sentinel://");
    for (int i = 0; i < sentinels.size(); i++) {
      sb.append(i > 0 ? "," : "").append("127.0.0.1:").append(sentinels.get(i).port());
    }
    return sb.append('#').append(MASTER).toString();
  }

  /** The data node the sentinels name as the primary now. */
  public RedisServerProcess primary() {
    for (RedisServerProcess sentinel : sentinels) {
      if (!sentinel.running()) {
        continue;
      }
      List<?> addr = (List<?>) sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER);
      int port = Integer.parseInt((String) addr.get(1));
      return data.stream().filter(n -> n.port() == port).findFirst()
          .orElseThrow(() -> new IllegalStateException("unknown primary " + addr));
    }
    throw new IllegalStateException("no sentinel running");
  }

  /**
   * Requires {@code password} on both data nodes from now on (the replica and the sentinels are told it first, so
   * replication and monitoring go on); the sentinels themselves stay without one.
   */
  public void requirePassword(String password) {
    for (RedisServerProcess sentinel : sentinels) {
      sentinel.call("SENTINEL", "SET", MASTER, "auth-pass", password);
    }
    for (RedisServerProcess node : data) {
      node.call("CONFIG", "SET", "masterauth", password);
    }
    for (RedisServerProcess node : data) {
      node.call("CONFIG", "SET", "requirepass", password);
    }
  }

  /**
   * Kills (SIGKILL) the primary and returns it once the sentinels have promoted the replica and it answers as a
   * primary.
   */
  public RedisServerProcess killPrimary() {
    RedisServerProcess victim = primary();
    victim.stop();
    RedisClusterProcesses.await(() -> {
      RedisServerProcess now = primary();
      return now != victim && ((String) now.call("INFO", "replication")).contains("role:master");
    }, () -> "no replica promoted: " + sentinels.get(0).call("INFO", "sentinel"));
    return victim;
  }

  @Override
  public void close() {
    sentinels.forEach(RedisServerProcess::close);
    data.forEach(RedisServerProcess::close);
  }
}
