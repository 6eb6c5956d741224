package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisServerProcess;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The redis-stream event sink on a real Redis, through two real gateways: a consumer group reconstructs each arm's
 * exposures and conversions exactly as the results API counts them, and an outage of Redis fails no request, while
 * what the sink cannot keep is dropped and counted.
 */
class EventStreamsRedisTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");

  static final String STREAM = "vane:{e}:events";

  static String yaml(RedisServerProcess redis, String sink) {
    return FeedbackTest.yaml(a.url(), b.url(), "state:\n  redis: { uri: \"" + redis.uri() + "\", flushInterval: 100ms }\n"
        + "observability: { metrics: { authenticate: false } }\n"
        + "events:\n  flushInterval: 50ms\n  sinks:\n    - " + sink + "\n", 5000);
  }

  @Test
  void aConsumerGroupReconstructsEachArmsExposuresAndConversionsExactly() throws Exception {
    RedisServerProcess redis = fx.redis();
    String yaml = yaml(redis, "{ type: redis-stream, maxLen: 100000 }");
    Gateway g1 = fx.gateway(yaml, Stores::forConfig);
    Gateway g2 = fx.gateway(yaml, Stores::forConfig);
    List<String> rids = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Gateway g = i % 2 == 0 ? g1 : g2;
      Harness.Reply r = h.send(g.port(), HttpMethod.POST, "/v2/models/m/infer",
          Map.of("X-User-Id", "user-" + (i % 150), "X-Region", i % 4 == 0 ? "eu" : "us"), Buffer.buffer("{}"));
      assertEquals(200, r.status());
      rids.add(r.header("X-Request-Id"));
    }
    Thread.sleep(300); // attributions are shared through Redis with the next flush (as FeedbackRedisTest)
    JsonArray events = new JsonArray();
    for (int i = 0; i < rids.size(); i += 3) {
      events.add(FeedbackTest.event(rids.get(i), "click-" + i, "click", i % 2 == 0 ? 1 : 0));
      events.add(FeedbackTest.event(rids.get(i), "rev-" + i, "revenue", i % 7));
    }
    JsonObject fb = h.send(g2.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
        Buffer.buffer(new JsonObject().put("events", events).encode())).json();
    assertEquals(events.size(), fb.getInteger("accepted"), fb.encodePrettily());
    h.send(g1.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
        Buffer.buffer(new JsonObject().put("events", events).encode())); // all duplicates: no events

    // the results API sums both instances' figures once they are flushed
    JsonObject[] results = new JsonObject[1];
    Eventually.await(Duration.ofSeconds(20), () -> {
      results[0] = h.get(g1.adminPort(), "/v1/experiments/e/results").json();
      long exposures = 0;
      for (Object o : results[0].getJsonArray("arms")) {
        exposures += ((JsonObject) o).getLong("exposures");
      }
      return exposures == 400 && revenueCount(results[0]) == events.size() / 2;
    }, () -> "results: " + results[0]);
    fx.close(g1); // each instance drains its queue to Redis as it closes
    fx.close(g2);

    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> r = c.sync();
      r.xgroupCreate(XReadArgs.StreamOffset.from(STREAM, "0"), "analysts", XGroupCreateArgs.Builder.mkstream());
      Map<String, Long> exposures = new HashMap<>();
      Map<String, Long> clicks = new HashMap<>();
      Map<String, Double> revenue = new HashMap<>();
      Map<String, Long> revenueCount = new HashMap<>();
      Set<String> seen = new HashSet<>();
      while (true) {
        List<StreamMessage<String, String>> batch = r.xreadgroup(Consumer.from("analysts", "c1"),
            XReadArgs.Builder.count(100), XReadArgs.StreamOffset.lastConsumed(STREAM));
        if (batch.isEmpty()) {
          break;
        }
        for (StreamMessage<String, String> m : batch) {
          Map<String, String> f = m.getBody();
          assertEquals("1", f.get("v"));
          assertEquals("e", f.get("experiment"));
          String arm = f.get("arm");
          if (f.get("kind").equals("exposure")) {
            assertTrue(seen.add(f.get("requestId")), "one entry per exposure");
            exposures.merge(arm, 1L, Long::sum);
          } else if (f.get("metric").equals("click")) {
            clicks.merge(arm, Boolean.parseBoolean(f.get("counted")) ? 1L : 0L, Long::sum);
          } else {
            revenue.merge(arm, Double.parseDouble(f.get("value")), Double::sum);
            revenueCount.merge(arm, 1L, Long::sum);
          }
          r.xack(STREAM, "analysts", m.getId());
        }
      }
      assertEquals(0, r.xpending(STREAM, "analysts").getCount(), "every entry acknowledged");
      for (String arm : List.of("a", "b")) {
        JsonObject res = FeedbackTest.arm(results[0], arm);
        assertEquals(res.getLong("exposures"), exposures.get(arm), "exposures of " + arm);
        JsonObject click = metric(res, "click");
        assertEquals(click.getLong("successes"), clicks.get(arm), "clicks of " + arm);
        JsonObject rev = metric(res, "revenue");
        assertEquals(rev.getLong("count"), revenueCount.get(arm), "revenue events of " + arm);
        assertEquals(rev.getDouble("mean"), revenue.get(arm) / revenueCount.get(arm), 1e-9, "mean revenue of " + arm);
      }
    } finally {
      client.shutdown();
    }
  }

  @Test
  void anOutageOfRedisFailsNoRequestAndTheExcessIsDroppedAndCounted() throws Exception {
    RedisServerProcess redis = fx.redis();
    Gateway g = fx.gateway(yaml(redis, "{ type: redis-stream, retryBuffer: 20 }"), Stores::forConfig);
    int sent = 0;
    for (int i = 0; i < 100; i++, sent++) {
      assertEquals(200, h.post(g.port(), "/v2/models/m/infer", "user-" + i, "{}").status());
    }
    Eventually.await(Duration.ofSeconds(20), () -> written(g) == 100, () -> "written: " + scrape(g));
    redis.stop();
    for (int i = 0; i < 100; i++, sent++) {
      assertEquals(200, h.post(g.port(), "/v2/models/m/infer", "user-" + i, "{}").status(), "request during outage");
    }
    // the retry buffer keeps 20 of the 100; the other 80 are dropped once the writer has seen them
    Eventually.await(Duration.ofSeconds(20), () -> dropped(g) == 80, () -> "dropped: " + scrape(g));
    redis.restart();
    for (int i = 0; i < 100; i++, sent++) {
      assertEquals(200, h.post(g.port(), "/v2/models/m/infer", "user-" + i, "{}").status(), "request after outage");
    }
    // every exposure is accounted for: written (the kept ones after the reconnect) or dropped (the 80 of the outage,
    // and any that met a full retry buffer while the link was reconnecting)
    int total = sent;
    Eventually.await(Duration.ofSeconds(30), () -> written(g) + dropped(g) == total && queued(g) == 0,
        () -> "after restart: " + scrape(g));
    long written = written(g);
    assertTrue(dropped(g) >= 80, "dropped: " + dropped(g));
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      // the restarted server kept no data (no persistence in tests): it holds exactly what was written after it
      assertEquals(written - 100, c.sync().xlen(STREAM), "entries written after the restart");
    } finally {
      client.shutdown();
    }
  }

  private static long revenueCount(JsonObject results) {
    long n = 0;
    for (Object o : results.getJsonArray("arms")) {
      n += metric((JsonObject) o, "revenue").getLong("count");
    }
    return n;
  }

  private static JsonObject metric(JsonObject arm, String name) {
    return arm.getJsonArray("metrics").stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("metric").equals(name)).findFirst().orElseThrow();
  }

  private static String scrape(Gateway g) {
    return h.get(g.adminPort(), "/metrics").body().toString();
  }

  private static long written(Gateway g) {
    return (long) MetricsEndpointTest.value(scrape(g),
        "vane_events_written_total{kind=\"exposure\",sink=\"redis-stream\"}");
  }

  private static long queued(Gateway g) {
    return (long) MetricsEndpointTest.value(scrape(g), "vane_events_queued");
  }

  private static long dropped(Gateway g) {
    return (long) MetricsEndpointTest.value(scrape(g),
        "vane_events_dropped_total{kind=\"exposure\",sink=\"redis-stream\"}");
  }
}
