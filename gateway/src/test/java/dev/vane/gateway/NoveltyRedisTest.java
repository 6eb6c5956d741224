package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.gateway.state.redis.RedisSettings;
import dev.vane.gateway.state.redis.RedisStickyStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Days since first exposure across two instances on one real Redis: the instance that first assigned a unit records
 * when, the other counts the unit's later requests from that time, and both instances' counts add up in Redis.
 */
class NoveltyRedisTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();

  @Test
  void aUnitFirstExposedOnOneInstanceIsOnItsThirdDayOnTheOther() throws Exception {
    RedisServerProcess redis = fx.redis();
    String yaml = FeedbackTest.yaml(fx.backend("a").url(), fx.backend("b").url(),
        "state:\n  redis: { uri: \"" + redis.uri() + "\", flushInterval: 100ms }\n", 5000);
    TimeSeriesApiTest.HandClock monday = new TimeSeriesApiTest.HandClock(Instant.parse("2026-03-02T10:00:30Z"));
    TimeSeriesApiTest.HandClock wednesday = new TimeSeriesApiTest.HandClock(Instant.parse("2026-03-04T11:00:00Z"));
    Gateway g1 = start(yaml, monday);
    Gateway g2 = start(yaml, wednesday);
    int units = 60;
    for (int u = 0; u < units; u++) {
      assertEquals(200, h.post(g1.port(), "/v2/models/m/infer", "user-" + u, "{}").status());
    }
    for (int u = 0; u < units; u++) {
      assertEquals(200, h.post(g2.port(), "/v2/models/m/infer", "user-" + u, "{}").status());
    }
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("0", (long) units);
    expected.put("2", (long) units);
    Map<String, Long> seen = Map.of();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline && !seen.equals(expected)) {
      JsonObject results = h.get(g1.adminPort(), "/v1/experiments/e/results").json();
      // a read of Redis that timed out on a busy machine falls back to this instance's figures: look again
      seen = "redis".equals(results.getString("figures")) ? exposuresByDay(results) : Map.of();
      Thread.sleep(50);
    }
    assertEquals(expected, seen, "every unit on day 0 at the first instance and on day 2 at the second");
  }

  private Gateway start(String yaml, TimeSeriesApiTest.HandClock clock) throws Exception {
    return fx.own(Gateway.start(Harness.parse(yaml), cfg -> new RedisStickyStore(
        RedisSettings.of(cfg.state().ttl(), cfg.state().redis()), System::nanoTime, clock::millis),
        ThreadLocalRandom::current, clock).await());
  }

  /** Day → control and treatment exposures that day, from the novelty check of the primary metric. */
  private static Map<String, Long> exposuresByDay(JsonObject results) {
    Map<String, Long> out = new LinkedHashMap<>();
    JsonArray days = results.getJsonObject("novelty").getJsonObject("byTreatment").getJsonObject("b")
        .getJsonArray("byDay");
    for (Object o : days) {
      JsonObject d = (JsonObject) o;
      out.put(d.getString("day"), d.getJsonObject("control").getLong("n") + d.getJsonObject("treatment").getLong("n"));
    }
    return out;
  }
}
