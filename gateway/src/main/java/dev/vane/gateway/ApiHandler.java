package dev.vane.gateway;

import dev.vane.config.EndpointSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.metrics.ExperimentStats;
import dev.vane.gateway.metrics.Figures;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Shadow;
import dev.vane.router.StickyStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import dev.vane.config.Analysis;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.results.ResultsCalculator;
import dev.vane.gateway.results.ResultsInput;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
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

  /** Whether {@code p}, a request's normalised path, is one of Vane's own endpoints. */
  boolean handles(String p) {
    return p.equals("/healthz") || p.equals("/readyz") || p.equals("/v1/experiments")
        || p.startsWith("/v1/experiments/") || p.equals("/v1/feedback");
  }

  /** Serves {@code req}, whose normalised path is {@code p}. */
  void handle(HttpServerRequest req, String p) {
    if (p.equals("/v1/feedback")) {
      feedback(req);
      return;
    }
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      Errors.send(req.response().putHeader("Allow", "GET"), 405, req.method() + " " + p + " is not supported", null);
      return;
    }
    Snapshot snap = core.snapshot();
    switch (p) {
      case "/healthz" -> json(req, 200, new JsonObject().put("status", "up"));
      case "/readyz" -> readyz(req, snap);
      case "/v1/experiments" -> {
        List<Experiment> all = List.copyOf(snap.config().routing().experiments().values());
        List<Future<JsonObject>> parts = new ArrayList<>();
        for (Experiment e : all) {
          parts.add(render(e, snap.stats().get(e.id())));
        }
        Future.all(parts).onComplete(ar -> {
          JsonArray list = new JsonArray();
          parts.forEach(f -> list.add(f.result()));
          json(req, 200, new JsonObject().put("configVersion", snap.config().version()).put("experiments", list));
        });
      }
      default -> {
        String id = p.substring("/v1/experiments/".length());
        if (id.endsWith("/results")) {
          results(req, snap, id.substring(0, id.length() - "/results".length()));
          return;
        }
        Experiment e = snap.config().routing().experiment(id);
        if (e == null) {
          Errors.send(req.response(), 404, "no experiment " + id, null);
        } else {
          render(e, snap.stats().get(id)).onComplete(ar -> json(req, 200, ar.result()));
        }
      }
    }
  }

  /** Figures summed over every instance when a shared store is configured, else this instance's; never fails. */
  private Future<JsonObject> render(Experiment e, ExperimentStats local) {
    Context ctx = Vertx.currentContext();
    Promise<JsonObject> p = Promise.promise();
    core.figures().read(e, local).whenComplete((f, t) -> {
      Figures.Experiment figs = t == null ? f : local.localFigures();
      ctx.runOnContext(v -> p.complete(experiment(e, local, figs)));
    });
    return p.future();
  }

  private final ResultsCalculator calculator = new ResultsCalculator();

  /** {@code GET /v1/experiments/{id}/results[?format=csv][&slice=dimension]}. */
  private void results(HttpServerRequest req, Snapshot snap, String id) {
    Experiment e = snap.config().routing().experiment(id);
    if (e == null) {
      Errors.send(req.response(), 404, "no experiment " + id, null);
      return;
    }
    String format = req.getParam("format", "json");
    if (!format.equals("json") && !format.equals("csv")) {
      Errors.send(req.response(), 400, "format: " + format + " (expected: json or csv)", null);
      return;
    }
    String slice = req.getParam("slice");
    Analysis analysis = snap.config().analysis(id);
    if (slice != null && analysis.slices().stream().noneMatch(d -> d.name().equals(slice))) {
      Errors.send(req.response(), 400, "slice: " + slice + " (expected: one of the experiment's slices "
          + analysis.slices().stream().map(Analysis.Slice::name).toList() + ")", null);
      return;
    }
    ExperimentStats local = snap.stats().get(id);
    Context ctx = Vertx.currentContext();
    core.figures().read(e, local).whenComplete((f, t) -> {
      Figures.Experiment figs = t == null ? f : local.localFigures();
      ResultsInput in = ResultsInputs.from(e, analysis, figs, core.bandit().view(e));
      // statistics over O(arms x metrics x slices) sums: cheap, but off the event loop all the same
      core.vertx().executeBlocking(() -> format.equals("csv") ? calculator.toCsv(in, slice)
          : calculator.toJson(in, slice).put("figures", figs.source()).encodePrettily(), false)
          .onComplete(ar -> ctx.runOnContext(v -> {
            if (ar.failed()) {
              Errors.send(req.response(), 500, "results failed: " + ar.cause(), null);
              return;
            }
            req.response().putHeader("Content-Type", format.equals("csv") ? "text/csv; charset=utf-8"
                : "application/json").end(ar.result());
          }));
    });
  }

  private void feedback(HttpServerRequest req) {
    if (req.method() != HttpMethod.POST) {
      Errors.send(req.response().putHeader("Allow", "POST"), 405, req.method() + " /v1/feedback is not supported",
          null);
      return;
    }
    long max = core.snapshot().config().server().maxBodyBytes();
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = new boolean[1];
    req.handler(chunk -> {
      if (!tooLarge[0] && body.length() + chunk.length() > max) {
        tooLarge[0] = true;
        Errors.send(req.response().putHeader("Connection", "close"), 413,
            "feedback body exceeds the limit of " + max + " bytes", null);
      } else if (!tooLarge[0]) {
        body.appendBuffer(chunk);
      }
    });
    req.endHandler(v -> {
      if (tooLarge[0]) {
        return;
      }
      Object parsed;
      try {
        parsed = Json.decodeValue(body);
      } catch (RuntimeException e) {
        Errors.send(req.response(), 400, "feedback body is not valid JSON: " + rootMessage(e), null);
        return;
      }
      Context ctx = Vertx.currentContext();
      try {
        core.feedback().ingest(parsed).whenComplete((results, t) -> ctx.runOnContext(x -> {
          if (t != null) {
            Errors.send(req.response(), 500, "feedback failed: " + t, null);
            return;
          }
          boolean single = parsed instanceof JsonObject o && !o.containsKey("events");
          int status = single ? results.get(0).httpStatus() : 200;
          json(req, status, FeedbackService.response(results));
        }));
      } catch (IllegalArgumentException e) {
        Errors.send(req.response(), 400, e.getMessage(), null);
      }
    });
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.toString() : m.lines().findFirst().orElse(m);
  }

  /**
   * 503 {@code draining} once the gateway is stopping; 503 {@code starting} until the sticky store has started
   * (connected, or its startup grace passed); then 200
   * {@code ready}, or 200 {@code degraded} while the store is unreachable: Vane still serves, on hashed arms, so a
   * Redis outage must not take every instance out of rotation at once.
   */
  private void readyz(HttpServerRequest req, Snapshot snap) {
    VaneConfig cfg = snap.config();
    StickyStore store = core.store();
    boolean storeUp = store.healthy();
    String status = core.draining() ? "draining" : !store.started() ? "starting" : storeUp ? "ready" : "degraded";
    JsonObject endpoints = new JsonObject();
    for (EndpointSettings ep : cfg.endpoints().values()) {
      endpoints.put(ep.id(), new JsonObject().put("url", ep.url().toString()));
    }
    JsonObject body = new JsonObject()
        .put("status", status)
        .put("config", new JsonObject().put("source", cfg.source()).put("version", cfg.version())
            .put("loadedAt", core.lastReloadAt().toString())
            .put("lastReloadError", core.lastReloadError()))
        .put("store", new JsonObject().put("up", storeUp).put("provisionalAnswers", store.provisionalAnswers())
            .put("detail", store.describe()))
        .put("figures", core.figures().describe())
        .put("endpoints", endpoints);
    json(req, status.equals("starting") || status.equals("draining") ? 503 : 200, body);
  }

  static JsonObject experiment(Experiment e, ExperimentStats s, Figures.Experiment f) {
    JsonArray arms = new JsonArray();
    long totalExposures = 0;
    for (Arm a : e.arms()) {
      totalExposures += f.arms().get(a.id()).exposures();
    }
    for (Arm a : e.arms()) {
      Figures.Arm st = f.arms().get(a.id());
      long requests = st.requests();
      long errors = st.status5xx();
      arms.add(new JsonObject()
          .put("id", a.id())
          .put("role", a.role().name().toLowerCase())
          .put("endpoint", a.endpoint())
          .put("weightBps", a.weightBps())
          .put("requests", requests)
          .put("exposures", st.exposures())
          .put("exposureShare", totalExposures == 0 ? 0.0 : (double) st.exposures() / totalExposures)
          .put("units", st.units())
          .put("nonStickyRequests", st.nonSticky())
          .put("status", new JsonObject().put("2xx", st.status2xx()).put("3xx", st.status3xx())
              .put("4xx", st.status4xx()).put("5xx", errors))
          .put("errorRate", requests == 0 ? 0.0 : (double) errors / requests)
          .put("fallbacks", st.fallbacks())
          .put("upstreamErrors", st.upstreamErrors())
          .put("latencyMs", latency(st.latency())));
    }
    JsonArray shadows = new JsonArray();
    for (Shadow sh : e.shadows()) {
      Figures.Shadow st = f.shadows().get(sh.id());
      long compared = st.compared();
      long numeric = st.numericCompared();
      long labels = st.labelCompared();
      shadows.add(new JsonObject()
          .put("id", sh.id())
          .put("endpoint", sh.endpoint())
          .put("percent", sh.percentBps() / 100.0)
          .put("mirrored", st.mirrored())
          .put("dropped", st.dropped())
          .put("errors", st.errors())
          .put("compared", compared)
          .put("statusMatchRate", ratio(st.statusMatches(), compared))
          .put("bodyEqualRate", ratio(st.bodyEqual(), compared))
          .put("numericCompared", numeric)
          .put("numericAgreementRate", ratio(st.numericWithinTolerance(), numeric))
          .put("maxAbsDiff", Double.isFinite(st.maxAbsDiff()) ? st.maxAbsDiff() : null)
          .put("shapeMismatch", Double.isInfinite(st.maxAbsDiff()))
          .put("tolerance", sh.tolerance())
          .put("labelCompared", labels)
          .put("labelAgreementRate", ratio(st.labelEqual(), labels))
          .put("meanLatencyDiffMs", compared == 0 ? 0.0 : st.latencyDiffMicrosSum() / 1000.0 / compared)
          .put("latencyMs", latency(st.latency())));
    }
    return new JsonObject()
        .put("id", e.id())
        .put("version", e.version())
        .put("since", s.since().toString())
        .put("figures", f.source())
        .put("salt", e.salt())
        .put("sticky", e.sticky())
        .put("policy", e.policy().name().toLowerCase())
        .put("coveragePercent", e.coverageBps() / 100.0)
        .put("control", e.control().id())
        .put("overrides", f.overrides())
        .put("notTargeted", f.notTargeted())
        .put("notCovered", f.notCovered())
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
