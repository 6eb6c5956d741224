package dev.vane.gateway.api;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.FigureSource;
import dev.vane.gateway.counters.LatencyBuckets;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.counters.SeriesPeriod;
import dev.vane.gateway.counters.SeriesRows;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Snapshot;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/experiments/{id}/timeseries?from=&to=&interval=1m|1h|1d}: the current version's counts per arm and
 * per shadow per interval, from its {@link dev.vane.gateway.counters.TimeSeries}: summed over every instance in
 * Redis when Redis is configured ({@code source: redis}; this instance's alone if Redis does not answer), else this
 * instance's ({@code source: local}). The range: {@link SeriesRange}.
 */
final class TimeSeriesEndpoint {
  private static final List<String> INTERVALS = List.of("1m", "1h", "1d");

  private final GatewayCore core;

  TimeSeriesEndpoint(GatewayCore core) {
    this.core = core;
  }

  void timeseries(HttpServerRequest req, String rid, String id) {
    Snapshot snap = core.snapshot();
    Experiment e = snap.config().routing().experiment(id);
    ExperimentCounters counters = snap.counters().get(id);
    if (e == null || counters == null) {
      Errors.send(req.response(), 404, "no experiment " + FeedbackService.echo(id), rid);
      return;
    }
    SeriesRange range;
    try {
      range = SeriesRange.of(req, counters.timeSeries(), "1m", INTERVALS);
    } catch (IllegalArgumentException bad) {
      Errors.send(req.response(), 400, bad.getMessage(), rid);
      return;
    }
    Analysis analysis = snap.config().analysis(id);
    Context ctx = Vertx.currentContext();
    core.figures().readSeries(e, counters, range.resolution(), range.fromPeriod(), range.toPeriod())
        .whenComplete((rows, t) -> ctx.runOnContext(x -> Answers.guarded(req, rid, () -> {
          SeriesRows read = t == null ? rows
              : FigureSource.localSeries(counters, range.resolution(), range.fromPeriod(), range.toPeriod());
          Answers.json(req, 200, render(e, counters, analysis, range, read));
        })));
  }

  static JsonObject render(Experiment e, ExperimentCounters counters, Analysis analysis, SeriesRange range,
      SeriesRows read) {
    SeriesPeriod.Layout layout = counters.timeSeries().layout();
    List<SeriesPeriod> intervals = read.intervals(layout, range.fromMillis(), range.toMillis(), range.stepMillis());
    JsonObject weights = new JsonObject();
    JsonObject arms = new JsonObject();
    for (int a = 0; a < layout.arms().size(); a++) {
      JsonArray list = new JsonArray();
      for (SeriesPeriod p : intervals) {
        list.add(armRow(p, a, analysis));
      }
      arms.put(layout.arms().get(a), list);
    }
    for (Arm arm : e.arms()) {
      weights.put(arm.id(), arm.weightBps());
    }
    JsonObject shadows = new JsonObject();
    for (int s = 0; s < layout.shadows().size(); s++) {
      JsonArray list = new JsonArray();
      for (SeriesPeriod p : intervals) {
        list.add(shadowRow(p, s));
      }
      shadows.put(layout.shadows().get(s), list);
    }
    return new JsonObject()
        .put("experiment", e.id())
        .put("version", counters.version())
        .put("source", read.source())
        .put("interval", range.interval())
        .put("from", Instant.ofEpochMilli(range.fromMillis()).toString())
        .put("to", Instant.ofEpochMilli(range.toMillis()).toString())
        .put("retainedFrom", Instant.ofEpochMilli(range.retainedFrom()).toString())
        .put("weightsBps", weights)
        .put("arms", arms)
        .put("shadows", shadows);
  }

  /**
   * One arm's interval. {@code errorRate} = 5xx / requests; {@code latencyMeanMs} = latency sum / latency count;
   * {@code latencyP50Ms}, {@code latencyP99Ms} read from the buckets ({@link LatencyBuckets}: within 9.05%); per
   * metric n, sum, mean and variance ({@link #metric}); each null when its denominator is 0.
   */
  static JsonObject armRow(SeriesPeriod p, int a, Analysis analysis) {
    long requests = p.arm(a, SeriesPeriod.REQUESTS);
    long exposures = p.arm(a, SeriesPeriod.EXPOSURES);
    long count = p.arm(a, SeriesPeriod.LATENCY_COUNT);
    long[] buckets = p.latency(a);
    JsonObject metrics = new JsonObject();
    List<String> names = p.layout().metrics();
    for (int m = 0; m < names.size(); m++) {
      Analysis.Metric def = analysis.metric(names.get(m));
      metrics.put(names.get(m), metric(p.outcome(a, m), def != null && def.binary(), exposures));
    }
    return new JsonObject()
        .put("t", Instant.ofEpochMilli(p.startMillis()).toString())
        .put("exposures", exposures)
        .put("requests", requests)
        .put("units", p.arm(a, SeriesPeriod.UNITS))
        .put("status", new JsonObject()
            .put("2xx", p.arm(a, SeriesPeriod.STATUS_2XX)).put("3xx", p.arm(a, SeriesPeriod.STATUS_2XX + 1))
            .put("4xx", p.arm(a, SeriesPeriod.STATUS_2XX + 2)).put("5xx", p.arm(a, SeriesPeriod.STATUS_2XX + 3)))
        .put("fallbacks", p.arm(a, SeriesPeriod.FALLBACKS))
        .put("upstreamErrors", p.arm(a, SeriesPeriod.UPSTREAM_ERRORS))
        .put("errorRate", requests == 0 ? null : p.arm(a, SeriesPeriod.STATUS_2XX + 3) / (double) requests)
        .put("latencyMeanMs", count == 0 ? null : p.arm(a, SeriesPeriod.LATENCY_SUM_MICROS) / (double) count / 1000)
        .put("latencyP50Ms", ms(LatencyBuckets.quantileMicros(buckets, 0.50)))
        .put("latencyP99Ms", ms(LatencyBuckets.quantileMicros(buckets, 0.99)))
        .put("metrics", metrics);
  }

  /**
   * A metric's sums over an interval. Binary: {@code n} positive events, mean = n / exposures (the conversion
   * rate), variance = mean (1 - mean). Continuous: {@code n} values, mean = sum / n, variance = (sumSq - sum² / n) /
   * (n - 1), the sample variance. Null when the denominator is 0 (variance: n &lt; 2 for continuous metrics).
   */
  static JsonObject metric(OutcomeCounters.Sums s, boolean binary, long exposures) {
    Double mean;
    Double variance;
    if (binary) {
      mean = exposures == 0 ? null : Math.min(exposures, s.n()) / (double) exposures;
      variance = mean == null ? null : mean * (1 - mean);
    } else {
      mean = s.n() == 0 ? null : s.sum() / s.n();
      variance = s.n() < 2 ? null : Math.max(0, (s.sumSq() - s.sum() * s.sum() / s.n()) / (s.n() - 1));
    }
    return new JsonObject().put("n", s.n()).put("sum", s.sum()).put("mean", mean).put("variance", variance);
  }

  /** One shadow's interval: agreementRate = agreements / compared, latencyDiffMeanMs = diff sum / compared. */
  static JsonObject shadowRow(SeriesPeriod p, int s) {
    long compared = p.shadow(s, SeriesPeriod.COMPARED);
    return new JsonObject()
        .put("t", Instant.ofEpochMilli(p.startMillis()).toString())
        .put("mirrored", p.shadow(s, SeriesPeriod.MIRRORED))
        .put("compared", compared)
        .put("agreements", p.shadow(s, SeriesPeriod.AGREEMENTS))
        .put("agreementRate", compared == 0 ? null : p.shadow(s, SeriesPeriod.AGREEMENTS) / (double) compared)
        .put("latencyDiffMeanMs", compared == 0 ? null
            : p.shadow(s, SeriesPeriod.LATENCY_DIFF_SUM_MICROS) / (double) compared / 1000);
  }

  private static Double ms(double micros) {
    return Double.isNaN(micros) ? null : micros / 1000;
  }
}
