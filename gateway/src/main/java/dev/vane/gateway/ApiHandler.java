package dev.vane.gateway;

import dev.vane.config.EndpointSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.metrics.ArmStats;
import dev.vane.gateway.metrics.ExperimentStats;
import dev.vane.gateway.metrics.ShadowStats;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Shadow;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/**
 * Vane's own endpoints, served on the proxy port ahead of routing: {@code /healthz}, {@code /readyz},
 * {@code GET /v1/experiments}, {@code GET /v1/experiments/{id}}.
 */
final class ApiHandler {
  private final GatewayCore core;

  ApiHandler(GatewayCore core) {
    this.core = core;
  }

  boolean handles(HttpServerRequest req) {
    String p = req.path();
    return p.equals("/healthz") || p.equals("/readyz") || p.equals("/v1/experiments")
        || p.startsWith("/v1/experiments/");
  }

  void handle(HttpServerRequest req) {
    String p = req.path();
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      Errors.send(req.response().putHeader("Allow", "GET"), 405, req.method() + " " + p + " is not supported", null);
      return;
    }
    Snapshot snap = core.snapshot();
    switch (p) {
      case "/healthz" -> json(req, 200, new JsonObject().put("status", "up"));
      case "/readyz" -> readyz(req, snap);
      case "/v1/experiments" -> {
        JsonArray list = new JsonArray();
        for (Experiment e : snap.config().routing().experiments().values()) {
          list.add(experiment(e, snap.stats().get(e.id())));
        }
        json(req, 200, new JsonObject().put("configVersion", snap.config().version()).put("experiments", list));
      }
      default -> {
        String id = p.substring("/v1/experiments/".length());
        Experiment e = snap.config().routing().experiment(id);
        if (e == null) {
          Errors.send(req.response(), 404, "no experiment " + id, null);
        } else {
          json(req, 200, experiment(e, snap.stats().get(id)));
        }
      }
    }
  }

  private void readyz(HttpServerRequest req, Snapshot snap) {
    VaneConfig cfg = snap.config();
    boolean storeUp = core.store().healthy();
    JsonObject endpoints = new JsonObject();
    for (EndpointSettings ep : cfg.endpoints().values()) {
      endpoints.put(ep.id(), new JsonObject().put("url", ep.url().toString()));
    }
    JsonObject body = new JsonObject()
        .put("status", storeUp ? "ready" : "degraded")
        .put("config", new JsonObject().put("source", cfg.source()).put("version", cfg.version())
            .put("loadedAt", core.lastReloadAt().toString())
            .put("lastReloadError", core.lastReloadError()))
        .put("store", new JsonObject().put("up", storeUp).put("detail", core.store().describe()))
        .put("endpoints", endpoints);
    json(req, 200, body);
  }

  static JsonObject experiment(Experiment e, ExperimentStats s) {
    JsonArray arms = new JsonArray();
    long totalExposures = 0;
    for (Arm a : e.arms()) {
      totalExposures += s.arm(a.id()).exposures.sum();
    }
    for (Arm a : e.arms()) {
      ArmStats st = s.arm(a.id());
      long requests = st.requests.sum();
      long exposures = st.exposures.sum();
      long errors = st.status5xx.sum();
      Histogram h = st.latency.snapshot();
      arms.add(new JsonObject()
          .put("id", a.id())
          .put("role", a.role().name().toLowerCase())
          .put("endpoint", a.endpoint())
          .put("weightBps", a.weightBps())
          .put("requests", requests)
          .put("exposures", exposures)
          .put("exposureShare", totalExposures == 0 ? 0.0 : (double) exposures / totalExposures)
          .put("units", st.newUnits.sum())
          .put("nonStickyRequests", st.nonSticky.sum())
          .put("status", new JsonObject().put("2xx", st.status2xx.sum()).put("3xx", st.status3xx.sum())
              .put("4xx", st.status4xx.sum()).put("5xx", errors))
          .put("errorRate", requests == 0 ? 0.0 : (double) errors / requests)
          .put("fallbacks", st.fallbacks.sum())
          .put("upstreamErrors", st.upstreamErrors.sum())
          .put("latencyMs", latency(h)));
    }
    JsonArray shadows = new JsonArray();
    for (Shadow sh : e.shadows()) {
      ShadowStats st = s.shadow(sh.id());
      long compared = st.compared.sum();
      long numeric = st.numericCompared.sum();
      long labels = st.labelCompared.sum();
      shadows.add(new JsonObject()
          .put("id", sh.id())
          .put("endpoint", sh.endpoint())
          .put("percent", sh.percentBps() / 100.0)
          .put("mirrored", st.mirrored.sum())
          .put("dropped", st.dropped.sum())
          .put("errors", st.errors.sum())
          .put("compared", compared)
          .put("statusMatchRate", ratio(st.statusMatches.sum(), compared))
          .put("bodyEqualRate", ratio(st.bodyEqual.sum(), compared))
          .put("numericCompared", numeric)
          .put("numericAgreementRate", ratio(st.numericWithinTolerance.sum(), numeric))
          .put("maxAbsDiff", st.maxAbsDiff())
          .put("tolerance", sh.tolerance())
          .put("labelCompared", labels)
          .put("labelAgreementRate", ratio(st.labelEqual.sum(), labels))
          .put("meanLatencyDiffMs", compared == 0 ? 0.0 : st.latencyDiffMicrosSum.sum() / 1000.0 / compared)
          .put("latencyMs", latency(st.latency.snapshot())));
    }
    return new JsonObject()
        .put("id", e.id())
        .put("version", e.version())
        .put("since", s.since().toString())
        .put("salt", e.salt())
        .put("sticky", e.sticky())
        .put("policy", e.policy().name().toLowerCase())
        .put("coveragePercent", e.coverageBps() / 100.0)
        .put("control", e.control().id())
        .put("overrides", s.overrides.sum())
        .put("notTargeted", s.notTargeted.sum())
        .put("notCovered", s.notCovered.sum())
        .put("arms", arms)
        .put("shadows", shadows);
  }

  /** Share, or 0 when the denominator is 0. */
  private static double ratio(long num, long den) {
    return den == 0 ? 0.0 : (double) num / den;
  }

  static JsonObject latency(Histogram h) {
    JsonObject o = new JsonObject().put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return o.put("p50", null).put("p90", null).put("p99", null).put("p999", null).put("max", null);
    }
    return o.put("p50", h.getValueAtPercentile(50) / 1000.0)
        .put("p90", h.getValueAtPercentile(90) / 1000.0)
        .put("p99", h.getValueAtPercentile(99) / 1000.0)
        .put("p999", h.getValueAtPercentile(99.9) / 1000.0)
        .put("max", h.getMaxValue() / 1000.0)
        .put("mean", h.getMean() / 1000.0);
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(body.encodePrettily());
  }
}
