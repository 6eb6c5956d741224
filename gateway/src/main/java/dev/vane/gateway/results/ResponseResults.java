package dev.vane.gateway.results;

import dev.vane.config.Analysis;
import dev.vane.config.EndpointSettings;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.stats.Alternative;
import dev.vane.stats.Comparison;
import dev.vane.stats.ComparisonResult;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.Drift;
import dev.vane.stats.DriftResult;
import dev.vane.stats.LatencyStats;
import dev.vane.stats.Options;
import dev.vane.stats.RankTestResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The results' {@code responseMetrics} section: per declared response metric, each arm's count, mean, standard
 * deviation and quantiles (from the sketch, {@link ResponseCounters}), and every treatment against the control with
 * the same tests as outcome metrics: Welch's t (difference, its 1 - alpha interval, relative lift, p-value) on the
 * moments and Mann-Whitney U (z, p-value, Hodges-Lehmann shift) on the sketches; per shadow the same figures
 * without tests; {@code drift}: the treatment's distribution against the control's over the same window
 * (Kolmogorov-Smirnov D and p-value, PSI, from the sketches: {@link Drift}), flagged when p &lt; alpha. Then
 * {@code textSimilarity}: per shadow, the first choice's text against the served one's (normalised edit
 * similarity and token-set overlap, 0..1; see {@code TextSimilarity}), for OpenAI-style answers. Then
 * {@code cost}: per arm, the configured price, cost per request (mean of
 * {@link ResponseCounters#COST}) compared like a metric, total cost, and, when a binary outcome metric is declared,
 * cost per conversion = total measured cost / positive events of that metric (null when there are none).
 *
 * <p>Fixed-horizon tests at {@link Options#defaults()} (alpha 0.05, two-sided), not adjusted for multiplicity with
 * the outcome metrics, and no sequential state: read them as descriptive comparisons of what the models answered.
 */
public final class ResponseResults {
  private ResponseResults() {}

  /** Percentiles given per arm. */
  static final double[] PERCENTILES = {50, 90, 99};

  public static JsonObject toJson(Experiment e, Analysis analysis, Map<String, EndpointSettings> endpoints,
      ResponseCounters.Snapshot s, OutcomeCounters.Snapshot outcomes) {
    Options options = Options.defaults();
    String control = e.control().id();
    JsonArray metrics = new JsonArray();
    for (Analysis.ResponseMetric m : analysis.responseMetrics()) {
      JsonObject o = section(e, control, m.name(), s, options)
          .put("name", m.name())
          .put("source", m.builtin() != null ? "builtin:" + m.builtin().id()
              : "pointer:" + m.pointer() + (m.aggregate() == Analysis.Aggregate.FIRST ? ""
                  : " (" + m.aggregate().name().toLowerCase(java.util.Locale.ROOT) + ")"));
      JsonArray shadows = new JsonArray();
      s.shadows().forEach((id, cells) -> shadows.add(figures(cells.getOrDefault(m.name(),
          ResponseCounters.Cell.EMPTY)).put("shadow", id)));
      metrics.add(o.put("shadows", shadows));
    }
    JsonObject out = new JsonObject().put("metrics", metrics);
    if (!s.shadows().isEmpty()) {
      JsonArray text = new JsonArray();
      s.shadows().forEach((id, cells) -> text.add(new JsonObject().put("shadow", id)
          .put("editSimilarity", figures(cells.getOrDefault(ResponseCounters.TEXT_EDIT, ResponseCounters.Cell.EMPTY)))
          .put("tokenOverlap", figures(cells.getOrDefault(ResponseCounters.TEXT_TOKENS,
              ResponseCounters.Cell.EMPTY)))));
      out.put("textSimilarity", text);
    }
    boolean priced = false;
    for (Arm a : e.arms()) {
      EndpointSettings ep = endpoints.get(a.endpoint());
      priced |= ep != null && ep.price() != null;
    }
    if (priced) {
      out.put("cost", cost(e, analysis, endpoints, s, outcomes, control, options));
    }
    return out;
  }

  private static JsonObject cost(Experiment e, Analysis analysis, Map<String, EndpointSettings> endpoints,
      ResponseCounters.Snapshot s, OutcomeCounters.Snapshot outcomes, String control, Options options) {
    Analysis.Metric conversion = conversionMetric(analysis);
    JsonObject o = section(e, control, ResponseCounters.COST, s, options);
    JsonArray arms = o.getJsonArray("arms");
    for (int i = 0; i < arms.size(); i++) {
      JsonObject a = arms.getJsonObject(i);
      String id = a.getString("arm");
      EndpointSettings ep = endpoints.get(e.arm(id).endpoint());
      EndpointSettings.Price price = ep == null ? null : ep.price();
      a.put("price", price == null ? null : new JsonObject().put("promptPer1k", price.promptPer1k())
          .put("completionPer1k", price.completionPer1k()));
      ResponseCounters.Cell c = cell(s, id, ResponseCounters.COST);
      a.put("total", c.sums().sum());
      if (conversion != null) {
        long conversions = outcomes.pooled().getOrDefault(id, Map.of())
            .getOrDefault(conversion.name(), OutcomeCounters.Sums.ZERO).n();
        a.put("conversions", conversions)
            .put("perConversion", conversions == 0 ? null : num(c.sums().sum() / conversions));
      }
    }
    return o.put("conversionMetric", conversion == null ? null : conversion.name())
        .put("unit", "the prices' currency");
  }

  /** The binary outcome metric conversions are counted on: the primary one if binary, else the first binary one. */
  static Analysis.Metric conversionMetric(Analysis analysis) {
    Analysis.Metric p = analysis.primary();
    if (p != null && p.binary()) {
      return p;
    }
    for (Analysis.Metric m : analysis.metrics()) {
      if (m.binary()) {
        return m;
      }
    }
    return null;
  }

  /** {@code arms} (figures per arm) and {@code comparisons} (each treatment against the control) of one metric. */
  private static JsonObject section(Experiment e, String control, String metric, ResponseCounters.Snapshot s,
      Options options) {
    JsonArray arms = new JsonArray();
    JsonArray comparisons = new JsonArray();
    ResponseCounters.Cell c = cell(s, control, metric);
    for (Arm a : e.arms()) {
      ResponseCounters.Cell t = cell(s, a.id(), metric);
      arms.add(figures(t).put("arm", a.id()).put("control", a.id().equals(control)));
      if (!a.id().equals(control)) {
        comparisons.add(compare(a.id(), c, t, options));
      }
    }
    return new JsonObject().put("arms", arms).put("comparisons", comparisons);
  }

  private static ResponseCounters.Cell cell(ResponseCounters.Snapshot s, String arm, String metric) {
    return s.arms().getOrDefault(arm, Map.of()).getOrDefault(metric, ResponseCounters.Cell.EMPTY);
  }

  /** n, mean, sd (NaN below 2), sum, percentiles from the sketch, and the skipped responses by reason. */
  static JsonObject figures(ResponseCounters.Cell c) {
    ContinuousStats st = stats(c);
    JsonObject o = new JsonObject().put("n", c.sums().n()).put("mean", num(c.sums().n() == 0 ? Double.NaN : st.mean()))
        .put("sd", num(c.sums().n() < 2 ? Double.NaN : st.standardDeviation())).put("sum", num(c.sums().sum()));
    long sketched = c.sketch().getTotalCount();
    for (double p : PERCENTILES) {
      o.put("p" + (int) p, sketched == 0 ? null
          : num(ResponseCounters.value(c.sketch().getValueAtPercentile(p))));
    }
    return o.put("unsketched", c.unsketched()).put("skipped", new JsonObject(Map.copyOf(c.skipped())));
  }

  private static ContinuousStats stats(ResponseCounters.Cell c) {
    return c.sums().n() == 0 ? ContinuousStats.EMPTY
        : ContinuousStats.fromSums(c.sums().n(), c.sums().sum(), c.sums().sumSq());
  }

  private static JsonObject compare(String arm, ResponseCounters.Cell c, ResponseCounters.Cell t, Options options) {
    JsonObject o = new JsonObject().put("treatment", arm);
    ComparisonResult w = Comparison.compare(stats(c), stats(t), options);
    boolean empty = c.sums().n() == 0 || t.sums().n() == 0;
    TreeSet<String> why = new TreeSet<>();
    w.reasons().forEach(r -> why.add(r.name().toLowerCase(java.util.Locale.ROOT)));
    o.put("welch", new JsonObject()
        .put("difference", num(empty ? Double.NaN : w.difference()))
        .put("interval", interval(empty ? Double.NaN : w.differenceInterval().low(),
            empty ? Double.NaN : w.differenceInterval().high()))
        .put("relative", num(empty ? Double.NaN : w.relativeLift()))
        .put("relativeInterval", interval(empty ? Double.NaN : w.relativeLiftInterval().low(),
            empty ? Double.NaN : w.relativeLiftInterval().high()))
        .put("statistic", num(w.statistic())).put("degreesOfFreedom", num(w.degreesOfFreedom()))
        .put("pValue", num(w.pValue())).put("reasons", new JsonArray(List.copyOf(why))));
    JsonObject mw = new JsonObject();
    if (c.sketch().getTotalCount() == 0 || t.sketch().getTotalCount() == 0) {
      mw.put("z", null).put("pValue", null).put("shift", null).put("reasons", new JsonArray().add("empty_arm"));
    } else {
      RankTestResult r = Comparison.mannWhitney(LatencyStats.of(c.sketch()), LatencyStats.of(t.sketch()), true,
          Alternative.TWO_SIDED);
      TreeSet<String> rw = new TreeSet<>();
      r.reasons().forEach(x -> rw.add(x.name().toLowerCase(java.util.Locale.ROOT)));
      mw.put("z", num(r.z())).put("pValue", num(r.pValue()))
          .put("shift", num(r.hodgesLehmannShift() / ResponseCounters.SCALE)).put("reasons", new JsonArray(List.copyOf(rw)));
    }
    o.put("mannWhitney", mw);
    JsonObject drift = new JsonObject();
    if (c.sketch().getTotalCount() == 0 || t.sketch().getTotalCount() == 0) {
      drift.put("ksStatistic", null).put("ksPValue", null).put("psi", null).put("flagged", false)
          .put("reasons", new JsonArray().add("empty_arm"));
    } else {
      DriftResult d = Drift.compare(LatencyStats.of(c.sketch()), LatencyStats.of(t.sketch()));
      drift.put("ksStatistic", num(d.ksStatistic())).put("ksPValue", num(d.ksPValue())).put("psi", num(d.psi()))
          .put("flagged", d.ksPValue() < options.alpha()).put("reasons", new JsonArray());
    }
    return o.put("drift", drift);
  }

  private static JsonObject interval(double low, double high) {
    return new JsonObject().put("low", num(low)).put("high", num(high));
  }

  private static Double num(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /**
   * The section as CSV rows after the results' own (same header, {@link ResultsCsv}): dimension {@code response},
   * value {@code all}, kind {@code response}; per arm and metric (and {@code $cost}) n, mean as estimate, sd, and
   * p50/p90/p99 in the p50_ms.. columns (in the metric's unit); a treatment has one row with the {@code welch}
   * comparison and one with {@code mann_whitney}; shadows have role {@code shadow}, no comparison.
   */
  public static String toCsv(JsonObject section) {
    StringBuilder out = new StringBuilder();
    for (Object o : section.getJsonArray("metrics")) {
      JsonObject m = (JsonObject) o;
      rows(out, m.getString("name"), m);
      for (Object sh : m.getJsonArray("shadows")) {
        JsonObject f = (JsonObject) sh;
        ResultsCsv.row(out, csvCells(f.getString("shadow"), "shadow", m.getString("name"), f, null, null));
      }
    }
    JsonObject cost = section.getJsonObject("cost");
    if (cost != null) {
      rows(out, ResponseCounters.COST, cost);
    }
    driftRows(out, section);
    for (Object t : section.getJsonArray("textSimilarity", new JsonArray())) {
      JsonObject f = (JsonObject) t;
      ResultsCsv.row(out, csvCells(f.getString("shadow"), "shadow", "text_edit_similarity",
          f.getJsonObject("editSimilarity"), null, null));
      ResultsCsv.row(out, csvCells(f.getString("shadow"), "shadow", "text_token_overlap",
          f.getJsonObject("tokenOverlap"), null, null));
    }
    for (Object c : section.getJsonArray("calibration", new JsonArray())) {
      calibrationRows(out, (JsonObject) c);
    }
    return out.toString();
  }

  /**
   * The drift figures as rows of kind {@code drift}: per treatment against the control ({@code test} {@code ks},
   * with D as the statistic and its p-value, and {@code psi}), and per arm against its own reference window
   * ({@code reference_ks}, {@code reference_psi}); {@code flagged} in the reasons when flagged.
   */
  private static void driftRows(StringBuilder out, JsonObject section) {
    for (Object o : section.getJsonArray("metrics")) {
      JsonObject m = (JsonObject) o;
      String metric = m.getString("name");
      for (Object c : m.getJsonArray("comparisons")) {
        JsonObject cmp = (JsonObject) c;
        JsonObject d = cmp.getJsonObject("drift");
        if (d != null) {
          driftPair(out, cmp.getString("treatment"), "treatment", metric, "", d);
        }
      }
      for (Object a : m.getJsonArray("arms")) {
        JsonObject arm = (JsonObject) a;
        JsonObject d = arm.getJsonObject("referenceDrift");
        if (d != null) {
          driftPair(out, arm.getString("arm"), "arm", metric, "reference_", d);
        }
      }
    }
  }

  private static void driftPair(StringBuilder out, String arm, String role, String metric, String prefix,
      JsonObject d) {
    TreeSet<String> reasons = new TreeSet<>();
    d.getJsonArray("reasons", new JsonArray()).forEach(r -> reasons.add(String.valueOf(r)));
    if (d.getBoolean("flagged", false)) {
      reasons.add("flagged");
    }
    if (d.getValue("windowEnd") != null) {
      reasons.add("window_end=" + d.getString("windowEnd"));
    }
    Map<String, String> ks = new java.util.HashMap<>();
    ks.put("test", prefix + "ks");
    ks.put("statistic", cell(d, "ksStatistic"));
    ks.put("p_value", cell(d, "ksPValue"));
    if (d.getValue("referenceN") != null || d.getValue("afterN") != null) {
      ks.put("n", cell(d, "afterN"));
      reasons.add("reference_n=" + (d.getValue("referenceN") == null ? "" : d.getValue("referenceN")));
    }
    ks.put("reasons", String.join(";", reasons));
    ResultsCsv.row(out, cells("response", "all", arm, role, metric, "drift", ks));
    Map<String, String> psi = new java.util.HashMap<>(ks);
    psi.put("test", prefix + "psi");
    psi.put("statistic", cell(d, "psi"));
    psi.remove("p_value");
    ResultsCsv.row(out, cells("response", "all", arm, role, metric, "drift", psi));
  }

  /**
   * Calibration as rows of kind {@code calibration}: per arm {@code brier} and {@code log_loss} (estimate with its
   * interval) and {@code ece}; then per bin (dimension {@code calibration_bin}, value {@code low-high}) n, positives
   * as successes, the observed rate as the estimate with its Wilson interval, and observed - mean prediction as the
   * difference.
   */
  private static void calibrationRows(StringBuilder out, JsonObject c) {
    String metric = c.getString("metric");
    for (Object a : c.getJsonArray("arms")) {
      JsonObject arm = (JsonObject) a;
      String id = arm.getString("arm");
      String why = "outcome=" + c.getString("outcome") + ";out_of_range=" + arm.getLong("outOfRange");
      for (String loss : List.of("brier", "logLoss")) {
        JsonObject l = arm.getJsonObject(loss);
        Map<String, String> v = new java.util.HashMap<>();
        v.put("n", Long.toString(arm.getLong("n")));
        v.put("successes", Long.toString(arm.getLong("positives")));
        v.put("test", loss.equals("brier") ? "brier" : "log_loss");
        v.put("estimate", cell(l, "value"));
        v.put("estimate_low", cell(l.getJsonObject("interval"), "low"));
        v.put("estimate_high", cell(l.getJsonObject("interval"), "high"));
        v.put("reasons", why);
        ResultsCsv.row(out, cells("response", "all", id, "arm", metric, "calibration", v));
      }
      Map<String, String> ece = new java.util.HashMap<>();
      ece.put("n", Long.toString(arm.getLong("n")));
      ece.put("successes", Long.toString(arm.getLong("positives")));
      ece.put("test", "ece");
      ece.put("estimate", cell(arm, "ece"));
      ece.put("reasons", why);
      ResultsCsv.row(out, cells("response", "all", id, "arm", metric, "calibration", ece));
      for (Object b : arm.getJsonArray("bins")) {
        JsonObject bin = (JsonObject) b;
        Map<String, String> v = new java.util.HashMap<>();
        v.put("n", Long.toString(bin.getLong("n")));
        v.put("successes", Long.toString(bin.getLong("positives")));
        v.put("test", "bin");
        v.put("estimate", cell(bin, "observedRate"));
        v.put("estimate_low", cell(bin.getJsonObject("rateInterval"), "low"));
        v.put("estimate_high", cell(bin.getJsonObject("rateInterval"), "high"));
        Object mean = bin.getValue("meanPrediction");
        Object rate = bin.getValue("observedRate");
        if (mean instanceof Number mp && rate instanceof Number r) {
          v.put("difference", ResultsCsv.num(r.doubleValue() - mp.doubleValue()));
          v.put("reasons", "mean_prediction=" + ResultsCsv.num(mp.doubleValue()));
        }
        String range = ResultsCsv.num(bin.getDouble("low")) + "-" + ResultsCsv.num(bin.getDouble("high"));
        ResultsCsv.row(out, cells("calibration_bin", range, id, "arm", metric, "calibration", v));
      }
    }
  }

  /** One CSV row: the first six columns, then {@code values} by column name (others empty). */
  private static List<String> cells(String dimension, String value, String arm, String role, String metric,
      String kind, Map<String, String> values) {
    List<String> row = new java.util.ArrayList<>(ResultsCsv.HEADER.size());
    for (String col : ResultsCsv.HEADER) {
      String v = switch (col) {
        case "dimension" -> dimension;
        case "value" -> value;
        case "arm" -> arm;
        case "role" -> role;
        case "metric" -> metric;
        case "kind" -> kind;
        default -> values.getOrDefault(col, "");
      };
      row.add(col.equals("reasons") || col.equals("arm") || col.equals("metric") || col.equals("value")
          || col.equals("dimension") ? ResultsCsv.text(v) : v);
    }
    return row;
  }

  private static void rows(StringBuilder out, String metric, JsonObject m) {
    java.util.Map<String, JsonObject> byArm = new java.util.HashMap<>();
    for (Object c : m.getJsonArray("comparisons")) {
      byArm.put(((JsonObject) c).getString("treatment"), (JsonObject) c);
    }
    for (Object a : m.getJsonArray("arms")) {
      JsonObject f = (JsonObject) a;
      JsonObject c = byArm.get(f.getString("arm"));
      if (c == null) {
        ResultsCsv.row(out, csvCells(f.getString("arm"), "control", metric, f, null, null));
      } else {
        ResultsCsv.row(out, csvCells(f.getString("arm"), "treatment", metric, f, "welch", c.getJsonObject("welch")));
        ResultsCsv.row(out, csvCells(f.getString("arm"), "treatment", metric, f, "mann_whitney",
            c.getJsonObject("mannWhitney")));
      }
    }
  }

  private static List<String> csvCells(String arm, String role, String metric, JsonObject f, String test,
      JsonObject c) {
    List<String> row = new java.util.ArrayList<>(ResultsCsv.HEADER.size());
    row.addAll(List.of("response", "all", ResultsCsv.text(arm), role, ResultsCsv.text(metric), "response", "", "", "",
        ""));
    row.add(Long.toString(f.getLong("n")));
    row.add("");
    row.add(cell(f, "mean"));
    row.add("");
    row.add("");
    row.add(cell(f, "sd"));
    row.add(cell(f, "p50"));
    row.add(cell(f, "p90"));
    row.add(cell(f, "p99"));
    row.add("");
    TreeSet<String> reasons = new TreeSet<>();
    f.getJsonObject("skipped").forEach(e -> reasons.add("skipped_" + e.getKey() + "=" + e.getValue()));
    if (c == null) {
      for (int i = 0; i < 18; i++) {
        row.add("");
      }
    } else {
      boolean welch = test.equals("welch");
      JsonObject iv = welch ? c.getJsonObject("interval") : null;
      JsonObject rv = welch ? c.getJsonObject("relativeInterval") : null;
      row.add(test);
      row.add(cell(c, welch ? "difference" : "shift"));
      row.add(welch ? cell(iv, "low") : "");
      row.add(welch ? cell(iv, "high") : "");
      row.add(welch ? cell(c, "relative") : "");
      row.add(welch ? cell(rv, "low") : "");
      row.add(welch ? cell(rv, "high") : "");
      row.add(cell(c, welch ? "statistic" : "z"));
      row.add(welch ? cell(c, "degreesOfFreedom") : "");
      row.add(cell(c, "pValue"));
      for (int i = 0; i < 8; i++) {
        row.add("");
      }
      c.getJsonArray("reasons").forEach(r -> reasons.add(String.valueOf(r)));
    }
    row.add(ResultsCsv.text(String.join(";", reasons)));
    return row;
  }

  private static String cell(JsonObject o, String key) {
    Object v = o.getValue(key);
    return v instanceof Number n ? ResultsCsv.num(n.doubleValue()) : "";
  }
}
