package dev.vane.gateway.results;

import dev.vane.gateway.counters.SliceCrosses;
import dev.vane.gateway.results.Report.ArmFigures;
import dev.vane.gateway.results.Report.Latency;
import dev.vane.gateway.results.Report.MetricComparison;
import dev.vane.gateway.results.Report.Outcome;
import dev.vane.gateway.results.Report.Slice;
import dev.vane.gateway.results.Report.Srm;
import dev.vane.gateway.results.Report.SrmArm;
import dev.vane.gateway.results.Report.Warning;
import dev.vane.gateway.results.ResultsInput.BanditView;
import dev.vane.gateway.results.ResultsInput.MetricDef;
import dev.vane.stats.ComparisonResult;
import dev.vane.stats.Interval;
import dev.vane.stats.Options;
import dev.vane.stats.SequentialState;
import dev.vane.stats.TrendResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link Report} as the JSON documented in {@code openapi.yaml} ({@code ExperimentResults}). Every
 * number that is NaN or infinite is written as {@code null}; reasons say why.
 */
final class ResultsJson {
  private ResultsJson() {}

  static final String METHODS_INTERVALS = "Per-arm intervals: equal-tailed 1 - alpha posterior intervals, "
      + "Beta(1 + successes, 1 + failures) for rates, mean -/+ z sd / sqrt(n) for means. Differences are "
      + "treatment - control in the metric's unit; relative = treatment / control - 1 (delta-method interval).";

  static JsonObject render(Report r, String sliceDimension) {
    ResultsInput in = r.input();
    JsonArray metrics = new JsonArray();
    for (MetricDef m : in.metrics() == null ? List.<MetricDef>of() : in.metrics()) {
      metrics.add(new JsonObject().put("name", m.name()).put("kind", m.binary() ? "binary" : "continuous")
          .put("direction", direction(m.higherIsBetter())).put("primary", m.primary())
          .put("guardrail", m.guardrail()).put("builtin", false));
    }
    metrics.add(new JsonObject().put("name", ResultsCalculator.LATENCY).put("kind", "latency")
        .put("direction", "lower").put("primary", false).put("guardrail", false).put("builtin", true));
    metrics.add(new JsonObject().put("name", ResultsCalculator.ERROR_RATE).put("kind", "binary")
        .put("direction", "lower").put("primary", false).put("guardrail", false).put("builtin", true));

    JsonArray slices = new JsonArray();
    Map<String, JsonArray> byDimension = new LinkedHashMap<>();
    for (Slice s : r.slices()) {
      if (sliceDimension == null || sliceDimension.equals(s.dimension())) {
        JsonObject value = new JsonObject().put("value", SliceCrosses.display(s.value()));
        if (SliceCrosses.isCross(s.dimension())) {
          value.put("values", new JsonArray(new ArrayList<>(SliceCrosses.values(s.value()))));
        }
        byDimension.computeIfAbsent(s.dimension(), d -> new JsonArray()).add(value
            .put("arms", arms(s.arms()))
            .put("comparisons", comparisons(s.comparisons()))
            .put("holmFamilySize", s.holmFamily()));
      }
    }
    byDimension.forEach((d, values) -> {
      JsonObject dim = new JsonObject().put("dimension", d);
      if (SliceCrosses.isCross(d)) {
        dim.put("dimensions", new JsonArray(new ArrayList<>(SliceCrosses.dimensions(d))));
      }
      slices.add(dim.put("values", values));
    });

    JsonArray warnings = new JsonArray();
    for (Warning w : r.warnings()) {
      JsonObject o = new JsonObject().put("code", w.code());
      if (w.dimension() != null) {
        o.put("dimension", w.dimension()).put("metric", w.metric()).put("treatment", w.treatment())
            .put("rule", w.rule()).put("values", new JsonArray(new ArrayList<>(w.values())));
      }
      warnings.add(o.put("detail", w.detail()));
    }

    return new JsonObject()
        .put("experiment", in.experimentId())
        .put("version", in.version())
        .put("control", in.control())
        .put("alpha", r.options().alpha())
        .put("reasons", strings(r.reasons()))
        .put("metrics", metrics)
        .put("arms", arms(r.arms()))
        .put("comparisons", comparisons(r.comparisons()))
        .put("multipleTesting", new JsonObject().put("method", "holm").put("familySize", r.holmFamily()))
        .put("srm", srm(r.srm()))
        .put("bandit", bandit(r.bandit(), in.arms()))
        .put("slices", slices)
        .put("novelty", novelty(r.novelty()))
        .put("warnings", warnings)
        .put("methods", methods(r.options()));
  }

