package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.results.OpenApiResultsSchemaTestAccess;
import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.RedisServerProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two gateway instances sharing one real redis-server: per-arm response-metric figures add up across them. */
class ResponseMetricsRedisTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a", t -> {
    t.mode = TestBackend.Mode.KSERVE;
    t.kserveData = "[0.2,0.5]";
  });
  static final TestBackend b = fx.backend("b", t -> {
    t.mode = TestBackend.Mode.KSERVE;
    t.kserveData = "[0.6,0.1]";
  });

  String yaml(String redisUri) {
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
              - { id: a, endpoint: a, weight: 5000 }
              - { id: b, endpoint: b, weight: 5000 }
            responseMetrics: [ { name: score, pointer: /outputs/0/data/0 } ]
        state:
          redis: { uri: "%s", commandTimeout: 500ms, flushInterval: 100ms }
        """.formatted(a.url(), b.url(), redisUri);
  }

  static JsonObject arm(JsonObject results, int i) {
    return results.getJsonObject("responseMetrics").getJsonArray("metrics").getJsonObject(0).getJsonArray("arms")
        .getJsonObject(i);
  }

  @Test
  void perArmResponseMetricFiguresSumAcrossInstances() throws Exception {
    RedisServerProcess redis = fx.redis();
    Gateway g1 = fx.gateway(yaml(redis.uri()), Stores::forConfig);
    Gateway g2 = fx.gateway(yaml(redis.uri()), Stores::forConfig);
    int n1 = 60;
    int n2 = 40;
    for (int i = 0; i < n1 + n2; i++) {
      Harness.Reply r = h.post(i < n1 ? g1.port() : g2.port(), "/v2/models/m/infer", "u" + i, "{}");
      assertEquals(200, r.status());
    }
    JsonObject seen = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      seen = h.get(g1.adminPort(), "/v1/experiments/e/results").json();
      if ("redis".equals(seen.getString("figures")) && arm(seen, 0).getLong("n") + arm(seen, 1).getLong("n") == n1 + n2) {
        break;
      }
      Thread.sleep(50);
    }
    assertNotNull(seen);
    JsonObject ra = arm(seen, 0);
    JsonObject rb = arm(seen, 1);
    assertEquals(n1 + n2, ra.getLong("n") + rb.getLong("n"), "every response of both instances: " + seen.encode());
    assertTrue(ra.getLong("n") > 0 && rb.getLong("n") > 0);
    assertEquals(0.2, ra.getDouble("mean"), 1e-12);
    assertEquals(0.6, rb.getDouble("mean"), 1e-12);
    assertEquals(0.6, rb.getDouble("p50"), 0.006, "the merged sketch: within 1%");
    // the other instance reads the same sums
    JsonObject other = h.get(g2.adminPort(), "/v1/experiments/e/results").json();
    assertEquals(ra.getLong("n"), arm(other, 0).getLong("n"));
    JsonObject cmp = seen.getJsonObject("responseMetrics").getJsonArray("metrics").getJsonObject(0)
        .getJsonArray("comparisons").getJsonObject(0);
    assertEquals(0.4, cmp.getJsonObject("welch").getDouble("difference"), 1e-9);
    assertTrue(cmp.getJsonObject("mannWhitney").getDouble("pValue") < 1e-6, cmp.encode());
    JsonObject drift = cmp.getJsonObject("drift");
    assertEquals(1.0, drift.getDouble("ksStatistic"), 0, "disjoint distributions: D = 1");
    assertTrue(drift.getBoolean("flagged"));
    String csv = h.get(g1.adminPort(), "/v1/experiments/e/results?format=csv").body().toString();
    assertTrue(csv.contains("\r\nresponse,all,b,treatment,score,drift,,,,,,,,,,,,,,,ks,,,,,,,1,,"), csv);
    assertTrue(csv.contains(",flagged\r\n"), csv);
    com.fasterxml.jackson.databind.JsonNode doc = OpenApiResultsSchemaTestAccess.document();
    java.util.List<String> problems = new java.util.ArrayList<>();
    OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/ExperimentResults"), seen, "$", problems);
    assertEquals(java.util.List.of(), problems, "two arms' results, with comparisons, match openapi.yaml");
  }
}
