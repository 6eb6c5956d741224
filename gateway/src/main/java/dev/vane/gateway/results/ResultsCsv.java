package dev.vane.gateway.results;

import dev.vane.gateway.counters.SliceCrosses;
import dev.vane.gateway.results.Report.ArmFigures;
import dev.vane.gateway.results.Report.Latency;
import dev.vane.gateway.results.Report.MetricComparison;
import dev.vane.gateway.results.Report.Outcome;
import dev.vane.gateway.results.Report.Slice;
import dev.vane.stats.Interval;
import dev.vane.stats.SequentialState;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders a {@link Report} as CSV (RFC 4180: comma-separated, CRLF line ends, cells with a comma, quote, CR or LF
 * quoted with inner quotes doubled, one header row). One row per (slice dimension, slice value, arm, metric); the
 * pooled rows come first with dimension and value {@value ResultsCalculator#POOLED} and also carry the built-in
 * {@code latency} and {@code error_rate} metrics. Treatment rows carry the comparison against the control; control
 * rows leave those cells empty. Numbers are plain decimals with the shortest digits that read back to the same
 * double; an undefined number (null in the JSON) is an empty cell. A cross of two slice dimensions is a dimension
 * {@code first+second} whose values are pairs {@code a+b} (the JSON splits them). The sample-ratio check, bandit
 * state, novelty check and warnings are JSON-only.
 *
 * <p>Text cells (dimension, slice value, arm, role, metric, kind, direction, test, reasons) are neutralised against
 * CSV injection (OWASP): one that starts with {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage
 * return, which a spreadsheet would read as a formula, gets a leading single quote. Numeric cells are never
 * neutralised (a negative number stays a number).
 */
final class ResultsCsv {
  private ResultsCsv() {}

  static final List<String> HEADER = List.of("dimension", "value", "arm", "role", "metric", "kind", "direction",
      "exposures", "units", "requests", "n", "successes", "estimate", "estimate_low", "estimate_high", "sd",
      "p50_ms", "p90_ms", "p99_ms", "p999_ms", "test", "difference", "difference_low", "difference_high",
      "relative_difference", "relative_difference_low", "relative_difference_high", "statistic",
      "degrees_of_freedom", "p_value", "p_value_holm", "sequential_looks", "sequential_p_value", "sequential_low",
      "sequential_high", "probability_better", "expected_loss_treatment", "expected_loss_control", "reasons");

  static String render(Report r, String sliceDimension) {
    StringBuilder out = new StringBuilder();
    row(out, HEADER);
    block(out, r, ResultsCalculator.POOLED, ResultsCalculator.POOLED, r.arms(), r.comparisons());
    for (Slice s : r.slices()) {
      if (sliceDimension == null || sliceDimension.equals(s.dimension())) {
        block(out, r, s.dimension(), SliceCrosses.display(s.value()), s.arms(), s.comparisons());
      }
    }
    return out.toString();
  }

  private static void block(StringBuilder out, Report r, String dimension, String value, List<ArmFigures> arms,
      List<MetricComparison> comparisons) {
    Map<String, MetricComparison> byKey = new HashMap<>();
    for (MetricComparison c : comparisons) {
      byKey.put(c.treatment() + '\u0000' + c.metric(), c);
    }
    List<ResultsInput.MetricDef> declared = r.input().metrics() == null ? List.of() : r.input().metrics();
    for (ArmFigures a : arms) {
      for (int i = 0; i < a.metrics().size(); i++) {
        Outcome o = a.metrics().get(i);
        boolean higher = declared.get(i).higherIsBetter();
        row(out, cells(dimension, value, a, o.metric(), o.binary() ? "binary" : "continuous", higher, o, null,
            byKey.get(a.arm() + '\u0000' + o.metric())));
      }
      if (a.latency() != null) {
        row(out, cells(dimension, value, a, ResultsCalculator.LATENCY, "latency", false, null, a.latency(),
            byKey.get(a.arm() + '\u0000' + ResultsCalculator.LATENCY)));
      }
      if (a.errorRate() != null) {
        row(out, cells(dimension, value, a, ResultsCalculator.ERROR_RATE, "binary", false, a.errorRate(), null,
            byKey.get(a.arm() + '\u0000' + ResultsCalculator.ERROR_RATE)));
      }
    }
  }

  private static List<String> cells(String dimension, String value, ArmFigures a, String metric, String kind,
      boolean higherIsBetter, Outcome o, Latency l, MetricComparison c) {
    List<String> row = new ArrayList<>(HEADER.size());
    TreeSet<String> reasons = new TreeSet<>();
    row.add(text(dimension));
    row.add(text(value));
    row.add(text(a.arm()));
    row.add(a.control() ? "control" : "treatment");
    row.add(text(metric));
    row.add(kind);
    row.add(higherIsBetter ? "higher" : "lower");
    row.add(Long.toString(a.exposures()));
    row.add(Long.toString(a.units()));
    row.add(Long.toString(a.requests()));
    if (o != null) {
      row.add(Long.toString(o.n()));
      row.add(o.binary() ? Long.toString(o.successes()) : "");
      row.add(num(o.estimate()));
      row.add(num(o.interval().low()));
      row.add(num(o.interval().high()));
      row.add(num(o.sd()));
      row.add("");
      row.add("");
      row.add("");
      row.add("");
      reasons.addAll(o.reasons());
    } else {
      row.add(Long.toString(l.count()));
      row.add("");
      row.add(num(l.mean()));
      row.add("");
      row.add("");
      row.add("");
      row.add(num(l.p50()));
      row.add(num(l.p90()));
      row.add(num(l.p99()));
      row.add(num(l.p999()));
      reasons.addAll(l.reasons());
    }
    if (c == null) {
      for (int i = 0; i < 18; i++) {
        row.add("");
      }
    } else {
      SequentialState s = c.sequential();
      Interval seq = s == null ? Interval.UNDEFINED : s.interval();
      row.add(text(c.test()));
      row.add(num(c.difference()));
      row.add(num(c.differenceInterval().low()));
      row.add(num(c.differenceInterval().high()));
      row.add(num(c.relative()));
      row.add(num(c.relativeInterval().low()));
      row.add(num(c.relativeInterval().high()));
      row.add(num(c.statistic()));
      row.add(num(c.degreesOfFreedom()));
      row.add(num(c.pValue()));
      row.add(num(c.pValueHolm()));
      row.add(s == null ? "" : Long.toString(s.looks()));
      row.add(s == null ? "" : num(s.pValue()));
      row.add(num(seq.low()));
      row.add(num(seq.high()));
      row.add(num(c.probabilityBetter()));
      row.add(num(c.expectedLossTreatment()));
      row.add(num(c.expectedLossControl()));
      reasons.addAll(c.reasons());
    }
    row.add(text(String.join(";", reasons)));
    return row;
  }

  static void row(StringBuilder out, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(quote(cells.get(i)));
    }
    out.append("\r\n");
  }

  /**
   * A text cell a spreadsheet will not run: prefixed with {@code '} when it starts with {@code = + - @}, tab or CR
   * (OWASP CSV injection); null stays null.
   */
  static String text(String cell) {
    if (cell == null || cell.isEmpty()) {
      return cell;
    }
    char c = cell.charAt(0);
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + cell : cell;
  }

  /** RFC 4180 quoting: only when needed, inner quotes doubled. */
  static String quote(String cell) {
    if (cell == null) {
      return "";
    }
    boolean needs = false;
    for (int i = 0; i < cell.length() && !needs; i++) {
      char ch = cell.charAt(i);
      needs = ch == ',' || ch == '"' || ch == '\r' || ch == '\n';
    }
    return needs ? '"' + cell.replace("\"", "\"\"") + '"' : cell;
  }

  /** Plain decimal (no exponent) with the digits of {@link Double#toString}, or empty when NaN or infinite. */
  static String num(double x) {
    return Double.isFinite(x) ? BigDecimal.valueOf(x).stripTrailingZeros().toPlainString() : "";
  }
}