  private static JsonObject methods(Options options) {
    return new JsonObject()
        .put("alpha", options.alpha())
        .put("intervals", METHODS_INTERVALS)
        .put("binary", "pooled two-proportion z-test, unpooled Wald interval; Beta(1, 1) prior for P(better) "
            + "and expected loss (exact)")
        .put("continuous", "Welch t-test and interval (CUPED-adjusted when a covariate was recorded); normal "
            + "posterior for P(better) and expected loss")
        .put("latency", "Mann-Whitney U, two-sided, continuity-corrected, on the HdrHistogram buckets; "
            + "statistic = z with its sign (positive when the treatment is slower); difference = Hodges-Lehmann shift in ms (no interval); control/treatment values are p50 in ms")
        .put("errorRate", "errors (5xx) / requests, pooled two-proportion z-test, lower is better")
        .put("direction", "probabilityBetter = P(treatment > control) for higher-is-better metrics, "
            + "P(treatment < control) for lower-is-better ones; expectedLossTreatment = expected loss of shipping "
            + "the treatment if it is worse, expectedLossControl = of keeping the control if the treatment is "
            + "better, in metric units")
        .put("sequential", "mixture SPRT (normal mixture, "
            + (options.mixingVariance() > 0 ? "tau^2 = " + options.mixingVariance()
                : "tau = " + options.sequentialEffectSize() + " x pooled sd")
            + "), always-valid p-value = minimum "
            + "over looks, confidence sequence = running intersection; every results request is one look")
        .put("multipleTesting", "Holm over every pooled comparison with a p-value (treatments x metrics incl. "
            + "latency and error_rate); within each slice value over its treatments x declared metrics")
        .put("srm", "chi-square goodness of fit of independent assignments (units whose sticky assignment this "
            + "version created, plus exposures without a unit id) against weightsBps over arms with weight > 0, "
            + "of exposures when there are none (hashed without a store: repeat requests make that test liberal); "
            + "mismatch when p < 0.001; not computed for bandits (adaptive allocation)")
        .put("simpsonsParadox", SimpsonCheck.RULE)
        .put("novelty", NoveltyCheck.RULE);
  }

  /** The novelty check: per treatment the effect by day since first exposure and the trend test; null: no metric. */
  private static JsonObject novelty(NoveltyCheck.Result n) {
    if (n == null) {
      return null;
    }
    JsonObject byTreatment = new JsonObject();
    for (NoveltyCheck.ByTreatment t : n.treatments()) {
      JsonArray days = new JsonArray();
      for (NoveltyCheck.Day d : t.days()) {
        ComparisonResult c = d.comparison();
        Interval ci = c.differenceInterval();
        days.add(new JsonObject()
            .put("day", d.label())
            .put("difference", num(c.difference()))
            .put("ciLow", num(ci.low()))
            .put("ciHigh", num(ci.high()))
            .put("standardError", num(c.standardError()))
            .put("control", new JsonObject().put("n", d.controlN()).put("mean", num(c.controlMean())))
            .put("treatment", new JsonObject().put("n", d.treatmentN()).put("mean", num(c.treatmentMean())))
            .put("reasons", strings(c.reasons().stream().map(ResultsCalculator::code).toList())));
      }
      TrendResult tr = t.trend();
      byTreatment.put(t.treatment(), new JsonObject()
          .put("byDay", days)
          .put("trend", new JsonObject()
              .put("slopePerDay", num(tr.slope()))
              .put("standardError", num(tr.standardError()))
              .put("pValue", num(tr.pValue()))
              .put("significant", tr.significant())
              .put("days", tr.points())
              .put("reason", NoveltyCheck.reason(tr))));
    }
    return new JsonObject().put("metric", n.metric()).put("test", NoveltyCheck.TEST).put("byTreatment", byTreatment);
  }

  private static JsonArray arms(List<ArmFigures> arms) {
    JsonArray out = new JsonArray();
    for (ArmFigures a : arms) {
      JsonObject o = new JsonObject()
          .put("arm", a.arm())
          .put("role", a.control() ? "control" : "treatment")
          .put("weightBps", a.weightBps())
          .put("exposures", a.exposures())
          .put("units", a.units())
          .put("requests", a.requests())
          .put("errors", a.errors());
      if (a.errorRate() != null) {
        o.put("errorRate", outcome(a.errorRate()));
      }
      if (a.latency() != null) {
        o.put("latencyMs", latency(a.latency()));
      }
      JsonArray metrics = new JsonArray();
      a.metrics().forEach(m -> metrics.add(outcome(m)));
      out.add(o.put("metrics", metrics));
    }
    return out;
  }

