package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Distinct-unit counting against a real redis-server. */
class RedisFiguresTest {
  @Test
  void warmUnitsCostNoFurtherPfaddAndNewOnesAreStillCounted() throws Exception {
    VaneConfig cfg = new ConfigLoader().parse("""
        endpoints: [ { id: a, url: "http://127.0.0.1:1" }, { id: b, url: "http://127.0.0.1:2" } ]
        routes: [ { pathPrefix: /, experiment: e } ]
        experiments:
          - { id: e, variants: [ { id: a, endpoint: a, weight: 5000 }, { id: b, endpoint: b, weight: 5000 } ] }
        """, "test");
    ExperimentCounters es = new ExperimentCounters(cfg.routing().experiment("e"), Instant.now());
    String key = RedisKeys.armUnits("e", es.version(), "a");
    try (RedisServerProcess redis = RedisServerProcess.start();
        RedisFigures figures = new RedisFigures(redis.uri(), Duration.ofMillis(20), Duration.ofMillis(200))) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        figures.track(Map.of("e", es));
        for (int i = 0; i < 300; i++) {
          figures.unit(es, "a", "user-" + i);
        }
        Eventually.await(Duration.ofSeconds(5), () -> c.sync().pfcount(key) == 300, () -> "pfcount " + c.sync().pfcount(key));
        long pfadds = pfaddCalls(c);
        for (int round = 0; round < 3; round++) {
          for (int i = 0; i < 300; i++) {
            figures.unit(es, "a", "user-" + i);
          }
          Thread.sleep(60); // three flush intervals
        }
        assertEquals(pfadds, pfaddCalls(c), "users already counted send nothing more");
        figures.unit(es, "a", "user-300");
        Eventually.await(Duration.ofSeconds(5), () -> c.sync().pfcount(key) == 301, () -> "pfcount " + c.sync().pfcount(key));
        assertEquals(pfadds + 1, pfaddCalls(c));
      } finally {
        client.shutdown();
      }
    }
  }

  private static long pfaddCalls(StatefulRedisConnection<String, String> c) {
    for (String line : c.sync().info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_pfadd:calls=")) {
        return Long.parseLong(line.substring("cmdstat_pfadd:calls=".length(), line.indexOf(',')));
      }
    }
    return 0;
  }
}
