package dev.vane.gateway.state;

import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A real Redis Cluster of {@code redis-server} processes on loopback ports, formed the way an operator would: every
 * node started with {@code --cluster-enabled yes}, joined with {@code CLUSTER MEET}, the 16384 slots split evenly
 * over the primaries with {@code CLUSTER ADDSLOTSRANGE}, each replica attached with {@code CLUSTER REPLICATE}, and
 * ready once every node says {@code cluster_state:ok} and every replica's link to its primary is up. Node timeout
 * 1000 ms, so a killed primary's replica is promoted within about 2 s; replicas may always fail over
 * ({@code cluster-replica-validity-factor 0}). {@link #close()} kills every process and deletes their directories.
 */
public final class RedisClusterProcesses implements AutoCloseable {
  private static final long FORM_TIMEOUT_MILLIS = 30_000;

  private final List<RedisServerProcess> nodes = new ArrayList<>();
  /** Each node's cluster bus port, by data port. */
  private final java.util.Map<Integer, Integer> busPorts = new java.util.HashMap<>();

  private RedisClusterProcesses() {}

  /** Starts {@code primaries} primaries with {@code replicasEach} replicas each and waits until the cluster is ok. */
  public static RedisClusterProcesses start(int primaries, int replicasEach) {
    RedisClusterProcesses c = new RedisClusterProcesses();
    try {
      for (int i = 0; i < primaries * (1 + replicasEach); i++) {
        c.nodes.add(c.startNode());
      }
      RedisServerProcess first = c.nodes.get(0);
      for (RedisServerProcess n : c.nodes.subList(1, c.nodes.size())) {
        first.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(n.port()),
            Integer.toString(c.busPorts.get(n.port())));
      }
      for (int p = 0; p < primaries; p++) {
        int from = SlotHash.SLOT_COUNT * p / primaries;
        int to = SlotHash.SLOT_COUNT * (p + 1) / primaries - 1;
        c.nodes.get(p).call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(from), Integer.toString(to));
      }
      await(() -> c.nodes.stream().allMatch(n -> ((String) n.call("CLUSTER", "NODES")).lines().count()
          == c.nodes.size()), () -> "nodes did not meet: " + first.call("CLUSTER", "NODES"));
      for (int r = primaries; r < c.nodes.size(); r++) {
        String primaryId = (String) c.nodes.get((r - primaries) % primaries).call("CLUSTER", "MYID");
        c.nodes.get(r).call("CLUSTER", "REPLICATE", primaryId);
      }
      c.awaitOk();
      for (int r = primaries; r < c.nodes.size(); r++) {
        RedisServerProcess replica = c.nodes.get(r);
        await(() -> ((String) replica.call("INFO", "replication")).contains("master_link_status:up"),
            () -> "replica " + replica.port() + " not synced: " + replica.call("INFO", "replication"));
      }
      return c;
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  /**
   * One cluster node on a free port with its cluster bus on another free port ({@code cluster-port}; by default the
   * bus is the port + 10000, which nothing reserved). A port taken between reservation and bind is retried.
   */
  private RedisServerProcess startNode() {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        int bus = RedisServerProcess.freePort();
        RedisServerProcess n = RedisServerProcess.start(RedisServerProcess.freePort(), "--cluster-enabled", "yes",
            "--cluster-port", Integer.toString(bus),
            "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
            "--cluster-replica-validity-factor", "0");
        busPorts.put(n.port(), bus);
        return n;
      } catch (IllegalStateException e) {
        if (e.getMessage() == null || !e.getMessage().contains("Address already in use")) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  /** {@code redis-cluster://127.0.0.1:<port>,...}: Vane's cluster URI with every node as a seed. */
  public String uri() {
    StringBuilder sb = new StringBuilder("redis-cluster://");
    for (RedisServerProcess n : nodes) {
      sb.append(sb.length() > "redis-cluster://".length() ? "," : "").append("127.0.0.1:").append(n.port());
    }
    return sb.toString();
  }

  /** Every node, primaries first as formed (roles change with failovers). */
  public List<RedisServerProcess> nodes() {
    return List.copyOf(nodes);
  }

  /** A running node. */
  public RedisServerProcess anyRunning() {
    return nodes.stream().filter(RedisServerProcess::running).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node running"));
  }

  /** The running node that serves {@code key}'s slot as a primary now, as the cluster itself says. */
  public RedisServerProcess primaryOf(String key) {
    int slot = SlotHash.getSlot(key);
    for (String line : ((String) anyRunning().call("CLUSTER", "NODES")).lines().toList()) {
      String[] f = line.split(" ");
      if (!f[2].contains("master") || f[2].contains("fail")) {
        continue;
      }
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // a slot being imported or migrated
        }
        String[] range = f[i].split("-");
        int from = Integer.parseInt(range[0]);
        int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
        if (slot >= from && slot <= to) {
          int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
          return nodes.stream().filter(n -> n.port() == port && n.running()).findFirst()
              .orElseThrow(() -> new IllegalStateException("slot " + slot + " on a stopped node " + port));
        }
      }
    }
    throw new IllegalStateException("no primary serves slot " + slot);
  }

  /** Runs a command naming {@code key} on the primary of its slot. */
  public Object call(String key, String... command) {
    return primaryOf(key).call(command);
  }

  /**
   * Kills (SIGKILL) the primary of {@code key}'s slot and returns it once a replica has been promoted and every
   * running node says {@code cluster_state:ok} again.
   */
  public RedisServerProcess killPrimaryOf(String key) {
    RedisServerProcess victim = primaryOf(key);
    victim.stop();
    await(() -> {
      try {
        return primaryOf(key) != victim;
      } catch (IllegalStateException notYet) {
        return false;
      }
    }, () -> "no replica promoted for " + key);
    awaitOk();
    return victim;
  }

  /**
   * Moves {@code key}'s slot to another primary as {@code redis-cli --cluster reshard} does: the target
   * {@code IMPORTING}, the source {@code MIGRATING}, the slot's keys moved one {@code MIGRATE} at a time with
   * {@code pauseMillis} between them (so clients meet the slot half moved: ASK redirects, TRYAGAIN for multi-key
   * commands), then {@code SETSLOT NODE} on every primary. Returns the new owner.
   */
  public RedisServerProcess migrateSlotOf(String key, long pauseMillis) {
    String slot = Integer.toString(SlotHash.getSlot(key));
    RedisServerProcess source = primaryOf(key);
    List<RedisServerProcess> primaries = primaries();
    RedisServerProcess target = primaries.stream().filter(n -> n != source).findFirst().orElseThrow();
    String sourceId = (String) source.call("CLUSTER", "MYID");
    String targetId = (String) target.call("CLUSTER", "MYID");
    target.call("CLUSTER", "SETSLOT", slot, "IMPORTING", sourceId);
    source.call("CLUSTER", "SETSLOT", slot, "MIGRATING", targetId);
    while (true) {
      List<?> keys = (List<?>) source.call("CLUSTER", "GETKEYSINSLOT", slot, "1");
      if (keys.isEmpty()) {
        break;
      }
      source.call("MIGRATE", "127.0.0.1", Integer.toString(target.port()), "", "0", "5000", "KEYS",
          (String) keys.get(0));
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    target.call("CLUSTER", "SETSLOT", slot, "NODE", targetId);
    source.call("CLUSTER", "SETSLOT", slot, "NODE", targetId);
    for (RedisServerProcess p : primaries) {
      if (p != source && p != target) {
        p.call("CLUSTER", "SETSLOT", slot, "NODE", targetId);
      }
    }
    await(() -> primaryOf(key) == target, () -> "slot " + slot + " not moved");
    return target;
  }

  /** The running primaries, as the cluster says now. */
  public List<RedisServerProcess> primaries() {
    List<RedisServerProcess> out = new ArrayList<>();
    for (RedisServerProcess n : nodes) {
      if (n.running() && ((String) n.call("INFO", "replication")).contains("role:master")) {
        out.add(n);
      }
    }
    return out;
  }

  /** Waits until every running node says {@code cluster_state:ok}. */
  public void awaitOk() {
    await(() -> nodes.stream().filter(RedisServerProcess::running)
            .allMatch(n -> ((String) n.call("CLUSTER", "INFO")).contains("cluster_state:ok")),
        () -> "cluster not ok: " + anyRunning().call("CLUSTER", "INFO"));
  }

  static void await(BooleanSupplier condition, Supplier<String> failure) {
    long deadline = System.currentTimeMillis() + FORM_TIMEOUT_MILLIS;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // a node not answering yet
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(failure.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void close() {
    for (RedisServerProcess n : nodes) {
      n.close();
    }
  }
}
