package dev.vane.gateway.api;

import dev.vane.gateway.counters.TimeSeries;
import dev.vane.gateway.feedback.FeedbackService;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The {@code interval}, {@code from} and {@code to} of a time-series query, checked against what the series keeps.
 *
 * <p>{@code 1m} reads minute rows and only within the minute window; {@code 1h} reads hour rows; {@code 1d} sums
 * hour rows per UTC day. {@code from} (inclusive) and {@code to} (exclusive) are ISO-8601 instants widened to whole
 * intervals; by default {@code to} is the end of the current interval and {@code from} 1 hour (1m), 1 day (1h) or 14
 * days (1d) earlier, no earlier than what is kept. The range is clipped to what is kept and to now.
 *
 * @param interval     {@code 1m}, {@code 1h} or {@code 1d}
 * @param resolution   the rows read
 * @param stepMillis   length of one interval
 * @param fromMillis   start of the first interval (epoch milliseconds)
 * @param toMillis     end of the last interval ({@code fromMillis} when there is none)
 * @param retainedFrom start of the oldest row kept at this resolution
 */
record SeriesRange(String interval, TimeSeries.Resolution resolution, long stepMillis, long fromMillis,
    long toMillis, long retainedFrom) {
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 86_400_000L;

  /** The first period to read (at {@link #resolution}). */
  long fromPeriod() {
    return resolution.period(fromMillis);
  }

  /** The period after the last one to read. */
  long toPeriod() {
    return resolution.period(toMillis);
  }

  /**
   * The range a request asks for.
   *
   * @param allowed the intervals this endpoint offers, in the order the error message lists them
   * @throws IllegalArgumentException naming the parameter and what it expects
   */
  static SeriesRange of(HttpServerRequest req, TimeSeries series, String defaultInterval, List<String> allowed) {
    String interval = req.getParam("interval", defaultInterval);
    if (!allowed.contains(interval)) {
      throw new IllegalArgumentException("interval: " + FeedbackService.echo(interval) + " (expected: "
          + (allowed.size() == 2 ? allowed.get(0) + " or " + allowed.get(1)
          : String.join(", ", allowed.subList(0, allowed.size() - 1)) + " or " + allowed.get(allowed.size() - 1))
          + ")");
    }
    TimeSeries.Resolution res = interval.equals("1m") ? TimeSeries.Resolution.MINUTE : TimeSeries.Resolution.HOUR;
    long step = switch (interval) {
      case "1m" -> MINUTE;
      case "1h" -> HOUR;
      default -> DAY;
    };
    long now = series.nowMillis();
    long retained = series.oldest(res, now) * res.millis;
    Long toParam = instant(req, "to");
    Long fromParam = instant(req, "from");
    long to = toParam != null ? ceil(toParam, step) : Math.floorDiv(now, step) * step + step;
    long span = switch (interval) {
      case "1m" -> HOUR;
      case "1h" -> DAY;
      default -> 14 * DAY;
    };
    long from = fromParam != null ? Math.floorDiv(fromParam, step) * step
        : Math.max(to - span, Math.floorDiv(retained, step) * step);
    if (from >= to && fromParam == null) { // a to before everything kept
      throw new IllegalArgumentException("to: " + FeedbackService.echo(req.getParam("to")) + " (expected: after "
          + Instant.ofEpochMilli(retained) + ", the oldest row kept for interval=" + interval + ")");
    }
    if (from >= to) {
      throw new IllegalArgumentException("from: " + FeedbackService.echo(req.getParam("from"))
          + " (expected: before to " + Instant.ofEpochMilli(to) + ")");
    }
    if (res == TimeSeries.Resolution.MINUTE && fromParam != null && from < retained) {
      throw new IllegalArgumentException("from: " + FeedbackService.echo(req.getParam("from"))
          + " (expected: at or after " + Instant.ofEpochMilli(retained) + ", the start of the minute window; "
          + "interval=1h or 1d reads older rows)");
    }
    long first = Math.max(from, Math.floorDiv(retained, step) * step);
    long end = Math.min(to, Math.floorDiv(now, step) * step + step);
    return new SeriesRange(interval, res, step, first, Math.max(first, end), retained);
  }

  private static long ceil(long ms, long step) {
    return Math.floorDiv(ms + step - 1, step) * step;
  }

  /** The query parameter in epoch milliseconds, or null when absent. */
  private static Long instant(HttpServerRequest req, String name) {
    String raw = req.getParam(name);
    if (raw == null) {
      return null;
    }
    try {
      long ms = Instant.parse(raw).toEpochMilli();
      if (Math.abs(ms) > 253_402_300_799_999L) { // after 9999-12-31: no arithmetic on it may overflow
        throw new ArithmeticException();
      }
      return ms;
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException(name + ": " + FeedbackService.echo(raw)
          + " (expected: an ISO-8601 instant such as 2026-01-31T12:00:00Z)");
    }
  }
}
