package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.gateway.results.OpenApiResultsSchemaTestAccess;
import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.RedisServerProcess;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Online calibration and reference-window drift over two gateway instances sharing one real redis-server: each
 * instance serves part of the requests, each positive outcome is posted to the instance that did <em>not</em> serve
 * it, and both instances' results equal the figures computed directly from every raw prediction and outcome
 * ({@link CalibrationTest#check}); a positive posted twice, once to each instance, joins once.
 */
class CalibrationRedisTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final CalibrationTest.EchoModel model = fx.own(new CalibrationTest.EchoModel());

  static String yaml(String redisUri) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints: [ { id: m, url: "%s" } ]
        routes: [ { pathPrefix: /, experiment: e } ]
        experiments:
          - id: e
            variants: [ { id: a, endpoint: m, weight: 5000 }, { id: b, endpoint: m, weight: 5000 } ]
            metrics: [ { name: converted, kind: binary, primary: true } ]
            responseMetrics: [ { name: p, pointer: /outputs/0/data/0, calibrates: converted } ]
            attributionWindow: 1h
        state:
          redis: { uri: "%s", commandTimeout: 1s, flushInterval: 100ms }
        """.formatted(model.url(), redisUri);
  }

  @Test
  void positivesPostedToTheOtherInstanceJoinOnceAndTheFiguresAddUpInRedis() throws Exception {
    RedisServerProcess redis = fx.redis();
    Gateway g1 = fx.gateway(yaml(redis.uri()), Stores::forConfig);
    Gateway g2 = fx.gateway(yaml(redis.uri()), Stores::forConfig);
    Gateway[] gws = {g1, g2};
    SplittableRandom rnd = new SplittableRandom(23);
    List<CalibrationTest.Sent> sent = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<Integer> servedBy = new ArrayList<>();
    int n = 300;
    for (int i = 0; i < n; i++) {
      double p = Math.round(rnd.nextDouble() * 1e6) / 1e6;
      int g = i % 3 == 0 ? 1 : 0;
      Harness.Reply r = h.send(gws[g].port(), HttpMethod.POST, "/v2/models/m/infer", Map.of("X-User-Id", "u" + i),
          Buffer.buffer(new JsonObject().put("p", p).encode()));
      assertEquals(200, r.status());
      String arm = r.header("X-Vane-Variant");
      boolean y = rnd.nextDouble() < (arm.equals("b") ? p * p : p);
      sent.add(new CalibrationTest.Sent(arm, p, y));
      ids.add(r.header("X-Request-Id"));
      servedBy.add(g);
    }
    awaitSharedPredictions(redis, n);
    JsonArray[] to = {new JsonArray(), new JsonArray()};
    for (int i = 0; i < n; i++) {
      if (sent.get(i).y()) {
        int other = 1 - servedBy.get(i);
        to[other].add(CalibrationTest.event(ids.get(i), "pos-" + i, 1));
        if (i % 5 == 0) {
          // the same outcome reported again under another event id, to the serving instance: joins once
          to[servedBy.get(i)].add(CalibrationTest.event(ids.get(i), "again-" + i, 1));
        }
      }
    }
    for (int g = 0; g < 2; g++) {
      postAll(gws[g], to[g]);
    }
    long positives = sent.stream().filter(CalibrationTest.Sent::y).count();
    for (Gateway gw : gws) {
      JsonObject cal = awaitCalibration(gw, n, positives);
      assertEquals("redis", cal.getString("figures"));
      assertEquals(0, cal.getLong("unjoined"), cal.encode());
      for (Object o : cal.getJsonArray("arms")) {
        JsonObject got = (JsonObject) o;
        String arm = got.getString("arm");
        CalibrationTest.check(arm, sent.stream().filter(s -> s.arm().equals(arm)).toList(), got);
      }
    }
  }

  @Test
  void referenceWindowsCountFromTheStartTheInstancesAgreedOnAndAddUp() throws Exception {
    RedisServerProcess redis = fx.redis();
    Instant t0 = Instant.parse("2026-03-02T10:00:00Z");
    TimeSeriesApiTest.HandClock c1 = new TimeSeriesApiTest.HandClock(t0);
    TimeSeriesApiTest.HandClock c2 = new TimeSeriesApiTest.HandClock(t0.plusSeconds(2));
    String yaml = """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints: [ { id: m, url: "%s" } ]
        routes: [ { pathPrefix: /, experiment: e } ]
        experiments:
          - id: e
            champion: { id: control, endpoint: m }
            responseMetrics: [ { name: p, pointer: /outputs/0/data/0, driftReference: 10s } ]
        state:
          redis: { uri: "%s", commandTimeout: 1s, flushInterval: 100ms }
        """.formatted(model.url(), redis.uri());
    Gateway g1 = fx.own(Gateway.start(Harness.parse(yaml), Stores::forConfig, ThreadLocalRandom::current, c1).await());
    awaitWindowEnd(g1, t0.plusSeconds(10));
    // the start is the first flush's to reach Redis: wait for g1's (the second instance must not flush first)
    awaitAgreedStart(redis, t0);
    // the second instance started the version 2 s later: its window still ends 10 s after the first's start
    Gateway g2 = fx.own(Gateway.start(Harness.parse(yaml), Stores::forConfig, ThreadLocalRandom::current, c2).await());
    awaitWindowEnd(g2, t0.plusSeconds(10));
    SplittableRandom rnd = new SplittableRandom(5);
    send(g1, rnd, 100, 0);
    send(g2, rnd, 100, 0);
    // the tap counts just after the client's last byte: every value is in before the clocks move
    awaitMeasured(g1, 200);
    c1.now = t0.plusSeconds(11);
    c2.now = t0.plusSeconds(11);
    send(g1, rnd, 100, 0.3);
    send(g2, rnd, 50, 0.3);
    for (Gateway gw : new Gateway[] {g1, g2}) {
      JsonObject d = null;
      long deadline = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < deadline) {
        d = drift(gw);
        if (d.getValue("afterN") != null && d.getLong("referenceN") == 200 && d.getLong("afterN") == 150) {
          break;
        }
        Thread.sleep(50);
      }
      assertEquals(200, d.getLong("referenceN"), "both instances' window values: " + d.encode());
      assertEquals(150, d.getLong("afterN"), d.encode());
      assertTrue(d.getBoolean("flagged"), d.encode());
    }
  }

  static void send(Gateway gw, SplittableRandom rnd, int n, double shift) {
    for (int i = 0; i < n; i++) {
      double p = 0.5 * rnd.nextDouble() + shift;
      assertEquals(200, h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer", Map.of("X-User-Id", "u" + i),
          Buffer.buffer(new JsonObject().put("p", p).encode())).status());
    }
  }

  static JsonObject drift(Gateway gw) throws Exception {
    JsonObject r = h.get(gw.adminPort(), "/v1/experiments/e/results").json();
    JsonNode doc = OpenApiResultsSchemaTestAccess.document();
    List<String> problems = new ArrayList<>();
    OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/ExperimentResults"), r, "$", problems);
    assertEquals(List.of(), problems, "the results match openapi.yaml");
    return r.getJsonObject("responseMetrics").getJsonArray("metrics").getJsonObject(0).getJsonArray("arms")
        .getJsonObject(0).getJsonObject("referenceDrift");
  }

  /** Waits until the results (summed over both instances) hold {@code n} values of the metric. */
  static void awaitMeasured(Gateway gw, long n) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    long seen = -1;
    while (System.currentTimeMillis() < deadline) {
      seen = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics")
          .getJsonArray("metrics").getJsonObject(0).getJsonArray("arms").getJsonObject(0).getLong("n");
      if (seen == n) {
        return;
      }
      Thread.sleep(50);
    }
    assertEquals(n, seen, "values measured");
  }

  static void awaitWindowEnd(Gateway gw, Instant end) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    String seen = null;
    while (System.currentTimeMillis() < deadline) {
      seen = drift(gw).getString("windowEnd");
      if (seen.equals(end.toString())) {
        return;
      }
      Thread.sleep(50);
    }
    assertEquals(end.toString(), seen, "the agreed window end");
  }

  /** Waits until the version's agreed start (the first instance's first flush) is in Redis, and checks it. */
  static void awaitAgreedStart(RedisServerProcess redis, Instant start) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    Object seen = null;
    while (System.currentTimeMillis() < deadline) {
      List<?> keys = (List<?>) redis.call("KEYS", "vane:{e}:rmeta:*");
      if (keys.size() == 1) {
        seen = redis.call("HGET", keys.get(0).toString(), "start");
        if (seen != null) {
          break;
        }
      }
      Thread.sleep(20);
    }
    assertEquals(Long.toString(start.toEpochMilli()), seen == null ? null : seen.toString(), "the agreed start");
  }

  /** Waits until every prediction is shared through Redis (the feedback backend writes them in batches). */
  static void awaitSharedPredictions(RedisServerProcess redis, int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    long shared = 0;
    while (System.currentTimeMillis() < deadline) {
      shared = 0;
      for (Object key : (List<?>) redis.call("KEYS", "vane:attr:*")) {
        for (Object field : (List<?>) redis.call("HKEYS", key.toString())) {
          if (field.toString().startsWith("c:")) {
            shared++;
          }
        }
      }
      if (shared == n) {
        return;
      }
      Thread.sleep(50);
    }
    assertEquals(n, shared, "predictions shared");
  }

  /** Posts {@code events}, sending again those refused with 503 (as a client does) until each is answered. */
  static void postAll(Gateway gw, JsonArray events) throws InterruptedException {
    JsonArray left = events;
    for (int attempt = 0; attempt < 50 && !left.isEmpty(); attempt++) {
      JsonObject res = h.send(gw.adminPort(), HttpMethod.POST, "/v1/feedback",
          Map.of("Content-Type", "application/json"), Buffer.buffer(new JsonObject().put("events", left).encode()))
          .json();
      JsonArray again = new JsonArray();
      JsonArray results = res.getJsonArray("results");
      for (int i = 0; i < results.size(); i++) {
        JsonObject r = results.getJsonObject(i);
        if (r.getInteger("httpStatus", 200) == 503 || "deduplication_unavailable".equals(r.getString("code"))) {
          again.add(left.getValue(i));
        } else {
          assertTrue(List.of("accepted", "duplicate").contains(r.getString("status")), r.encode());
        }
      }
      left = again;
      if (!left.isEmpty()) {
        Thread.sleep(100);
      }
    }
    assertTrue(left.isEmpty(), "events still refused: " + left);
  }

  /** The calibration section once both instances' figures (n predictions, that many positives) reached Redis. */
  static JsonObject awaitCalibration(Gateway gw, int n, long expectedPositives) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    JsonObject cal = null;
    while (System.currentTimeMillis() < deadline) {
      cal = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics")
          .getJsonArray("calibration").getJsonObject(0);
      long seen = 0;
      long positives = 0;
      for (Object o : cal.getJsonArray("arms")) {
        seen += ((JsonObject) o).getLong("n");
        positives += ((JsonObject) o).getLong("positives");
      }
      if (seen == n && positives == expectedPositives) {
        return cal;
      }
      Thread.sleep(50);
    }
    assertFalse(cal == null, "no results");
    return cal;
  }
}
