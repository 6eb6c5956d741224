package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Feedback joined to the serving arm, idempotent, per-event answers; results and SRM over HTTP. */
class FeedbackTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");
  Gateway gw;

  static String yaml(String a, String b, String state, int weightA) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes:
          - { pathPrefix: /v2/, experiment: e }
        experiments:
          - id: e
            variants:
              - { id: a, endpoint: a, weight: %d }
              - { id: b, endpoint: b, weight: %d }
            metrics:
              - { name: click, kind: binary, primary: true }
              - { name: revenue, kind: continuous }
            slices:
              - { name: region, header: X-Region, maxValues: 2 }
            attributionWindow: 1h
        """.formatted(a, b, weightA, 10_000 - weightA) + state;
  }

  Harness.Reply feedback(Gateway g, Object body) {
    return h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of("Content-Type", "application/json"),
        Buffer.buffer(body.toString()));
  }

  static JsonObject event(String requestId, String eventId, String metric, Object value) {
    return new JsonObject().put("requestId", requestId).put("eventId", eventId).put("metric", metric)
        .put("value", value);
  }

  static JsonObject arm(JsonObject results, String id) {
    for (Object o : results.getJsonArray("arms")) {
      if (id.equals(((JsonObject) o).getString("arm"))) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError("no arm " + id + " in " + results);
  }

  @Test
  void feedbackJoinsToTheServingArmOnceAndBadEventsAreAnsweredPerEvent() throws Exception {
    gw = fx.gateway(yaml(a.url(), b.url(), "", 5000));
    Harness.Reply r = h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer",
        Map.of("X-User-Id", "alice", "X-Region", "eu"), Buffer.buffer("{}"));
    String rid = r.header("X-Request-Id");
    String arm = r.header("X-Vane-Variant");
    Harness.Reply single = feedback(gw, event(rid, "e1", "click", true));
    assertEquals(200, single.status(), single.body().toString());
    assertEquals(1, single.json().getInteger("accepted"));
    for (int i = 0; i < 3; i++) {
      Harness.Reply dup = feedback(gw, event(rid, "e1", "click", 1));
      assertEquals("duplicate", dup.json().getJsonArray("results").getJsonObject(0).getString("status"));
    }
    JsonArray batch = new JsonArray()
        .add(event(rid, "e2", "revenue", 12.5))
        .add(event("no-such-request", "e3", "click", 1))
        .add(event(rid, "e4", "nope", 1))
        .add(event(rid, "e5", "click", 7))
        .add(new JsonObject().put("requestId", rid).put("metric", "click").put("value", 1))
        .add(new JsonObject().put("unitId", "alice").put("experiment", "e").put("eventId", "e6")
            .put("metric", "revenue").put("value", 7.5))
        .add("not an object");
    JsonObject resp = feedback(gw, new JsonObject().put("events", batch)).json();
    assertEquals(2, resp.getInteger("accepted"), resp.encodePrettily());
    assertEquals(5, resp.getInteger("rejected"));
    JsonArray res = resp.getJsonArray("results");
    assertEquals("accepted", res.getJsonObject(0).getString("status"));
    assertEquals("unknown_request", res.getJsonObject(1).getString("code"));
    assertEquals("unknown_metric", res.getJsonObject(2).getString("code"));
    assertEquals("invalid_value", res.getJsonObject(3).getString("code"));
    assertEquals("invalid_event", res.getJsonObject(4).getString("code"));
    assertEquals("accepted", res.getJsonObject(5).getString("status"), "unit-level feedback");
    assertEquals("invalid_event", res.getJsonObject(6).getString("code"));

    Harness.Reply notFound = feedback(gw, event("missing", "e9", "click", 1));
    assertEquals(404, notFound.status(), "a single rejected event answers with its own status");
    assertEquals(400, feedback(gw, "{not json").status());

    JsonObject results = h.get(gw.adminPort(), "/v1/experiments/e/results").json();
    assertNotNull(results);
    JsonObject served = arm(results, arm);
    assertEquals(1, served.getLong("exposures"), served.encodePrettily());
    JsonObject click = null;
    JsonObject revenue = null;
    for (Object o : served.getJsonArray("metrics")) {
      JsonObject m = (JsonObject) o;
      if (m.getString("metric").equals("click")) {
        click = m;
      } else if (m.getString("metric").equals("revenue")) {
        revenue = m;
      }
    }
    assertEquals(1, click.getLong("successes"), served.encodePrettily());
    assertEquals(1, click.getLong("trials"));
    assertEquals(2, revenue.getLong("count"), "one by request id, one by unit id");
    assertEquals(10.0, revenue.getDouble("mean"), 1e-12);
    Harness.Reply csv = h.get(gw.adminPort(), "/v1/experiments/e/results?format=csv");
    assertEquals(200, csv.status());
    assertTrue(csv.header("Content-Type").startsWith("text/csv"));
    assertTrue(csv.body().toString().lines().count() > 2, csv.body().toString());
    assertEquals(400, h.get(gw.adminPort(), "/v1/experiments/e/results?slice=nope").status());
  }

  @Test
  void aSkewedSplitRaisesTheSampleRatioAlarmAndACorrectOneDoesNot() throws Exception {
    gw = fx.gateway(yaml(a.url(), b.url(), "", 5000));
    for (int u = 0; u < 2000; u++) {
      h.post(gw.port(), "/v2/models/m/infer", "u" + u, "{}");
    }
    JsonObject ok = h.get(gw.adminPort(), "/v1/experiments/e/results").json();
    String okSrm = ok.getJsonObject("srm").encode();
    assertTrue(okSrm.contains("\"ok\""), okSrm);
    // the same users under new weights: sticky assignments keep them 50/50 while the config says 90/10
    gw.apply(Harness.parse(yaml(a.url(), b.url(), "", 9000).replaceFirst("port: 0", "port: " + gw.port())));
    for (int u = 0; u < 2000; u++) {
      h.post(gw.port(), "/v2/models/m/infer", "u" + u, "{}");
    }
    JsonObject skewed = h.get(gw.adminPort(), "/v1/experiments/e/results").json();
    String srm = skewed.getJsonObject("srm").encode();
    assertTrue(srm.contains("\"mismatch\""), srm);
  }

  @Test
  void returningUsersDoNotRaiseTheSampleRatioAlarmTheirFirstAssignmentsAreCounted() throws Exception {
    gw = fx.gateway(yaml(a.url(), b.url(), "", 5000));
    // 600 users, each assigned once; then ten users of arm a come back 200 times each: 2,000 more exposures of a,
    // which a chi-square test of exposures would call a mismatch (about 2,300 : 300) though assignment is fine
    java.util.List<String> onA = new java.util.ArrayList<>();
    for (int u = 0; u < 600; u++) {
      Harness.Reply r = h.post(gw.port(), "/v2/models/m/infer", "u" + u, "{}");
      if ("a".equals(r.header("X-Vane-Variant")) && onA.size() < 10) {
        onA.add("u" + u);
      }
    }
    for (String u : onA) {
      for (int i = 0; i < 200; i++) {
        h.post(gw.port(), "/v2/models/m/infer", u, "{}");
      }
    }
    JsonObject srm = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("srm");
    assertEquals("assignments", srm.getString("basis"), srm.encode());
    assertEquals("ok", srm.getString("verdict"), srm.encode());
    long observed = 0;
    for (Object o : srm.getJsonArray("arms")) {
      observed += ((JsonObject) o).getLong("observed");
    }
    assertEquals(600, observed, "each user counted once: " + srm.encode());
    long exposuresA = arm(h.get(gw.adminPort(), "/v1/experiments/e/results").json(), "a").getLong("exposures");
    assertTrue(exposuresA >= 2000, "the returning users' requests are exposures: " + exposuresA);
  }
}
