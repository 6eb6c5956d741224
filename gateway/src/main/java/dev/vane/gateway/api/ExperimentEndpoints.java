package dev.vane.gateway.api;

import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Snapshot;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Shadow;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** {@code GET /v1/experiments} and {@code GET /v1/experiments/{id}}: each experiment with its figures. */
final class ExperimentEndpoints {
  private final GatewayCore core;

  ExperimentEndpoints(GatewayCore core) {
    this.core = core;
  }

  void list(HttpServerRequest req, String rid) {
    Snapshot snap = core.snapshot();
    List<Experiment> all = List.copyOf(snap.config().routing().experiments().values());
    List<Future<JsonObject>> parts = new ArrayList<>();
    for (Experiment e : all) {
      parts.add(render(e, snap.counters().get(e.id())));
    }
    Future.all(parts).onComplete(ar -> Answers.guarded(req, rid, () -> {
      if (ar.failed()) {
        Answers.failed(req, rid, ar.cause());
        return;
      }
      JsonArray list = new JsonArray();
      parts.forEach(f -> list.add(f.result()));
      Answers.json(req, 200, new JsonObject().put("configVersion", snap.config().version()).put("experiments", list));
    }));
  }

  void one(HttpServerRequest req, String rid, String id) {
    Snapshot snap = core.snapshot();
    Experiment e = snap.config().routing().experiment(id);
    if (e == null) {
      Errors.send(req.response(), 404, "no experiment " + FeedbackService.echo(id), rid);
      return;
    }
    render(e, snap.counters().get(id)).onComplete(ar -> Answers.guarded(req, rid, () -> {
      if (ar.failed()) {
        Answers.failed(req, rid, ar.cause());
      } else {
        Answers.json(req, 200, ar.result());
      }
    }));
  }

  /** Figures summed over every instance when a shared store is configured, else this instance's. */
  private Future<JsonObject> render(Experiment e, ExperimentCounters local) {
    Context ctx = Vertx.currentContext();
    Promise<JsonObject> p = Promise.promise();
    core.figures().read(e, local).whenComplete((f, t) -> ctx.runOnContext(v -> {
      try {
        p.complete(experiment(e, local, t == null ? f : local.localFigures()));
      } catch (RuntimeException ex) {
        p.fail(ex);
      }
    }));
    return p.future();
  }

  static JsonObject experiment(Experiment e, ExperimentCounters s, Figures.Experiment f) {
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
          .put("comparePercent", sh.compareBps() / 100.0)
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
        .put("paused", e.paused())
        .put("policy", e.policy().name().toLowerCase())
        .put("coveragePercent", e.coverageBps() / 100.0)
        .put("control", e.control().id())
        .put("overrides", f.overrides())
        .put("notTargeted", f.notTargeted())
        .put("notCovered", f.notCovered())
        .put("pausedRequests", f.paused())
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
}
