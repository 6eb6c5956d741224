package dev.vane.gateway.api;

import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.MinuteSeries;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Snapshot;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code GET /v1/experiments/{id}/timeseries?from=&to=&interval=1m|1h}: this instance's counts per arm per interval
 * for the experiment's current version, from its {@link MinuteSeries} (the last 24 hours).
 *
 * <p>{@code from} (inclusive) and {@code to} (exclusive) are ISO-8601 instants, widened to whole intervals; by default
 * {@code to} is the end of the current minute and {@code from} one hour (1m) or one day (1h) earlier. The range is
 * clipped to the minutes kept ({@code retainedFrom}) and to now, so an answer has at most 1440 rows per arm.
 */
final class TimeSeriesEndpoint {
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
    String interval = req.getParam("interval", "1m");
    int step;
    if (interval.equals("1m")) {
      step = 1;
    } else if (interval.equals("1h")) {
      step = 60;
    } else {
      Errors.send(req.response(), 400, "interval: " + FeedbackService.echo(interval) + " (expected: 1m or 1h)", rid);
      return;
    }
    MinuteSeries any = counters.arm(e.arms().get(0).id()).series();
    long now = any.currentMinute();
    long oldest = any.oldestMinute();
    Long to;
    Long from;
    try {
      to = minute(req, "to", true);
      from = minute(req, "from", false);
    } catch (IllegalArgumentException bad) {
      Errors.send(req.response(), 400, bad.getMessage(), rid);
      return;
    }
    // whole intervals: from down, to up to a multiple of the interval
    long toMinute = Math.floorDiv((to != null ? to : now + 1) + step - 1, step) * step;
    long fromMinute = Math.floorDiv(from != null ? from : toMinute - (step == 1 ? 60 : 24 * 60), step) * step;
    if (fromMinute >= toMinute) {
      Errors.send(req.response(), 400, "from: " + FeedbackService.echo(req.getParam("from"))
          + " (expected: before to " + Instant.ofEpochSecond(toMinute * 60) + ")", rid);
      return;
    }
    // within the minutes kept and not past now
    long first = Math.floorDiv(Math.max(fromMinute, oldest), step) * step;
    long end = Math.min(toMinute, now + 1);
    JsonObject arms = new JsonObject();
    for (Arm arm : e.arms()) {
      JsonArray rows = new JsonArray();
      if (first < end) {
        for (MinuteSeries.Bucket b : counters.arm(arm.id()).series().buckets(first, end, step)) {
          rows.add(row(b));
        }
      }
      arms.put(arm.id(), rows);
    }
    Answers.json(req, 200, new JsonObject()
        .put("experiment", id)
        .put("version", counters.version())
        .put("source", "local")
        .put("interval", interval)
        .put("from", Instant.ofEpochSecond(first * 60).toString())
        .put("to", Instant.ofEpochSecond(Math.max(first, Math.floorDiv(end + step - 1, step) * step) * 60).toString())
        .put("retainedFrom", Instant.ofEpochSecond(oldest * 60).toString())
        .put("arms", arms));
  }

  /** One interval: {@code latencyMeanMs} is the mean end-to-end latency in ms, or null without latencies. */
  private static JsonObject row(MinuteSeries.Bucket b) {
    double mean = b.latencyMeanMillis();
    return new JsonObject()
        .put("t", Instant.ofEpochMilli(b.startMillis()).toString())
        .put("exposures", b.exposures())
        .put("requests", b.requests())
        .put("status", new JsonObject().put("2xx", b.status2xx()).put("3xx", b.status3xx())
            .put("4xx", b.status4xx()).put("5xx", b.status5xx()))
        .put("latencyMeanMs", Double.isNaN(mean) ? null : mean);
  }

  /** The query parameter as minutes since the epoch (rounded up when {@code ceil}), or null when absent. */
  private static Long minute(HttpServerRequest req, String name, boolean ceil) {
    String raw = req.getParam(name);
    if (raw == null) {
      return null;
    }
    try {
      long ms = Instant.parse(raw).toEpochMilli();
      return ceil ? Math.floorDiv(ms + 59_999, 60_000L) : Math.floorDiv(ms, 60_000L);
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException(name + ": " + FeedbackService.echo(raw)
          + " (expected: an ISO-8601 instant such as 2026-01-31T12:00:00Z)");
    }
  }
}
