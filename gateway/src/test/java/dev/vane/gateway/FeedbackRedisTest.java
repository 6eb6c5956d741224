package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.RedisServerProcess;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Feedback across two instances on one real Redis: joined to the right arm, and counted once. */
class FeedbackRedisTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");

  @Test
  void feedbackSentToTheOtherInstanceJoinsTheServingArmAndDuplicatesCountOnce() throws Exception {
    RedisServerProcess redis = fx.redis();
    String yaml = FeedbackTest.yaml(a.url(), b.url(),
        "state:\n  redis: { uri: \"" + redis.uri() + "\", flushInterval: 100ms }\n", 5000);
    Gateway g1 = fx.gateway(yaml, Stores::forConfig);
    Gateway g2 = fx.gateway(yaml, Stores::forConfig);
    Map<String, String> armOf = new HashMap<>();
    List<String> rids = new ArrayList<>();
    for (int u = 0; u < 200; u++) {
      Harness.Reply r = h.post(g1.port(), "/v2/models/m/infer", "user-" + u, "{}");
      armOf.put(r.header("X-Request-Id"), r.header("X-Vane-Variant"));
      rids.add(r.header("X-Request-Id"));
    }
    Thread.sleep(400); // attributions reach Redis with the next flush
    JsonArray events = new JsonArray();
    Map<String, Integer> expected = new HashMap<>();
    for (int i = 0; i < rids.size(); i += 2) {
      events.add(FeedbackTest.event(rids.get(i), "click-" + i, "click", 1));
      expected.merge(armOf.get(rids.get(i)), 1, Integer::sum);
    }
    JsonObject first = h.send(g2.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
        Buffer.buffer(new JsonObject().put("events", events).encode())).json();
    assertEquals(100, first.getInteger("accepted"), first.encodePrettily());
    // the same events again, to both instances: all duplicates
    for (Gateway g : new Gateway[] {g1, g2}) {
      JsonObject again = h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
          Buffer.buffer(new JsonObject().put("events", events).encode())).json();
      assertEquals(0, again.getInteger("accepted"));
      assertEquals(100, again.getInteger("duplicates"));
    }
    // unit-level feedback on the other instance
    JsonObject unit = h.send(g2.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(), Buffer.buffer(new JsonObject()
        .put("unitId", "user-1").put("experiment", "e").put("eventId", "rev-1").put("metric", "revenue")
        .put("value", 3.5).encode())).json();
    assertEquals(1, unit.getInteger("accepted"), unit.encodePrettily());

    long deadline = System.currentTimeMillis() + 10_000;
    Map<String, Long> seen = new HashMap<>();
    while (System.currentTimeMillis() < deadline) {
      JsonObject res = h.get(g1.adminPort(), "/v1/experiments/e/results").json();
      seen.clear();
      for (Object o : res.getJsonArray("arms")) {
        JsonObject arm = (JsonObject) o;
        for (Object m : arm.getJsonArray("metrics")) {
          JsonObject mm = (JsonObject) m;
          if (mm.getString("metric").equals("click")) {
            seen.put(arm.getString("arm"), mm.getLong("successes"));
          }
        }
      }
      if (seen.values().stream().mapToLong(Long::longValue).sum() == 100) {
        break;
      }
      Thread.sleep(100);
    }
    for (var e : expected.entrySet()) {
      assertEquals(e.getValue().longValue(), seen.get(e.getKey()), "clicks of arm " + e.getKey() + ": " + seen);
    }
  }

  @Test
  void anEventWhoseIdCannotBeCheckedIsRefusedForARetryAndThenCountedOnce() throws Exception {
    RedisServerProcess redis = fx.redis();
    String yaml = FeedbackTest.yaml(a.url(), b.url(),
        "state:\n  redis: { uri: \"" + redis.uri() + "\", flushInterval: 100ms, commandTimeout: 200ms }\n", 5000);
    Gateway g = fx.gateway(yaml, Stores::forConfig);
    String rid = h.post(g.port(), "/v2/models/m/infer", "user-1", "{}").header("X-Request-Id");
    String event = new JsonObject().put("events", new JsonArray().add(FeedbackTest.event(rid, "ev-1", "click", 1)))
        .encode();
    redis.stop();
    // the attribution is this instance's own, but the event id cannot be checked across instances: not counted
    // here alone (another instance might count it too), the client is told to send it again
    for (int i = 0; i < 2; i++) {
      JsonObject refused = h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(), Buffer.buffer(event))
          .json();
      assertEquals(0, refused.getInteger("accepted"), refused.encodePrettily());
      JsonObject result = refused.getJsonArray("results").getJsonObject(0);
      assertEquals("deduplication_unavailable", result.getString("code"), refused.encodePrettily());
      assertEquals("rejected", result.getString("status"), refused.encodePrettily());
    }
    // one event alone (not in a batch) is answered with its own status
    Harness.Reply single = h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
        Buffer.buffer(FeedbackTest.event(rid, "ev-1", "click", 1).encode()));
    assertEquals(503, single.status(), single.body().toString());
    redis.restart();
    int accepted = 0;
    long deadline = System.currentTimeMillis() + 15_000;
    while (accepted == 0 && System.currentTimeMillis() < deadline) {
      accepted = h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(), Buffer.buffer(event)).json()
          .getInteger("accepted");
      Thread.sleep(100);
    }
    assertEquals(1, accepted, "the retried event is counted once Redis answers");
    JsonObject again = h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(), Buffer.buffer(event)).json();
    assertEquals(1, again.getInteger("duplicates"), again.encodePrettily());
  }
}
