package dev.vane.gateway.results;

import dev.vane.gateway.counters.SliceCrosses;
import dev.vane.gateway.results.Report.MetricComparison;
import dev.vane.gateway.results.Report.Warning;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Simpson's-paradox check of one treatment, one metric and one slice dimension (a declared dimension or a cross of
 * two, whose values are pairs, shown as {@code first+second}).
 *
 * <p>The metric checked is the primary metric, or the first declared metric when none is primary. With
 * {@code d} the pooled difference (treatment - control) and {@code p} its fixed-horizon p-value, a warning is
 * raised when {@code d != 0} and either rule holds:
 * <ol>
 *   <li>{@code significant_reversal}: {@code p < alpha} and some slice value in which control and treatment each
 *       have at least {@value #MIN_SLICE_EXPOSURES} exposures has a difference of the opposite sign with its own
 *       p-value {@code < alpha};</li>
 *   <li>{@code all_slices_reversed} (the classic case, e.g. the kidney-stone data): control and treatment each
 *       have at least {@value #MIN_POOLED_EXPOSURES} exposures pooled, at least two slice values are comparable
 *       (both arms have at least one exposure and the difference is defined), and every comparable value has a
 *       non-zero difference of the opposite sign, significant or not.</li>
 * </ol>
 * p-values are the raw (not Holm-adjusted) ones; alpha is the calculator's (0.05 by default).
 */
final class SimpsonCheck {
  /** Exposures each arm needs within a slice value for rule 1. */
  static final long MIN_SLICE_EXPOSURES = 100;
  /** Exposures each arm needs over the whole experiment for rule 2. */
  static final long MIN_POOLED_EXPOSURES = 100;

  /** The rule above in one paragraph, rendered in the results' {@code methods}. */
  static final String RULE = "Checked per slice dimension and treatment on the primary metric (else the first "
      + "declared metric). With d the pooled difference (treatment - control) and p its p-value, warn when d != 0 "
      + "and either (1) significant_reversal: p < alpha and some slice value where control and treatment each have "
      + ">= " + MIN_SLICE_EXPOSURES + " exposures has a difference of the opposite sign with p < alpha; or "
      + "(2) all_slices_reversed: both arms have >= " + MIN_POOLED_EXPOSURES + " exposures pooled, at least two "
      + "slice values are comparable (both arms exposed, difference defined) and every comparable value's "
      + "difference has the opposite sign. Raw p-values; alpha as in methods.alpha.";

  private SimpsonCheck() {}

  /**
   * The warning for one dimension, or null.
   *
   * @param pooled the pooled comparison of the treatment on the metric
   * @param slices slice value to the same comparison within that value (insertion order kept)
   */
  static Warning check(String dimension, MetricComparison pooled, Map<String, MetricComparison> slices,
      double alpha) {
    double d = pooled.difference();
    if (!Double.isFinite(d) || d == 0) {
      return null;
    }
    double sign = Math.signum(d);
    if (pooled.pValue() < alpha) {
      List<String> values = new ArrayList<>();
      StringBuilder what = new StringBuilder();
      for (Map.Entry<String, MetricComparison> e : slices.entrySet()) {
        MetricComparison s = e.getValue();
        if (s.controlExposures() >= MIN_SLICE_EXPOSURES && s.treatmentExposures() >= MIN_SLICE_EXPOSURES
            && Math.signum(s.difference()) == -sign && s.pValue() < alpha) {
          values.add(SliceCrosses.display(e.getKey()));
          what.append(what.length() == 0 ? "" : ", ").append(SliceCrosses.display(e.getKey())).append(' ')
              .append(signed(s.difference())).append(" (p = ").append(fmt(s.pValue())).append(')');
        }
      }
      if (!values.isEmpty()) {
        return warning(dimension, pooled, "significant_reversal", values,
            "pooled difference " + describe(pooled) + " is significant, but " + dimension + " " + what
                + " goes the other way with p < " + fmt(alpha));
      }
    }
    if (pooled.controlExposures() < MIN_POOLED_EXPOSURES || pooled.treatmentExposures() < MIN_POOLED_EXPOSURES) {
      return null;
    }
    List<String> values = new ArrayList<>();
    StringBuilder what = new StringBuilder();
    for (Map.Entry<String, MetricComparison> e : slices.entrySet()) {
      MetricComparison s = e.getValue();
      if (s.controlExposures() == 0 || s.treatmentExposures() == 0 || !Double.isFinite(s.difference())) {
        continue; // not comparable
      }
      if (Math.signum(s.difference()) != -sign) {
        return null;
      }
      values.add(SliceCrosses.display(e.getKey()));
      what.append(what.length() == 0 ? "" : ", ").append(SliceCrosses.display(e.getKey())).append(' ')
          .append(signed(s.difference()));
    }
    if (values.size() < 2) {
      return null;
    }
    return warning(dimension, pooled, "all_slices_reversed", values,
        "pooled difference " + describe(pooled) + " but every " + dimension + " value goes the other way: " + what);
  }

  private static Warning warning(String dimension, MetricComparison pooled, String rule, List<String> values,
      String detail) {
    return new Warning("simpsons_paradox", dimension, pooled.metric(), pooled.treatment(), rule,
        List.copyOf(values), pooled.metric() + ": " + detail);
  }

  private static String describe(MetricComparison c) {
    return "(" + c.treatment() + " - control) " + signed(c.difference()) + " (p = " + fmt(c.pValue()) + ")";
  }

  /** A signed difference, 4 significant digits. */
  private static String signed(double x) {
    return String.format(Locale.ROOT, "%+.4g", x);
  }

  /** A p-value or alpha, 4 significant digits. */
  private static String fmt(double x) {
    return String.format(Locale.ROOT, "%.4g", x);
  }
}
