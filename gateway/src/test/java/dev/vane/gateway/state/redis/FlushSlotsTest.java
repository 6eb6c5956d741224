package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.ArmCounters;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.ShadowCounters;
import dev.vane.gateway.feedback.Attribution;
import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisServerProcess;
import io.lettuce.core.cluster.SlotHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every MULTI/EXEC a flush sends touches one Redis Cluster slot: checked on the recorded transactions with the
 * slot function Redis Cluster uses (CRC16 of the hash tag), and against a real one-node Redis Cluster, which refuses
 * a transaction across slots with CROSSSLOT.
 */
class FlushSlotsTest {
  private static final String YAML = """
      endpoints:
        - { id: a, url: "http://127.0.0.1:1" }
        - { id: b, url: "http://127.0.0.1:2" }
        - { id: s, url: "http://127.0.0.1:3" }
      routes:
        - { pathPrefix: /one/, experiment: one }
        - { pathPrefix: /two/, experiment: "two.b" }
      experiments:
        - id: one
          variants:
            - { id: a, endpoint: a, weight: 5000 }
            - { id: b, endpoint: b, weight: 5000 }
          shadows: [ { id: s1, endpoint: s, percent: 100 } ]
          metrics:
            - { name: click, kind: binary, primary: true }
            - { name: revenue, kind: continuous }
          slices:
            - { name: region, header: X-Region, maxValues: 2 }
        - id: "two.b"
          variants:
            - { id: a, endpoint: a, weight: 5000 }
            - { id: b, endpoint: b, weight: 5000 }
      """;

  /** Both experiments with something in every figure family: counters, latency, units, shadows, outcomes, slices. */
  private static Map<String, ExperimentCounters> busyExperiments() throws Exception {
    VaneConfig cfg = new ConfigLoader().parse(YAML, "test");
    Map<String, ExperimentCounters> stats = new LinkedHashMap<>();
    for (String id : List.of("one", "two.b")) {
      ExperimentCounters es = new ExperimentCounters(cfg.routing().experiment(id), cfg.analysis(id), Instant.now());
      es.recordOverride();
      for (Map.Entry<String, ArmCounters> arm : es.arms().entrySet()) {
        for (int i = 0; i < 3; i++) {
          arm.getValue().recordRequest();
        }
        arm.getValue().recordStatus(200);
        arm.getValue().recordLatencyMicros(1_500);
        if (es.outcomes().analysis().metrics().size() > 0) {
          es.outcomes().exposure(arm.getKey(), new String[] {"eu"});
          es.outcomes().outcome(arm.getKey(), new String[] {"eu"}, "click", 1);
          es.outcomes().outcome(arm.getKey(), new String[] {"eu"}, "revenue", 2.5);
        }
      }
      for (ShadowCounters sh : es.shadows().values()) {
        sh.recordMirrored();
        sh.record(true, true, null, false, null, 1_000, 900);
      }
      stats.put(id, es);
    }
    return stats;
  }

  private static void activity(RedisFigures figures, Map<String, ExperimentCounters> stats) {
    figures.track(stats);
    for (ExperimentCounters es : stats.values()) {
      for (String arm : es.arms().keySet()) {
        figures.unit(es, arm, "user-" + arm);
      }
    }
  }

  private static void share(RedisFeedback feedback, long now) {
    for (int h = 0; h < 3; h++) { // three hours' hashes in one flush
      feedback.share("req-" + h, new Attribution("one", "v", "a", now - h * 3_600_000L, new String[0]),
          Duration.ofHours(4));
    }
  }

  @Test
  void everyTransactionOfAFlushTouchesOneSlot() throws Exception {
    Map<String, ExperimentCounters> stats = busyExperiments();
    // nothing listens on port 1: the plan is built without Redis
    try (RedisFigures figures = new RedisFigures("redis://127.0.0.1:1", Duration.ofHours(1), Duration.ofMillis(50));
        RedisFeedback feedback = new RedisFeedback("redis://127.0.0.1:1", Duration.ofHours(1),
            Duration.ofMillis(50))) {
      activity(figures, stats);
      share(feedback, System.currentTimeMillis());
      List<FlushBatch> batches = new ArrayList<>(figures.plan());
      assertEquals(2, batches.size(), "one transaction per experiment");
      Set<String> commands = new HashSet<>();
      for (FlushBatch b : batches) {
        b.writes().forEach(w -> commands.add(w.command()));
      }
      assertEquals(Set.of("HINCRBY", "HINCRBYFLOAT", "HSET", "PFADD", "PEXPIRE"), commands,
          "every kind of figure write (PEXPIRE: the time series' minute and hour rows)");
      List<FlushBatch> attributions = feedback.plan();
      assertEquals(3, attributions.size(), "one transaction per hour's hash");
      batches.addAll(attributions);
      Set<Integer> slotsSeen = new HashSet<>();
      for (FlushBatch b : batches) {
        Set<Integer> slots = new HashSet<>();
        for (FlushBatch.Write w : b.writes()) {
          slots.add(SlotHash.getSlot(w.key()));
        }
        assertEquals(1, slots.size(), "slots of " + b.writes().stream().map(FlushBatch.Write::key).toList());
        slotsSeen.addAll(slots);
      }
      assertTrue(slotsSeen.size() > 1, "transactions are spread over slots: " + slotsSeen);
      for (FlushBatch b : batches.subList(0, 2)) {
        assertTrue(b.tag().equals("{one}") || b.tag().equals("{two.b}"), b.tag());
        assertEquals(SlotHash.getSlot(b.tag()), SlotHash.getSlot(b.writes().get(0).key()), "the experiment's slot");
      }
    }
  }

  @Test
  void aOneNodeRedisClusterTakesEveryFlush() throws Exception {
    Path conf = Files.createTempFile("vane-cluster-", ".conf");
    Files.delete(conf); // Redis creates it
    try (RedisServerProcess redis = RedisServerProcess.start(RedisServerProcess.freePort(), "--cluster-enabled",
        "yes", "--cluster-port", Integer.toString(RedisServerProcess.freePort()), // not the port + 10000
        "--cluster-config-file", conf.toString())) {
      redis.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
      Eventually.await(Duration.ofSeconds(10),
          () -> String.valueOf(redis.call("CLUSTER", "INFO")).contains("cluster_state:ok"),
          () -> String.valueOf(redis.call("CLUSTER", "INFO")));
      Map<String, ExperimentCounters> stats = busyExperiments();
      try (RedisFigures figures = new RedisFigures(redis.uri(), Duration.ofHours(1), Duration.ofMillis(200));
          RedisFeedback feedback = new RedisFeedback(redis.uri(), Duration.ofHours(1), Duration.ofMillis(200))) {
        activity(figures, stats);
        long now = System.currentTimeMillis();
        share(feedback, now);
        figures.flush(); // throws when Redis refuses a transaction (CROSSSLOT aborts it)
        feedback.flush();
        for (int h = 0; h < 3; h++) {
          assertEquals(1L, redis.callLong("HLEN", RedisKeys.attributions(now - h * 3_600_000L)), "hour -" + h);
        }
        assertEquals("3", redis.call("HGET", RedisKeys.armFigures("two.b", stats.get("two.b").version(), "a"),
            "requests"));
        assertEquals(1L, redis.callLong("PFCOUNT", RedisKeys.armUnits("one", stats.get("one").version(), "b")));
      }
    } finally {
      Files.deleteIfExists(conf);
    }
  }
}