  private static JsonObject outcome(Outcome m) {
    JsonObject o = new JsonObject().put("metric", m.metric()).put("kind", m.binary() ? "binary" : "continuous");
    if (m.binary()) {
      o.put("successes", m.successes()).put("trials", m.n()).put("rate", num(m.estimate()));
    } else {
      o.put("count", m.n()).put("mean", num(m.estimate())).put("sd", num(m.sd()));
    }
    return o.put("interval", interval(m.interval())).put("reasons", strings(m.reasons()));
  }

  private static JsonObject latency(Latency l) {
    return new JsonObject().put("count", l.count()).put("p50", num(l.p50())).put("p90", num(l.p90()))
        .put("p99", num(l.p99())).put("p999", num(l.p999())).put("mean", num(l.mean()))
        .put("reasons", strings(l.reasons()));
  }

  private static JsonArray comparisons(List<MetricComparison> comparisons) {
    JsonArray out = new JsonArray();
    for (MetricComparison c : comparisons) {
      SequentialState s = c.sequential();
      out.add(new JsonObject()
          .put("treatment", c.treatment())
          .put("metric", c.metric())
          .put("kind", c.kind())
          .put("test", c.test())
          .put("direction", direction(c.higherIsBetter()))
          .put("controlValue", num(c.controlValue()))
          .put("treatmentValue", num(c.treatmentValue()))
          .put("difference", num(c.difference()))
          .put("differenceInterval", interval(c.differenceInterval()))
          .put("standardError", num(c.standardError()))
          .put("criticalValue", num(c.criticalValue()))
          .put("relativeDifference", num(c.relative()))
          .put("relativeDifferenceInterval", interval(c.relativeInterval()))
          .put("statistic", num(c.statistic()))
          .put("degreesOfFreedom", num(c.degreesOfFreedom()))
          .put("pValue", num(c.pValue()))
          .put("pValueHolm", num(c.pValueHolm()))
          .put("sequential", s == null ? null : new JsonObject().put("looks", s.looks())
              .put("pValue", num(s.pValue())).put("interval", interval(s.interval())))
          .put("probabilityBetter", num(c.probabilityBetter()))
          .put("expectedLossTreatment", num(c.expectedLossTreatment()))
          .put("expectedLossControl", num(c.expectedLossControl()))
          .put("cupedTheta", c.cupedTheta())
          .put("reasons", strings(c.reasons())));
    }
    return out;
  }

  private static JsonObject srm(Srm s) {
    JsonArray arms = new JsonArray();
    for (SrmArm a : s.arms()) {
      arms.add(new JsonObject().put("arm", a.arm()).put("weightBps", a.weightBps()).put("observed", a.observed())
          .put("expected", num(a.expected())));
    }
    return new JsonObject()
        .put("verdict", s.verdict())
        .put("basis", s.basis())
        .put("statistic", num(s.statistic()))
        .put("degreesOfFreedom", s.verdict() == null ? null : s.degreesOfFreedom())
        .put("pValue", num(s.pValue()))
        .put("threshold", s.threshold())
        .put("arms", arms)
        .put("reasons", strings(s.reasons()));
  }

  /** Posterior parameters named by kind (Bernoulli: alpha, beta; Gaussian: mean, sd of the mean). */
  private static JsonObject bandit(BanditView b, List<String> armOrder) {
    if (b == null) {
      return null;
    }
    JsonArray arms = new JsonArray();
    for (String arm : armOrder) {
      double[] p = b.posterior() == null ? null : b.posterior().get(arm);
      Double share = b.allocation() == null ? null : b.allocation().get(arm);
      JsonObject posterior = null;
      if (p != null) {
        posterior = new JsonObject();
        if ("bernoulli".equals(b.kind()) && p.length == 2) {
          posterior.put("alpha", num(p[0])).put("beta", num(p[1]));
        } else if ("gaussian".equals(b.kind()) && p.length == 2) {
          posterior.put("mean", num(p[0])).put("sd", num(p[1]));
        } else {
          JsonArray raw = new JsonArray();
          for (double x : p) {
            raw.add(num(x));
          }
          posterior.put("parameters", raw);
        }
      }
      arms.add(new JsonObject().put("arm", arm).put("posterior", posterior)
          .put("allocation", share == null ? null : num(share)));
    }
    return new JsonObject().put("kind", b.kind()).put("metric", b.metric()).put("warmingUp", b.warmingUp())
        .put("arms", arms);
  }

  private static JsonObject interval(Interval i) {
    return new JsonObject().put("low", num(i.low())).put("high", num(i.high()));
  }

  private static JsonArray strings(Collection<String> values) {
    return new JsonArray(new ArrayList<>(values.stream().sorted().toList()));
  }

  private static String direction(boolean higherIsBetter) {
    return higherIsBetter ? "higher" : "lower";
  }

  /** The value, or null when NaN or infinite. */
  static Double num(double x) {
    return Double.isFinite(x) ? x : null;
  }
}
