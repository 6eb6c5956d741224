package dev.vane.gateway.api;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.results.ResultsCalculator;
import dev.vane.gateway.results.ResultsInputs;
import dev.vane.gateway.results.ResultsInput;
import dev.vane.gateway.results.ResponseResults;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Snapshot;
import dev.vane.router.Experiment;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletionStage;

/** {@code GET /v1/experiments/{id}/results[?format=csv][&slice=dimension]}: the analysis, as JSON or CSV. */
final class ResultsEndpoint {
  private final GatewayCore core;
  private final ResultsCalculator calculator = new ResultsCalculator();

  ResultsEndpoint(GatewayCore core) {
    this.core = core;
  }

  void results(HttpServerRequest req, String rid, String id) {
    Snapshot snap = core.snapshot();
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
    // a cross is named first+second, and an unescaped '+' in a query string reads as a space (slice names hold none)
    String slice = req.getParam("slice") == null ? null : req.getParam("slice").replace(' ', Analysis.Cross.JOIN);
    Analysis analysis = snap.config().analysis(id);
    java.util.List<String> dimensions = java.util.stream.Stream.concat(
        analysis.slices().stream().map(Analysis.Slice::name),
        analysis.sliceCrosses().stream().map(Analysis.Cross::name)).toList();
    if (slice != null && !dimensions.contains(slice)) {
      Errors.send(req.response(), 400, "slice: " + FeedbackService.echo(slice)
          + " (expected: one of the experiment's slices or crosses " + dimensions + ")", rid);
      return;
    }
    ExperimentCounters local = snap.counters().get(id);
    Context ctx = Vertx.currentContext();
    CompletionStage<ResponseCounters.Snapshot> responses = core.figures().readResponses(e, local)
        .exceptionally(t -> local.responses().snapshot());
    core.figures().read(e, local).thenCombine(responses, Read::new).whenComplete((read, t) -> ctx.runOnContext(
        x -> Answers.guarded(req, rid, () -> {
      Figures.Experiment figs = t == null ? read.figures() : local.localFigures();
      ResponseCounters.Snapshot resp = t == null ? read.responses() : local.responses().snapshot();
      ResultsInput in = ResultsInputs.from(e, analysis, figs, core.bandit().view(e));
      // statistics over O(arms x metrics x slices) sums: cheap, but off the event loop all the same
      core.vertx().executeBlocking(() -> format.equals("csv") ? calculator.toCsv(in, slice)
              + responsesCsv(snap, e, analysis, resp, figs)
          : withResponses(calculator.toJson(in, slice), snap, e, analysis, resp, figs).put("figures", figs.source())
              .encodePrettily(), false)
          .onComplete(ar -> Answers.guarded(req, rid, () -> {
            if (ar.failed()) {
              Answers.failed(req, rid, ar.cause());
              return;
            }
            req.response().putHeader("Content-Type", format.equals("csv") ? "text/csv; charset=utf-8"
                : "application/json").end(ar.result());
          }));
    })));
  }

  /** The response metrics' CSV rows ({@link ResponseResults#toCsv}), or "" when there are none. */
  private static String responsesCsv(Snapshot snap, Experiment e, Analysis analysis,
      ResponseCounters.Snapshot responses, Figures.Experiment figs) {
    JsonObject r = withResponses(new JsonObject(), snap, e, analysis, responses, figs).getJsonObject("responseMetrics");
    return r == null ? "" : ResponseResults.toCsv(r);
  }

  private record Read(Figures.Experiment figures, ResponseCounters.Snapshot responses) {}

  /**
   * Adds {@code responseMetrics} ({@link ResponseResults}) when the experiment declares response metrics or prices,
   * or a shadow's text answers were compared.
   */
  private static JsonObject withResponses(JsonObject results, Snapshot snap, Experiment e, Analysis analysis,
      ResponseCounters.Snapshot responses, Figures.Experiment figs) {
    JsonObject r = ResponseResults.toJson(e, analysis, snap.config().endpoints(), responses, figs.outcomes());
    boolean texts = false;
    for (Object t : r.getJsonArray("textSimilarity", new io.vertx.core.json.JsonArray())) {
      JsonObject edit = ((JsonObject) t).getJsonObject("editSimilarity");
      texts |= edit.getLong("n") > 0 || !edit.getJsonObject("skipped").isEmpty();
    }
    if (!analysis.responseMetrics().isEmpty() || r.containsKey("cost") || texts) {
      results.put("responseMetrics", r);
    }
    return results;
  }
}
