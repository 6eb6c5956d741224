package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.router.InMemoryStickyStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The novelty check and a cross of two slices through a real gateway on loopback: the sticky store records each
 * unit's first exposure on the gateway's clock, which the test moves a day at a time while the same units come back
 * and convert less and less on the treatment.
 */
class NoveltyApiTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();

  private final TimeSeriesApiTest.HandClock clock =
      new TimeSeriesApiTest.HandClock(Instant.parse("2026-03-02T10:00:30Z"));

  private Gateway start() throws Exception {
    String yaml = """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes: [ { pathPrefix: /v2/, experiment: e } ]
        experiments:
          - id: e
            variants:
              - { id: control, endpoint: a, weight: 5000 }
              - { id: treatment, endpoint: b, weight: 5000 }
            metrics:
              - { name: converted, kind: binary, primary: true }
            slices:
              - { name: country, header: X-Country, maxValues: 3 }
              - { name: device, header: X-Device, maxValues: 3 }
            sliceCrosses: [ [country, device] ]
            attributionWindow: 1h
        """.formatted(fx.backend("a").url(), fx.backend("b").url());
    return fx.own(Gateway.start(Harness.parse(yaml),
        cfg -> new InMemoryStickyStore(10_000, Duration.ofDays(30), System::nanoTime, clock::millis),
        ThreadLocalRandom::current, clock).await());
  }

  /** Percent of a day's exposures that convert: control 10% every day, treatment 50% fading by 15 points a day. */
  private static int percent(String arm, int day) {
    return arm.equals("control") ? 10 : Math.max(10, 50 - 15 * day);
  }

  @Test
  void aFadingTreatmentEffectIsFoundByDaysSinceFirstExposureAndCrossedSlicesAreReported() throws Exception {
    Gateway gw = start();
    int units = 400;
    Map<String, String> armOf = new HashMap<>();
    for (int day = 0; day < 4; day++) {
      JsonArray events = new JsonArray();
      for (int u = 0; u < units; u++) {
        String unit = "user-" + u;
        Harness.Reply r = h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer",
            Map.of("X-User-Id", unit, "X-Country", u % 2 == 0 ? "de" : "us", "X-Device", u % 3 == 0 ? "ios" : "web"),
            Buffer.buffer("{}"));
        assertEquals(200, r.status());
        String arm = r.header("X-Vane-Variant");
        assertEquals(armOf.computeIfAbsent(unit, k -> arm), arm, "sticky: " + unit);
        // a deterministic share of each arm's units converts: those whose rank in 0..99 is below the day's percent
        if ((u * 37) % 100 < percent(arm, day)) {
          events.add(new JsonObject().put("requestId", r.header("X-Request-Id")).put("eventId", day + "-" + u)
              .put("metric", "converted").put("value", 1));
        }
      }
      Harness.Reply fb = h.send(gw.adminPort(), HttpMethod.POST, "/v1/feedback",
          Map.of("Content-Type", "application/json"), Buffer.buffer(new JsonObject().put("events", events).encode()));
      assertEquals(events.size(), fb.json().getInteger("accepted"), fb.body().toString());
      clock.now = clock.now.plus(Duration.ofDays(1));
    }

    JsonObject results = h.get(gw.adminPort(), "/v1/experiments/e/results").json();
    JsonObject novelty = results.getJsonObject("novelty");
    assertEquals("converted", novelty.getString("metric"));
    JsonObject treatment = novelty.getJsonObject("byTreatment").getJsonObject("treatment");
    JsonArray days = treatment.getJsonArray("byDay");
    assertEquals(List.of("0", "1", "2", "3"), days.stream().map(d -> ((JsonObject) d).getString("day")).toList());
    long exposedOnDay0 = days.getJsonObject(0).getJsonObject("control").getLong("n")
        + days.getJsonObject(0).getJsonObject("treatment").getLong("n");
    assertEquals(units, exposedOnDay0, "each unit once a day, on its day since first exposure");
    assertTrue(days.getJsonObject(0).getDouble("difference") > 0.3, days.encode());
    assertTrue(Math.abs(days.getJsonObject(3).getDouble("difference")) < 0.1, days.encode());
    JsonObject trend = treatment.getJsonObject("trend");
    assertTrue(trend.getDouble("slopePerDay") < -0.1, trend.encode());
    assertTrue(trend.getBoolean("significant"), trend.encode());
    assertTrue(results.getJsonArray("warnings").stream()
        .anyMatch(w -> ((JsonObject) w).getString("code").equals("novelty_effect")), results.encode());

    JsonObject cross = results.getJsonArray("slices").stream().map(o -> (JsonObject) o)
        .filter(d -> d.getString("dimension").equals("country+device")).findFirst().orElseThrow();
    assertEquals(new JsonArray().add("country").add("device"), cross.getJsonArray("dimensions"));
    assertEquals(4, cross.getJsonArray("values").size(), cross.encode());
    long crossExposures = 0;
    for (Object v : cross.getJsonArray("values")) {
      JsonObject value = (JsonObject) v;
      assertEquals(value.getString("value"), String.join("+", value.getJsonArray("values").getList()));
      for (Object a : value.getJsonArray("arms")) {
        crossExposures += ((JsonObject) a).getLong("exposures");
      }
    }
    assertEquals(4L * units, crossExposures, "every exposure in one pair");

    for (String query : List.of("country%2Bdevice", "country+device")) {
      JsonArray only = h.get(gw.adminPort(), "/v1/experiments/e/results?slice=" + query).json().getJsonArray("slices");
      assertEquals(1, only.size(), query);
      assertEquals("country+device", only.getJsonObject(0).getString("dimension"), query);
    }
    assertEquals(400, h.get(gw.adminPort(), "/v1/experiments/e/results?slice=country%2Bos").status());
  }
}
