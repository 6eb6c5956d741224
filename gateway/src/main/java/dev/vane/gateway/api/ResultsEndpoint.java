package dev.vane.gateway.api;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.FigureSource;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.counters.SeriesRows;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.results.OverTime;
import dev.vane.gateway.results.ResultsCalculator;
import dev.vane.gateway.results.ResultsInputs;
import dev.vane.gateway.results.ResultsInput;
import dev.vane.gateway.results.CalibrationResults;
import dev.vane.gateway.results.ResponseResults;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Snapshot;
import dev.vane.router.Experiment;
import dev.vane.stats.Options;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /v1/experiments/{id}/results[?format=csv][&slice=dimension][&interval=1h|1d&from=&to=]}: the analysis,
 * as JSON or CSV; with {@code interval} (JSON only), also its {@code overTime} section ({@link OverTime}) over the
 * intervals {@link SeriesRange} reads.
 */
final class ResultsEndpoint {
  private static final List<String> OVER_TIME_INTERVALS = List.of("1h", "1d");

  private final GatewayCore core;
  private final ResultsCalculator calculator = new ResultsCalculator();

  ResultsEndpoint(GatewayCore core) {
    this.core = core;
  }

  /** The time series' rows {@code range} asks for (none without a range), from where the figures come from. */
  private CompletionStage<SeriesRows> overTime(Experiment e, ExperimentCounters local, SeriesRange range) {
    return range == null ? CompletableFuture.completedFuture(null)
        : core.figures().readSeries(e, local, range.resolution(), range.fromPeriod(), range.toPeriod());
  }

  /** The results with {@code overTime} ({@link OverTime}) when an interval was asked for. */
  private static JsonObject withOverTime(JsonObject results, ResultsInput in, ExperimentCounters local,
      SeriesRange range, SeriesRows rows) {
    if (range == null) {
      return results;
    }
    return results.put("overTime", OverTime.render(in, Options.defaults(), range.interval(), range.fromMillis(),
        range.toMillis(), rows.intervals(local.timeSeries().layout(), range.fromMillis(), range.toMillis(),
            range.stepMillis())));
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
    SeriesRange range = null;
    if (req.getParam("interval") != null) {
      try {
        if (format.equals("csv")) {
          throw new IllegalArgumentException("interval: " + FeedbackService.echo(req.getParam("interval"))
              + " (expected: only with format=json)");
        }
        range = SeriesRange.of(req, local.timeSeries(), "1h", OVER_TIME_INTERVALS);
      } catch (IllegalArgumentException bad) {
        Errors.send(req.response(), 400, bad.getMessage(), rid);
        return;
      }
    }
    SeriesRange over = range;
    Context ctx = Vertx.currentContext();
    CompletableFuture<Figures.Experiment> figsF = core.figures().read(e, local).toCompletableFuture();
    CompletableFuture<SeriesRows> rowsF = overTime(e, local, over).toCompletableFuture();
    CompletableFuture<ResponseCounters.Snapshot> respF = core.figures().readResponses(e, local)
        .toCompletableFuture();
    CompletableFuture.allOf(figsF.exceptionally(t -> null), rowsF.exceptionally(t -> null),
            respF.exceptionally(t -> null))
        .whenComplete((v, t) -> ctx.runOnContext(x -> Answers.guarded(req, rid, () -> {
      // each falls back to this instance's own when the shared store did not answer
      Figures.Experiment figs = figsF.isCompletedExceptionally() ? local.localFigures() : figsF.join();
      SeriesRows rows = over == null ? null : !rowsF.isCompletedExceptionally() ? rowsF.join()
          : FigureSource.localSeries(local, over.resolution(), over.fromPeriod(), over.toPeriod());
      ResponseCounters.Snapshot resp = respF.isCompletedExceptionally() ? local.responseSnapshot()
          : respF.join();
      // only the shared store's reads fail: a failed figures read with a good response read means redis
      String respSource = respF.isCompletedExceptionally() ? "local"
          : figsF.isCompletedExceptionally() ? "redis" : figs.source();
      ResultsInput in = ResultsInputs.from(e, analysis, figs, core.bandit().view(e));
      // statistics over O(arms x metrics x slices) sums: cheap, but off the event loop all the same
      core.vertx().executeBlocking(() -> format.equals("csv") ? calculator.toCsv(in, slice)
              + responsesCsv(snap, e, analysis, resp, figs, local, respSource)
          : withOverTime(withCalibration(withResponses(calculator.toJson(in, slice), snap, e, analysis, resp, figs),
              analysis, local, resp, respSource).put("figures", figs.source()), in, local, over, rows)
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

  /**
   * Adds {@code responseMetrics.calibration} ({@link CalibrationResults}) when a response metric calibrates a binary
   * metric, and each arm's {@code referenceDrift} when a metric has a reference window, from {@code resp}'s figures
   * (summed over instances, or this instance's).
   */
  private static JsonObject withCalibration(JsonObject results, Analysis analysis, ExperimentCounters local,
      ResponseCounters.Snapshot resp, String source) {
    JsonObject r = results.getJsonObject("responseMetrics");
    if (r != null && local.calibration().active()) {
      r.put("calibration", CalibrationResults.toJson(analysis, resp.calibration(), source));
    }
    if (r != null && local.references().active()) {
      CalibrationResults.addReferenceDrift(r, local.references(), resp.references());
    }
    return results;
  }

  /** The response metrics' CSV rows ({@link ResponseResults#toCsv}), or "" when there are none. */
  private static String responsesCsv(Snapshot snap, Experiment e, Analysis analysis,
      ResponseCounters.Snapshot responses, Figures.Experiment figs, ExperimentCounters local, String source) {
    JsonObject r = withCalibration(withResponses(new JsonObject(), snap, e, analysis, responses, figs), analysis,
        local, responses, source).getJsonObject("responseMetrics");
    return r == null ? "" : ResponseResults.toCsv(r);
  }

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
