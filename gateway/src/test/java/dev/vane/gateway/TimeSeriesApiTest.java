package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/experiments/{id}/timeseries} on a real gateway whose counters read a clock the test moves. */
class TimeSeriesApiTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final String VIEWER = SecretWatch.secret("viewer");

  /** A clock the test sets by hand. */
  static final class HandClock extends Clock {
    volatile Instant now;

    HandClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final HandClock clock = new HandClock(Instant.parse("2026-01-01T10:00:30Z"));

  private Gateway start(TestBackend a, TestBackend b) throws Exception {
    String yaml = """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        admin: { auth: { tokens: [ { name: vera, token: %s, roles: [viewer] } ] } }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments:
          - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 0 } }
        """.formatted(VIEWER, a.url(), b.url());
    return fx.own(Gateway.start(Harness.parse(yaml), Gateway::memoryStore, ThreadLocalRandom::current, clock).await());
  }

  private Harness.Reply get(Gateway gw, String uri) {
    return h.send(gw.adminPort(), HttpMethod.GET, uri, Map.of("Authorization", "Bearer " + VIEWER), null);
  }

  /** The series once the answered requests reach {@code answered} (status is counted as a request ends). */
  private JsonObject series(Gateway gw, String query, long answered) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      Harness.Reply r = get(gw, "/v1/experiments/e/timeseries" + query);
      assertEquals(200, r.status(), r.body().toString());
      JsonObject j = r.json();
      long n = 0;
      for (String arm : j.getJsonObject("arms").fieldNames()) {
        for (Object o : j.getJsonObject("arms").getJsonArray(arm)) {
          JsonObject s = ((JsonObject) o).getJsonObject("status");
          n += s.getLong("2xx") + s.getLong("3xx") + s.getLong("4xx") + s.getLong("5xx");
        }
      }
      if (n >= answered || System.nanoTime() > deadline) {
        return j;
      }
      Thread.sleep(20);
    }
  }

  private static JsonObject row(String t, long exposures, long requests, long s2, long s5) {
    return new JsonObject().put("t", t).put("exposures", exposures).put("requests", requests)
        .put("status", new JsonObject().put("2xx", s2).put("3xx", 0L).put("4xx", 0L).put("5xx", s5));
  }

  /** The row's request counts only (latency, units, metrics and rates are checked apart). */
  private static JsonObject counts(Object row) {
    JsonObject r = (JsonObject) row;
    return new JsonObject().put("t", r.getString("t")).put("exposures", r.getLong("exposures"))
        .put("requests", r.getLong("requests")).put("status", r.getJsonObject("status"));
  }

  @Test
  void requestsLandInTheMinuteTheyHappenedPerArmAndRollUpToHours() throws Exception {
    TestBackend a = fx.backend("a");
    Gateway gw = start(a, fx.backend("b"));
    for (int i = 0; i < 3; i++) {
      assertEquals(200, h.post(gw.port(), "/e/predict", "u" + i, "{}").status());
    }
    // a status is counted as its request ends, which can be just after the client has the answer: let the three
    // land in their minute before the clock moves on
    series(gw, "?from=2026-01-01T10:00:00Z&to=2026-01-01T10:01:00Z", 3);
    clock.now = Instant.parse("2026-01-01T10:01:10Z");
    a.failing(1.0);
    for (int i = 0; i < 2; i++) {
      assertEquals(500, h.post(gw.port(), "/e/predict", "v" + i, "{}").status());
    }
    a.failing(0);

    JsonObject j = series(gw, "?from=2026-01-01T10:00:00Z&to=2026-01-01T10:02:00Z", 5);
    assertEquals("1m", j.getString("interval"));
    assertEquals("2026-01-01T10:00:00Z", j.getString("from"));
    assertEquals("2026-01-01T10:02:00Z", j.getString("to"));
    assertEquals("2025-12-31T10:01:00Z", j.getString("retainedFrom"), "24 whole hours of minutes before the current");
    assertEquals(new JsonObject().put("champion", 10_000).put("canary", 0), j.getJsonObject("weightsBps"));
    assertEquals(new JsonObject(), j.getJsonObject("shadows"));
    JsonArray champion = j.getJsonObject("arms").getJsonArray("champion");
    assertEquals(2, champion.size());
    assertEquals(row("2026-01-01T10:00:00Z", 3, 3, 3, 0), counts(champion.getValue(0)));
    assertEquals(row("2026-01-01T10:01:00Z", 2, 2, 0, 2), counts(champion.getValue(1)));
    JsonObject busy = champion.getJsonObject(0);
    assertTrue(busy.getDouble("latencyMeanMs") > 0, champion.encode());
    assertTrue(busy.getDouble("latencyP50Ms") > 0 && busy.getDouble("latencyP99Ms") >= busy.getDouble("latencyP50Ms"),
        busy.encode());
    assertEquals(3, busy.getLong("units"), "three units, each new to the arm");
    assertEquals(0.0, busy.getDouble("errorRate"));
    assertEquals(1.0, champion.getJsonObject(1).getDouble("errorRate"), "two 500s of two requests");
    JsonArray canary = j.getJsonObject("arms").getJsonArray("canary");
    assertEquals(row("2026-01-01T10:00:00Z", 0, 0, 0, 0), counts(canary.getValue(0)));
    for (String f : new String[] {"latencyMeanMs", "latencyP50Ms", "latencyP99Ms", "errorRate"}) {
      assertNull(canary.getJsonObject(0).getValue(f), f + ": no requests, so null, not 0");
    }

    JsonObject hourly = series(gw, "?interval=1h&from=2026-01-01T10:30:00Z", 5);
    assertEquals("2026-01-01T10:00:00Z", hourly.getString("from"), "widened to the whole hour");
    assertEquals(new JsonArray().add(row("2026-01-01T10:00:00Z", 5, 5, 3, 2)),
        new JsonArray(hourly.getJsonObject("arms").getJsonArray("champion").stream().map(TimeSeriesApiTest::counts)
            .toList()));

    // by default the last hour of minutes up to now: 60 rows, the two busy minutes last
    JsonArray last = series(gw, "", 5).getJsonObject("arms").getJsonArray("champion");
    assertEquals(60, last.size());
    assertEquals("2026-01-01T10:01:00Z", last.getJsonObject(59).getString("t"));
    assertEquals(3, last.getJsonObject(58).getLong("requests"));
  }

  @Test
  void minutesOlderThanADayAreDroppedWhileTheirHoursAreKeptForTwoWeeks() throws Exception {
    Gateway gw = start(fx.backend("a"), fx.backend("b"));
    assertEquals(200, h.post(gw.port(), "/e/predict", "u", "{}").status());
    String hours = "?interval=1h&from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z";
    assertEquals(1, requests(series(gw, hours, 1)));
    assertEquals(1, requests(series(gw, "?from=2026-01-01T10:00:00Z", 1)));

    clock.now = Instant.parse("2026-01-02T10:01:30Z"); // minute 10:00 of yesterday has just left the window
    Harness.Reply gone = get(gw, "/v1/experiments/e/timeseries?from=2026-01-01T10:00:00Z");
    assertEquals(400, gone.status());
    assertEquals("from: 2026-01-01T10:00:00Z (expected: at or after 2026-01-01T10:01:00Z, the start of the minute "
        + "window; interval=1h or 1d reads older rows)", gone.json().getString("message"));
    assertEquals(0, requests(series(gw, "?from=2026-01-01T10:01:00Z&to=2026-01-01T10:05:00Z", 0)));
    JsonObject j = series(gw, hours, 1);
    assertEquals("2025-12-19T10:00:00Z", j.getString("retainedFrom"), "14 whole days of hours before the current");
    assertEquals("2026-01-01T00:00:00Z", j.getString("from"));
    assertEquals(1, requests(j), "the hour keeps it");

    JsonObject days = series(gw, "?interval=1d&from=2026-01-01T05:00:00Z", 1);
    assertEquals("2026-01-01T00:00:00Z", days.getString("from"), "widened to the whole day");
    assertEquals("2026-01-03T00:00:00Z", days.getString("to"));
    assertEquals(List.of(1L, 0L), days.getJsonObject("arms").getJsonArray("champion").stream()
        .map(r -> ((JsonObject) r).getLong("requests")).toList());

    clock.now = Instant.parse("2026-01-15T11:00:00Z"); // 14 whole days of hours after 10:00 on the 1st
    assertEquals(0, requests(series(gw, "?interval=1d&from=2026-01-01T00:00:00Z", 0)), "past the retention");
  }

  @Test
  void outcomesCountAtTheMinuteOfTheirExposureAndResultsCompareArmsPerInterval() throws Exception {
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    String yaml = """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        admin: { auth: { tokens: [ { name: vera, token: %s, roles: [viewer, feedback] } ] } }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments:
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 50 }
            shadows: [ { id: s1, endpoint: b, percent: 100 } ]
            metrics: [ { name: revenue, kind: continuous }, { name: click, kind: binary } ]
            attributionWindow: 1h
        """.formatted(VIEWER, a.url(), b.url());
    Gateway gw = fx.own(Gateway.start(Harness.parse(yaml), Gateway::memoryStore, ThreadLocalRandom::current, clock)
        .await());
    JsonArray events = new JsonArray();
    java.util.Map<String, Double> revenueByArm = new java.util.HashMap<>();
    java.util.Map<String, Long> clicksByArm = new java.util.HashMap<>();
    for (int i = 0; i < 40; i++) { // minute 10:00
      Harness.Reply r = h.post(gw.port(), "/e/predict", "u" + i, "{}");
      assertEquals(200, r.status());
      String arm = r.header("X-Vane-Variant");
      events.add(new JsonObject().put("requestId", r.header("X-Request-Id")).put("eventId", "r" + i)
          .put("metric", "revenue").put("value", i));
      revenueByArm.merge(arm, (double) i, Double::sum);
      if (i % 3 == 0) {
        events.add(new JsonObject().put("requestId", r.header("X-Request-Id")).put("eventId", "c" + i)
            .put("metric", "click").put("value", true));
        clicksByArm.merge(arm, 1L, Long::sum);
      }
    }
    series(gw, "?from=2026-01-01T10:00:00Z&to=2026-01-01T10:01:00Z", 40);
    clock.now = Instant.parse("2026-01-01T10:20:00Z"); // the feedback comes twenty minutes later
    Harness.Reply f = h.send(gw.adminPort(), HttpMethod.POST, "/v1/feedback",
        Map.of("Authorization", "Bearer " + VIEWER, "Content-Type", "application/json"),
        io.vertx.core.buffer.Buffer.buffer(new JsonObject().put("events", events).encode()));
    assertEquals(200, f.status(), f.body().toString());

    JsonObject j = get(gw, "/v1/experiments/e/timeseries?from=2026-01-01T10:00:00Z&to=2026-01-01T10:21:00Z").json();
    for (String arm : new String[] {"champion", "canary"}) {
      JsonArray rows = j.getJsonObject("arms").getJsonArray(arm);
      JsonObject at = rows.getJsonObject(0).getJsonObject("metrics");
      assertEquals(revenueByArm.getOrDefault(arm, 0.0), at.getJsonObject("revenue").getDouble("sum"), 1e-9, arm);
      assertEquals(clicksByArm.getOrDefault(arm, 0L), at.getJsonObject("click").getLong("n"), arm);
      long exposures = rows.getJsonObject(0).getLong("exposures");
      assertEquals(clicksByArm.getOrDefault(arm, 0L) / (double) exposures, at.getJsonObject("click").getDouble("mean"),
          1e-12, "clicks over the minute's exposures");
      JsonObject arrival = rows.getJsonObject(20).getJsonObject("metrics");
      assertEquals(0, arrival.getJsonObject("revenue").getLong("n"), "nothing in the minute the feedback arrived");
      assertNull(arrival.getJsonObject("revenue").getValue("mean"));
    }
    // every request was mirrored in minute 10:00; the copies' comparisons land as they complete
    JsonArray shadow = j.getJsonObject("shadows").getJsonArray("s1");
    assertEquals(21, shadow.size());
    assertEquals(40, shadow.getJsonObject(0).getLong("mirrored"));

    JsonObject results = get(gw, "/v1/experiments/e/results?interval=1h&from=2026-01-01T10:00:00Z").json();
    JsonObject over = results.getJsonObject("overTime");
    assertEquals("1h", over.getString("interval"));
    assertEquals("2026-01-01T10:00:00Z", over.getString("from"));
    assertEquals("2026-01-01T11:00:00Z", over.getString("to"));
    JsonObject hour = over.getJsonObject("metrics").getJsonObject("revenue").getJsonArray("canary").getJsonObject(0);
    JsonObject canaryRow = j.getJsonObject("arms").getJsonArray("canary").getJsonObject(0).getJsonObject("metrics")
        .getJsonObject("revenue");
    assertEquals(canaryRow.getLong("n"), hour.getJsonObject("interval").getJsonObject("treatment").getLong("n"));
    assertEquals(hour.getJsonObject("interval").getDouble("difference"),
        hour.getJsonObject("cumulative").getDouble("difference"), "one interval: cumulative = interval");
    assertTrue(over.getJsonObject("metrics").containsKey("error_rate"));
    assertTrue(over.getJsonObject("metrics").containsKey("click"));
    assertNull(get(gw, "/v1/experiments/e/results").json().getValue("overTime"), "without interval: unchanged");

    Map<String, String> bad = Map.of(
        "/v1/experiments/e/results?interval=1m", "interval: 1m (expected: 1h or 1d)",
        "/v1/experiments/e/results?interval=1h&format=csv", "interval: 1h (expected: only with format=json)",
        "/v1/experiments/e/results?interval=1d&from=soon", "from: soon (expected: an ISO-8601 instant");
    refused(gw, bad);
  }

  /** Each URI is answered 400 with a message that starts as given. */
  private void refused(Gateway gw, Map<String, String> bad) {
    bad.forEach((uri, message) -> {
      Harness.Reply r = get(gw, uri);
      assertEquals(400, r.status(), uri);
      assertTrue(r.json().getString("message").startsWith(message), uri + ": " + r.json());
    });
  }

  private static long requests(JsonObject series) {
    return series.getJsonObject("arms").getJsonArray("champion").stream()
        .mapToLong(r -> ((JsonObject) r).getLong("requests")).sum();
  }

  @Test
  void badParametersAreRefusedNamingTheParameter() throws Exception {
    Gateway gw = start(fx.backend("a"), fx.backend("b"));
    String p = "/v1/experiments/e/timeseries";
    Map<String, String> bad = Map.of(
        p + "?interval=5m", "interval: 5m (expected: 1m, 1h or 1d)",
        p + "?from=yesterday", "from: yesterday (expected: an ISO-8601 instant such as 2026-01-31T12:00:00Z)",
        p + "?to=2026-13-01T00:00:00Z", "to: 2026-13-01T00:00:00Z (expected: an ISO-8601 instant",
        p + "?from=2026-01-01T10:00:00Z&to=2026-01-01T09:00:00Z",
        "from: 2026-01-01T10:00:00Z (expected: before to 2026-01-01T09:00:00Z)",
        p + "?to=2025-12-01T00:00:00Z",
        "to: 2025-12-01T00:00:00Z (expected: after 2025-12-31T10:00:00Z, the oldest row kept for interval=1m)");
    refused(gw, bad);
    Harness.Reply none = get(gw, "/v1/experiments/nope/timeseries");
    assertEquals(404, none.status());
    assertEquals(401, h.get(gw.adminPort(), p).status(), "a viewer's route");
  }
}
