package dev.vane.gateway;

import java.util.concurrent.ThreadLocalRandom;

import dev.vane.gateway.runtime.Stores;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.gateway.results.OpenApiResultsSchemaTestAccess;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drift against an arm's own reference window through a real gateway on loopback: a model server answers the two
 * numbers each request asks for; during the window (the version's first 3 s) both are uniform; after it the first
 * shifts and the second does not. The shifted one is flagged, the other not (seeded draws, so the outcome is fixed).
 */
class ReferenceDriftTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();

  static final class Model implements AutoCloseable {
    final HttpServer server = h.vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      JsonObject in = new JsonObject(b);
      req.response().putHeader("Content-Type", "application/json").end("{\"outputs\":[{\"data\":["
          + in.getDouble("x") + "," + in.getDouble("y") + "]}]}");
    })).listen(0, "127.0.0.1").await();

    @Override
    public void close() {
      server.close().await();
    }
  }

  static final Model model = fx.own(new Model());

  JsonObject arm(Gateway gw, String metric) throws Exception {
    JsonObject r = h.get(gw.adminPort(), "/v1/experiments/e/results").json();
    JsonNode doc = OpenApiResultsSchemaTestAccess.document();
    List<String> problems = new ArrayList<>();
    OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/ExperimentResults"), r, "$", problems);
    assertEquals(List.of(), problems, "the results match openapi.yaml");
    for (Object o : r.getJsonObject("responseMetrics").getJsonArray("metrics")) {
      JsonObject m = (JsonObject) o;
      if (m.getString("name").equals(metric)) {
        return m.getJsonArray("arms").getJsonObject(0);
      }
    }
    throw new AssertionError(metric);
  }

  /** Waits (at most 10 s) until the results count {@code n} values of {@code metric}. */
  void awaitMeasured(Gateway gw, String metric, long n) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    long seen;
    while ((seen = arm(gw, metric).getLong("n")) != n) {
      assertTrue(System.currentTimeMillis() < deadline, "measured " + seen + " of " + n);
      Thread.sleep(20);
    }
  }

  void send(Gateway gw, SplittableRandom rnd, int n, double shift) {
    for (int i = 0; i < n; i++) {
      JsonObject body = new JsonObject().put("x", 0.5 * rnd.nextDouble() + shift).put("y", rnd.nextDouble());
      assertEquals(200, h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer", Map.of("X-User-Id", "u" + i),
          Buffer.buffer(body.encode())).status());
    }
  }

  @Test
  void aShiftAfterTheReferenceWindowIsFlaggedAndAnUnchangedMetricIsNot() throws Exception {
    // the counters' clock is the test's: the window closes when the test moves it, not with the wall clock
    TimeSeriesApiTest.HandClock clock = new TimeSeriesApiTest.HandClock(Instant.parse("2026-03-02T10:00:00Z"));
    Gateway gw = fx.own(Gateway.start(Harness.parse("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints: [ { id: m, url: "http://127.0.0.1:%d" } ]
        routes: [ { pathPrefix: /, experiment: e } ]
        experiments:
          - id: e
            champion: { id: control, endpoint: m }
            responseMetrics:
              - { name: shifted, pointer: /outputs/0/data/0, driftReference: 3s }
              - { name: steady, pointer: /outputs/0/data/1, driftReference: 3s }
        """.formatted(model.server.actualPort())), cfg -> Stores.forConfig(cfg),
        ThreadLocalRandom::current, clock).await());
    SplittableRandom rnd = new SplittableRandom(7);
    send(gw, rnd, 150, 0);
    JsonObject open = arm(gw, "shifted").getJsonObject("referenceDrift");
    long windowEnd = Instant.parse(open.getString("windowEnd")).toEpochMilli();
    assertEquals(clock.millis() + 3000, windowEnd, "the window is the version's first 3 s");
    assertEquals("reference_window_open", open.getJsonArray("reasons").getString(0));
    // a value is counted just after its client has the last byte: every one is in before the window closes
    awaitMeasured(gw, "shifted", 150);
    clock.now = clock.now.plusSeconds(4);
    send(gw, rnd, 150, 0.25);
    JsonObject shifted = arm(gw, "shifted").getJsonObject("referenceDrift");
    JsonObject steady = arm(gw, "steady").getJsonObject("referenceDrift");
    assertEquals(150, shifted.getLong("referenceN"), shifted.encode());
    assertEquals(150, shifted.getLong("afterN"), shifted.encode());
    assertTrue(shifted.getBoolean("flagged"), shifted.encode());
    assertTrue(shifted.getDouble("ksStatistic") > 0.3, shifted.encode());
    assertFalse(steady.getBoolean("flagged"), steady.encode());
    assertEquals(150, steady.getLong("afterN"), steady.encode());
    // the CSV's drift rows: KS and PSI against the reference, flagged for the shifted metric only
    List<List<String>> rows = dev.vane.gateway.results.ResultsCsvTest.parse(
        h.get(gw.adminPort(), "/v1/experiments/e/results?format=csv").body().toString());
    List<String> header = rows.get(0);
    List<String> ks = rows.stream().filter(r -> r.size() == header.size()
        && r.get(header.indexOf("metric")).equals("shifted")
        && r.get(header.indexOf("test")).equals("reference_ks")).findFirst().orElseThrow();
    assertEquals("drift", ks.get(header.indexOf("kind")));
    assertEquals(shifted.getDouble("ksStatistic"), Double.parseDouble(ks.get(header.indexOf("statistic"))), 1e-12);
    assertEquals(shifted.getDouble("ksPValue"), Double.parseDouble(ks.get(header.indexOf("p_value"))),
        1e-12 * Math.max(1e-300, shifted.getDouble("ksPValue")) + 1e-300);
    assertTrue(ks.get(header.indexOf("reasons")).contains("flagged"), ks.toString());
    List<String> steadyKs = rows.stream().filter(r -> r.size() == header.size()
        && r.get(header.indexOf("metric")).equals("steady")
        && r.get(header.indexOf("test")).equals("reference_ks")).findFirst().orElseThrow();
    assertFalse(steadyKs.get(header.indexOf("reasons")).contains("flagged"), steadyKs.toString());
    assertTrue(rows.stream().anyMatch(r -> r.size() == header.size() && r.get(header.indexOf("metric")).equals("shifted")
        && r.get(header.indexOf("test")).equals("reference_psi")
        && Math.abs(Double.parseDouble(r.get(header.indexOf("statistic"))) - shifted.getDouble("psi")) < 1e-12));
  }
}
