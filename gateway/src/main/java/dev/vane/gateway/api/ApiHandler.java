package dev.vane.gateway.api;

import dev.vane.gateway.http.Errors;
import dev.vane.gateway.http.Headers;
import dev.vane.gateway.http.RequestIds;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Snapshot;

import dev.vane.config.EndpointSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.ExperimentStats;
import dev.vane.gateway.counters.Figures;
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
import dev.vane.gateway.feedback.BodyBudget;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vane's own endpoints, served on the proxy port ahead of routing: {@code /healthz}, {@code /readyz},
 * {@code GET /v1/experiments}, {@code GET /v1/experiments/{id}}, results and feedback.
 *
 * <p>Every answer carries an {@code X-Request-Id} (the client's when sane, else a new one), and every request is
 * answered: an exception thrown while handling it, on the event loop or in a later callback, is logged with the
 * request id and answered {@code 500 {"error": "internal", ...}}.
 */
public final class ApiHandler {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
  /** Feedback bodies larger than this are parsed and counted on a worker thread, not the event loop. */
  public static final int PARSE_ON_LOOP_BYTES = 64 * 1024;

  private final GatewayCore core;

  public ApiHandler(GatewayCore core) {
    this.core = core;
  }

  /** Whether {@code p}, a request's normalised path, is one of Vane's own endpoints. */
  public boolean handles(String p) {
    return p.equals("/healthz") || p.equals("/readyz") || p.equals("/v1/experiments")
        || p.startsWith("/v1/experiments/") || p.equals("/v1/feedback");
  }

  /** Serves {@code req}, whose normalised path is {@code p}. */
  public void handle(HttpServerRequest req, String p) {
    String rid = RequestIds.fromClient(req.getHeader(Headers.REQUEST_ID));
    req.response().putHeader(Headers.REQUEST_ID, rid);
    guarded(req, rid, () -> route(req, p, rid));
  }

  private void route(HttpServerRequest req, String p, String rid) {
    if (p.equals("/v1/feedback")) {
      feedback(req, rid);
      return;
    }
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      Errors.send(req.response().putHeader("Allow", "GET"), 405, req.method() + " " + p + " is not supported", rid);
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
        Future.all(parts).onComplete(ar -> guarded(req, rid, () -> {
          if (ar.failed()) {
            failed(req, rid, ar.cause());
            return;
          }
          JsonArray list = new JsonArray();
          parts.forEach(f -> list.add(f.result()));
          json(req, 200, new JsonObject().put("configVersion", snap.config().version()).put("experiments", list));
        }));
      }
      default -> {
        String id = p.substring("/v1/experiments/".length());
        if (id.endsWith("/results")) {
          results(req, rid, snap, id.substring(0, id.length() - "/results".length()));
          return;
        }
        Experiment e = snap.config().routing().experiment(id);
        if (e == null) {
          Errors.send(req.response(), 404, "no experiment " + FeedbackService.echo(id), rid);
        } else {
          render(e, snap.stats().get(id)).onComplete(ar -> guarded(req, rid, () -> {
            if (ar.failed()) {
              failed(req, rid, ar.cause());
            } else {
              json(req, 200, ar.result());
            }
          }));
        }
      }
    }
  }

  /**
   * Runs one step of answering a request; whatever it throws is logged with the request id and answered 500 (or,
   * when the response has already begun, ends the connection so the client is not left waiting).
   */
  private static void guarded(HttpServerRequest req, String rid, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException | StackOverflowError e) {
      failed(req, rid, e);
    }
  }

  private static void failed(HttpServerRequest req, String rid, Throwable t) {
    log.error("{} {} failed (request id {})", req.method(), FeedbackService.echo(req.path()), rid, t);
    HttpServerResponse res = req.response();
    if (res.headWritten() && !res.ended() && !res.closed()) {
      req.connection().close();
      return;
    }
    Errors.send(res, 500, "internal error; logged with this request id", rid);
  }

  /** Figures summed over every instance when a shared store is configured, else this instance's. */
  private Future<JsonObject> render(Experiment e, ExperimentStats local) {
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

  private final ResultsCalculator calculator = new ResultsCalculator();

  /** {@code GET /v1/experiments/{id}/results[?format=csv][&slice=dimension]}. */
  private void results(HttpServerRequest req, String rid, Snapshot snap, String id) {
    Experiment e = snap.config().routing().experiment(id);
    if (e == null) {
      Errors.send(req.response(), 404, "no experiment " + FeedbackService.echo(id), rid);
      return;
    }
    String format = req.getParam("format", "json");
    if (!format.equals("json") && !format.equals("csv")) {
      Errors.send(req.response(), 400, "format: " + FeedbackService.echo(format) + " (expected: json or csv)", rid);
      return;
    }
    String slice = req.getParam("slice");
    Analysis analysis = snap.config().analysis(id);
    if (slice != null && analysis.slices().stream().noneMatch(d -> d.name().equals(slice))) {
      Errors.send(req.response(), 400, "slice: " + FeedbackService.echo(slice)
          + " (expected: one of the experiment's slices "
          + analysis.slices().stream().map(Analysis.Slice::name).toList() + ")", rid);
      return;
    }
    ExperimentStats local = snap.stats().get(id);
    Context ctx = Vertx.currentContext();
    core.figures().read(e, local).whenComplete((f, t) -> ctx.runOnContext(x -> guarded(req, rid, () -> {
      Figures.Experiment figs = t == null ? f : local.localFigures();
      ResultsInput in = ResultsInputs.from(e, analysis, figs, core.bandit().view(e));
      // statistics over O(arms x metrics x slices) sums: cheap, but off the event loop all the same
      core.vertx().executeBlocking(() -> format.equals("csv") ? calculator.toCsv(in, slice)
          : calculator.toJson(in, slice).put("figures", figs.source()).encodePrettily(), false)
          .onComplete(ar -> guarded(req, rid, () -> {
            if (ar.failed()) {
              failed(req, rid, ar.cause());
              return;
            }
            req.response().putHeader("Content-Type", format.equals("csv") ? "text/csv; charset=utf-8"
                : "application/json").end(ar.result());
          }));
    })));
  }

  /**
   * {@code POST /v1/feedback}. The body is read whole (at most {@code maxBodyBytes}, else 413) within the shared
   * {@link BodyBudget} (else 503 with {@code Retry-After}); a body over {@value #PARSE_ON_LOOP_BYTES} bytes is
   * parsed, counted and its answer encoded on a worker thread so that a burst of large bodies cannot stall the
   * event loop's proxied requests. The budget is held until the answer is sent.
   */
  private void feedback(HttpServerRequest req, String rid) {
    if (req.method() != HttpMethod.POST) {
      Errors.send(req.response().putHeader("Allow", "POST"), 405, req.method() + " /v1/feedback is not supported",
          rid);
      return;
    }
    long max = core.snapshot().config().server().maxBodyBytes();
    BodyBudget budget = core.feedbackBodies();
    long declared = 0;
    String cl = req.getHeader("Content-Length");
    if (cl != null) {
      try {
        declared = Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        declared = -1;
      }
      if (declared < 0) {
        refuse(req, rid, 400, "invalid Content-Length: " + FeedbackService.echo(cl));
        return;
      }
      if (declared > max) {
        refuse(req, rid, 413, "feedback body of " + declared + " bytes exceeds the limit of " + max + " bytes");
        return;
      }
    }
    Reading r = new Reading(budget);
    req.response().endHandler(v -> r.release());
    req.response().closeHandler(v -> r.release());
    if (!r.take(declared)) {
      refuse(req, rid, 503, "too many feedback bodies in progress (" + budget.limit() + " bytes); retry shortly");
      return;
    }
    Buffer body = Buffer.buffer((int) Math.min(declared, PARSE_ON_LOOP_BYTES));
    req.handler(chunk -> guarded(req, rid, () -> {
      if (r.done) {
        return;
      }
      long length = (long) body.length() + chunk.length();
      if (length > max) {
        r.done = true;
        refuse(req, rid, 413, "feedback body exceeds the limit of " + max + " bytes");
      } else if (!r.take(length)) {
        r.done = true;
        refuse(req, rid, 503, "too many feedback bodies in progress (" + budget.limit() + " bytes); retry shortly");
      } else {
        body.appendBuffer(chunk);
      }
    }));
    req.exceptionHandler(t -> {
      r.done = true;
      r.release();
    });
    req.endHandler(v -> guarded(req, rid, () -> {
      if (r.done) {
        return;
      }
      r.done = true;
      if (body.length() <= PARSE_ON_LOOP_BYTES) {
        answer(req, rid, parse(body, rid), false);
      } else {
        core.vertx().executeBlocking(() -> parse(body, rid), false).onComplete(ar -> guarded(req, rid, () -> {
          if (ar.failed()) {
            failed(req, rid, ar.cause());
          } else {
            answer(req, rid, ar.result(), true);
          }
        }));
      }
    }));
  }

  /** Bytes of the budget one feedback body holds; given back once, when its response ends or its connection closes. */
  private static final class Reading {
    final BodyBudget budget;
    long held;
    boolean done;

    Reading(BodyBudget budget) {
      this.budget = budget;
    }

    /** Grows the share held to {@code bytes}; false when the budget has no room. */
    boolean take(long bytes) {
      if (bytes <= held) {
        return true;
      }
      if (!budget.tryAcquire(bytes - held)) {
        return false;
      }
      held = bytes;
      return true;
    }

    void release() {
      budget.release(held);
      held = 0;
    }
  }

  /** A refusal before the body was read whole: the rest of the body is not read, so the connection is closed. */
  private static void refuse(HttpServerRequest req, String rid, int status, String message) {
    HttpServerResponse res = req.response().putHeader("Connection", "close");
    if (status == 503) {
      res.putHeader("Retry-After", "1");
    }
    Errors.send(res, status, message, rid);
  }

  /**
   * A parsed body: an error for the whole body (400), or its events being counted.
   *
   * @param single whether the body was one event (answered with that event's status)
   */
  private record Parsed(String badRequest, boolean single, CompletionStage<List<FeedbackService.Result>> results) {}

  /** Parses a body and starts counting its events; runs on the event loop or a worker. */
  private Parsed parse(Buffer body, String rid) {
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException e) {
      return new Parsed("feedback body is not valid JSON: " + FeedbackService.echo(rootMessage(e)), false, null);
    }
    try {
      boolean single = parsed instanceof JsonObject o && !o.containsKey("events");
      return new Parsed(null, single, core.feedback().ingest(parsed, rid));
    } catch (IllegalArgumentException e) {
      return new Parsed(e.getMessage(), false, null);
    }
  }

  private void answer(HttpServerRequest req, String rid, Parsed parsed, boolean offLoop) {
    if (parsed.badRequest() != null) {
      Errors.send(req.response(), 400, parsed.badRequest(), rid);
      return;
    }
    Context ctx = Vertx.currentContext();
    parsed.results().whenComplete((results, t) -> ctx.runOnContext(x -> guarded(req, rid, () -> {
      if (t != null) {
        failed(req, rid, t);
        return;
      }
      int status = parsed.single() ? results.get(0).httpStatus() : 200;
      if (!offLoop) {
        json(req, status, FeedbackService.response(results));
        return;
      }
      core.vertx().executeBlocking(() -> FeedbackService.response(results).encodePrettily(), false)
          .onComplete(ar -> guarded(req, rid, () -> {
            if (ar.failed()) {
              failed(req, rid, ar.cause());
              return;
            }
            req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(ar.result());
          }));
    })));
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
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
      endpoints.put(ep.id(), new JsonObject().put("url", ep.displayUrl()));
    }
    JsonObject body = new JsonObject()
        .put("status", status)
        .put("config", new JsonObject().put("source", cfg.source()).put("version", cfg.version())
            .put("loadedAt", core.lastReloadAt().toString())
            .put("lastReloadError", core.lastReloadError()))
        .put("store", new JsonObject().put("up", storeUp).put("provisionalAnswers", store.provisionalAnswers())
            .put("detail", store.describe()))
        .put("figures", core.figures().describe())
        .put("feedback", core.feedbackBackend().describe())
        .put("feedbackBodies", new JsonObject().put("budgetBytes", core.feedbackBodies().limit())
            .put("heldBytes", core.feedbackBodies().held()).put("refused", core.feedbackBodies().refused()))
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
