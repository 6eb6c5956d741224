package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.gateway.results.OpenApiResultsSchemaTestAccess;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Online calibration through a real gateway on loopback: a model server answers each request with the probability
 * the request asked for (KServe v2 body), the test posts binary feedback for the requests it draws as positive, and
 * the results' {@code responseMetrics.calibration} is checked against the same figures computed here directly from
 * the raw predictions and outcomes (tolerance 1e-9: only the order of floating-point sums differs).
 */
class CalibrationTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final double Z = 1.959963984540054;

  static final class EchoModel implements AutoCloseable {
    final HttpServer server = h.vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      double p = new JsonObject(b).getDouble("p");
      req.response().putHeader("Content-Type", "application/json")
          .end("{\"outputs\":[{\"name\":\"p\",\"datatype\":\"FP64\",\"shape\":[1],\"data\":[" + p + "]}]}");
    })).listen(0, "127.0.0.1").await();

    String url() {
      return "http://127.0.0.1:" + server.actualPort();
    }

    @Override
    public void close() {
      server.close().await();
    }
  }

  static final EchoModel model = fx.own(new EchoModel());

  record Sent(String arm, double p, boolean y) {}

  @Test
  void brierLogLossEceAndBinsMatchADirectComputationOverTheRawPredictionsAndOutcomes() throws Exception {
    Gateway gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints: [ { id: m, url: "%s" } ]
        routes: [ { pathPrefix: /, experiment: e } ]
        experiments:
          - id: e
            variants: [ { id: a, endpoint: m, weight: 5000 }, { id: b, endpoint: m, weight: 5000 } ]
            metrics: [ { name: converted, kind: binary, primary: true } ]
            responseMetrics: [ { name: p, pointer: /outputs/0/data/0, calibrates: converted } ]
            attributionWindow: 1h
        """.formatted(model.url()));
    SplittableRandom rnd = new SplittableRandom(22);
    List<Sent> sent = new ArrayList<>();
    Map<String, String> ids = new HashMap<>();
    int n = 400;
    for (int i = 0; i < n; i++) {
      // arm b is overconfident: its outcomes follow p^2 instead of p; p = 0 and 1 exercise the clip and last bin
      double p = i == 0 ? 0.0 : i == 1 ? 1.0 : Math.round(rnd.nextDouble() * 1e6) / 1e6;
      Harness.Reply r = h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer", Map.of("X-User-Id", "u" + i),
          Buffer.buffer(new JsonObject().put("p", p).encode()));
      assertEquals(200, r.status());
      String arm = r.header("X-Vane-Variant");
      double truth = arm.equals("b") ? p * p : p;
      boolean y = i == 1 || (i != 0 && rnd.nextDouble() < truth);
      sent.add(new Sent(arm, p, y));
      ids.put(Integer.toString(i), r.header("X-Request-Id"));
    }
    // one out-of-range prediction: counted apart, never binned
    Harness.Reply bad = h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer", Map.of("X-User-Id", "u-bad"),
        Buffer.buffer(new JsonObject().put("p", 1.5).encode()));
    assertEquals(200, bad.status());
    awaitMeasured(gw, n);
    JsonArray events = new JsonArray();
    for (int i = 0; i < n; i++) {
      String rid = ids.get(Integer.toString(i));
      if (sent.get(i).y()) {
        events.add(event(rid, "pos-" + i, true));
        if (i % 7 == 0) {
          events.add(event(rid, "again-" + i, 1)); // a second positive of the same request joins once
        }
      } else if (i % 3 == 0) {
        events.add(event(rid, "neg-" + i, false)); // an explicit 0 leaves a negative
      }
    }
    JsonObject ingested = h.send(gw.adminPort(), HttpMethod.POST, "/v1/feedback",
        Map.of("Content-Type", "application/json"), Buffer.buffer(new JsonObject().put("events", events).encode()))
        .json();
    for (Object o : ingested.getJsonArray("results")) {
      assertEquals("accepted", ((JsonObject) o).getString("status"), o.toString());
    }

    JsonObject results = h.get(gw.adminPort(), "/v1/experiments/e/results").json();
    JsonNode doc = OpenApiResultsSchemaTestAccess.document();
    List<String> problems = new ArrayList<>();
    OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/ExperimentResults"), results, "$",
        problems);
    assertEquals(List.of(), problems, "the results match openapi.yaml");
    JsonObject cal = results.getJsonObject("responseMetrics").getJsonArray("calibration").getJsonObject(0);
    assertEquals("p", cal.getString("metric"));
    assertEquals("converted", cal.getString("outcome"));
    long outOfRange = 0;
    for (Object o : cal.getJsonArray("arms")) {
      JsonObject got = (JsonObject) o;
      String arm = got.getString("arm");
      outOfRange += got.getLong("outOfRange");
      List<Sent> mine = sent.stream().filter(s -> s.arm().equals(arm)).toList();
      assertTrue(mine.size() > 100, arm + ": " + mine.size());
      check(arm, mine, got);
    }
    assertEquals(1, outOfRange, "the prediction 1.5");
    JsonObject b = armOf(cal, "b");
    JsonObject a = armOf(cal, "a");
    assertTrue(b.getDouble("ece") > a.getDouble("ece"), "the overconfident arm is less calibrated: " + cal);
    checkCsv(h.get(gw.adminPort(), "/v1/experiments/e/results?format=csv").body().toString(), cal);
    checkMetrics(h.get(gw.adminPort(), "/metrics").body().toString(), cal);
  }

  /**
   * The Prometheus series give the same figures: per bin predictions and positives, and from the sums the Brier
   * score, log loss and ECE (sum over bins of |prediction sum - positives| / n), as a dashboard would compute them.
   */
  static void checkMetrics(String text, JsonObject cal) {
    for (Object o : cal.getJsonArray("arms")) {
      JsonObject arm = (JsonObject) o;
      String labels = "arm=\"" + arm.getString("arm") + "\",experiment=\"e\",metric=\"p\"";
      long n = arm.getLong("n");
      double gap = 0;
      for (int b = 0; b < 10; b++) {
        JsonObject bin = arm.getJsonArray("bins").getJsonObject(b);
        String bl = "{arm=\"" + arm.getString("arm") + "\",bin=\"" + (b / 10.0)
            + "\",experiment=\"e\",metric=\"p\"}";
        assertEquals(bin.getLong("n"), MetricsEndpointTest.value(text, "vane_calibration_predictions_total" + bl), 0);
        assertEquals(bin.getLong("positives"), MetricsEndpointTest.value(text, "vane_calibration_positives_total" + bl),
            0);
        gap += Math.abs(MetricsEndpointTest.value(text, "vane_calibration_prediction_sum" + bl) - bin.getLong("positives"));
      }
      assertEquals(arm.getDouble("ece"), gap / n, 1e-9, "ECE from the series");
      assertEquals(arm.getJsonObject("brier").getDouble("value"),
          MetricsEndpointTest.value(text, "vane_calibration_brier_sum{" + labels + "}") / n, 1e-9);
      assertEquals(arm.getJsonObject("logLoss").getDouble("value"),
          MetricsEndpointTest.value(text, "vane_calibration_log_loss_sum{" + labels + "}") / n, 1e-6);
    }
  }

  /** The CSV's calibration rows carry the JSON's figures: losses with intervals, ECE, and every bin. */
  static void checkCsv(String csv, JsonObject cal) {
    List<List<String>> rows = dev.vane.gateway.results.ResultsCsvTest.parse(csv);
    List<String> header = rows.get(0);
    java.util.function.BiFunction<List<String>, String, String> col = (row, name) -> row.get(header.indexOf(name));
    for (Object o : cal.getJsonArray("arms")) {
      JsonObject arm = (JsonObject) o;
      String id = arm.getString("arm");
      List<List<String>> mine = rows.stream().filter(r -> r.size() == header.size()
          && col.apply(r, "kind").equals("calibration") && col.apply(r, "arm").equals(id)).toList();
      assertEquals(3 + 10, mine.size(), "brier, log loss, ece and ten bins for " + id + ": " + mine);
      for (List<String> r : mine) {
        assertEquals("p", col.apply(r, "metric"));
        String test = col.apply(r, "test");
        JsonObject want = switch (test) {
          case "brier" -> arm.getJsonObject("brier");
          case "log_loss" -> arm.getJsonObject("logLoss");
          default -> null;
        };
        if (want != null) {
          assertEquals(want.getDouble("value"), Double.parseDouble(col.apply(r, "estimate")), 1e-12, test);
          assertEquals(want.getJsonObject("interval").getDouble("low"),
              Double.parseDouble(col.apply(r, "estimate_low")), 1e-12, test);
          assertEquals(arm.getLong("n"), Long.parseLong(col.apply(r, "n")));
        } else if (test.equals("ece")) {
          assertEquals(arm.getDouble("ece"), Double.parseDouble(col.apply(r, "estimate")), 1e-12);
        } else {
          assertEquals("bin", test);
          assertEquals("calibration_bin", col.apply(r, "dimension"));
          JsonObject bin = null;
          for (Object x : arm.getJsonArray("bins")) {
            JsonObject bx = (JsonObject) x;
            String range = col.apply(r, "value");
            if (Math.abs(Double.parseDouble(range.substring(0, range.indexOf('-'))) - bx.getDouble("low")) < 1e-9) {
              bin = bx;
            }
          }
          assertTrue(bin != null, col.apply(r, "value"));
          assertEquals(bin.getLong("n"), Long.parseLong(col.apply(r, "n")));
          assertEquals(bin.getLong("positives"), Long.parseLong(col.apply(r, "successes")));
          if (bin.getLong("n") > 0) {
            assertEquals(bin.getDouble("observedRate"), Double.parseDouble(col.apply(r, "estimate")), 1e-12);
            assertEquals(bin.getDouble("observedRate") - bin.getDouble("meanPrediction"),
                Double.parseDouble(col.apply(r, "difference")), 1e-12);
          }
        }
      }
    }
  }

  static JsonObject armOf(JsonObject cal, String arm) {
    for (Object o : cal.getJsonArray("arms")) {
      if (((JsonObject) o).getString("arm").equals(arm)) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError(arm);
  }

  /** The figures of {@code got} against the same ones computed here from the raw pairs. */
  static void check(String arm, List<Sent> mine, JsonObject got) {
    double tol = 1e-9;
    int n = mine.size();
    double[] brier = new double[n];
    double[] log = new double[n];
    long[] bn = new long[10];
    long[] bx = new long[10];
    double[] bp = new double[10];
    long positives = 0;
    for (int i = 0; i < n; i++) {
      Sent s = mine.get(i);
      double y = s.y() ? 1 : 0;
      brier[i] = (s.p() - y) * (s.p() - y);
      // p clipped to [1e-15, 1 - 1e-15], written as the probability of what happened kept >= 1e-15
      log[i] = -Math.log(Math.max(1e-15, s.y() ? s.p() : 1 - s.p()));
      int bin = Math.min(9, (int) Math.floor(s.p() * 10));
      bn[bin]++;
      bp[bin] += s.p();
      bx[bin] += s.y() ? 1 : 0;
      positives += s.y() ? 1 : 0;
    }
    assertEquals(n, got.getLong("n"), arm);
    assertEquals(positives, got.getLong("positives"), arm);
    checkLoss(arm + " brier", brier, got.getJsonObject("brier"), tol);
    checkLoss(arm + " logLoss", log, got.getJsonObject("logLoss"), 1e-6);
    double ece = 0;
    JsonArray bins = got.getJsonArray("bins");
    for (int k = 0; k < 10; k++) {
      JsonObject bin = bins.getJsonObject(k);
      assertEquals(bn[k], bin.getLong("n"), arm + " bin " + k);
      assertEquals(bx[k], bin.getLong("positives"), arm + " bin " + k);
      if (bn[k] == 0) {
        assertNull(bin.getValue("observedRate"));
        continue;
      }
      double mean = bp[k] / bn[k];
      double rate = (double) bx[k] / bn[k];
      ece += (double) bn[k] / n * Math.abs(mean - rate);
      assertEquals(mean, bin.getDouble("meanPrediction"), tol, arm + " bin " + k);
      assertEquals(rate, bin.getDouble("observedRate"), tol, arm + " bin " + k);
      // Wilson score interval, written out from its definition
      double m = bn[k];
      double lo = (rate + Z * Z / (2 * m) - Z * Math.sqrt(rate * (1 - rate) / m + Z * Z / (4 * m * m)))
          / (1 + Z * Z / m);
      double hi = (rate + Z * Z / (2 * m) + Z * Math.sqrt(rate * (1 - rate) / m + Z * Z / (4 * m * m)))
          / (1 + Z * Z / m);
      assertEquals(Math.max(0, lo), bin.getJsonObject("rateInterval").getDouble("low"), tol, arm + " bin " + k);
      assertEquals(Math.min(1, hi), bin.getJsonObject("rateInterval").getDouble("high"), tol, arm + " bin " + k);
    }
    assertEquals(ece, got.getDouble("ece"), tol, arm + " ece");
  }

  /** Mean and mean +/- 1.96 sd / sqrt(n) of the per-request losses, sd with n - 1. */
  static void checkLoss(String what, double[] losses, JsonObject got, double tol) {
    double mean = 0;
    for (double l : losses) {
      mean += l;
    }
    mean /= losses.length;
    double ss = 0;
    for (double l : losses) {
      ss += (l - mean) * (l - mean);
    }
    double half = Z * Math.sqrt(ss / (losses.length - 1) / losses.length);
    assertEquals(mean, got.getDouble("value"), tol, what);
    assertEquals(mean - half, got.getJsonObject("interval").getDouble("low"), tol, what);
    assertEquals(mean + half, got.getJsonObject("interval").getDouble("high"), tol, what);
  }

  static JsonObject event(String requestId, String eventId, Object value) {
    return new JsonObject().put("requestId", requestId).put("eventId", eventId).put("metric", "converted")
        .put("value", value);
  }

  /** Waits (at most 10 s) until every response was measured: the tap counts just after the client's last byte. */
  static void awaitMeasured(Gateway gw, int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      JsonObject cal = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics")
          .getJsonArray("calibration").getJsonObject(0);
      long seen = 0;
      for (Object o : cal.getJsonArray("arms")) {
        seen += ((JsonObject) o).getLong("n") + ((JsonObject) o).getLong("outOfRange");
      }
      if (seen == n + 1) {
        return;
      }
      assertTrue(System.currentTimeMillis() < deadline, "measured " + seen + " of " + (n + 1) + ": "
          + h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics")
              .getJsonArray("metrics"));
      Thread.sleep(50);
    }
  }
}
