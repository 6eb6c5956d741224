package dev.vane.gateway.counters;

import dev.vane.config.Analysis;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Shadow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Response metrics of one experiment version ({@code responseMetrics}, read from each served response per arm and
 * each mirrored response per shadow), plus {@link #COST} when the serving endpoint has a price: per target and
 * metric, count, sum and sum of squares (compensated, as {@link OutcomeCounters} keeps them), a quantile sketch, and
 * the responses skipped, by reason. All of it adds across instances.
 *
 * <p><b>The sketch</b> is an HdrHistogram of {@code round(value x }{@value #SCALE}{@code )} at
 * {@value #DIGITS} significant digits: quantiles within 1% of the value or 1/{@value #SCALE} of a unit, whichever is
 * larger; it merges exactly (bucket counts add). It holds values 0..{@value #MAX_VALUE}; a negative value counts in
 * the moments but not in the sketch ({@link Cell#unsketched}); a non-finite value or one beyond +-{@value #MAX_VALUE}
 * is skipped as {@code out_of_range}.
 */
public final class ResponseCounters {
  /** The cost per response, from the endpoint's price and the response's usage: a metric of its own. */
  public static final String COST = "$cost";
  /** A shadow's text answer against the served one: normalised edit similarity, 0..1 (shadows only). */
  public static final String TEXT_EDIT = "$text_edit";
  /** A shadow's text answer against the served one: token-set overlap (Jaccard), 0..1 (shadows only). */
  public static final String TEXT_TOKENS = "$text_tokens";
  /** Values are kept in the sketch in units of 1/SCALE. */
  public static final double SCALE = 1000;
  /** Significant digits of the sketch. */
  public static final int DIGITS = 2;
  /** Largest |value| counted: 1e12 (as a continuous feedback metric's default bound). */
  public static final double MAX_VALUE = 1e12;

  /**
   * One target's figures on one metric.
   *
   * @param sums       responses measured: count, sum and sum of squares of their values
   * @param sketch     the values >= 0, scaled ({@link #value}); read only (a copy, or one shared empty sketch)
   * @param unsketched values below zero (in {@code sums}, not in the sketch)
   * @param skipped    responses not measured, by reason ({@code too_large}, {@code not_json}, {@code missing},
   *                   {@code not_numeric}, {@code usage_missing}, {@code not_stream}, {@code buffered},
   *                   {@code no_content},
   *                   {@code status}, {@code cut_short}, {@code out_of_range})
   */
  public record Cell(OutcomeCounters.Sums sums, Histogram sketch, long unsketched, Map<String, Long> skipped) {
    public static final Cell EMPTY = new Cell(OutcomeCounters.Sums.ZERO, NO_VALUES, 0, Map.of());

    public Cell {
      skipped = Map.copyOf(skipped);
    }
  }

  /**
   * A copy of every cell, with the calibration and reference-window figures of the same version.
   *
   * @param arms        arm → metric → cell
   * @param shadows     shadow → metric → cell
   * @param calibration the online calibration's figures ({@link CalibrationCounters})
   * @param references  arm → metric → reference-window sketches ({@link ReferenceSketches})
   */
  public record Snapshot(Map<String, Map<String, Cell>> arms, Map<String, Map<String, Cell>> shadows,
      CalibrationCounters.Figures calibration, Map<String, Map<String, ReferenceSketches.Sketches>> references) {
    public static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of());

    /** Response metrics alone (no calibration, no reference windows). */
    public Snapshot(Map<String, Map<String, Cell>> arms, Map<String, Map<String, Cell>> shadows) {
      this(arms, shadows, CalibrationCounters.Figures.EMPTY, Map.of());
    }
  }

  /** A sketch's raw value back in the metric's unit. */
  public static double value(long raw) {
    return raw / SCALE;
  }

  public static Histogram newSketch() {
    Histogram h = new Histogram(DIGITS);
    h.setAutoResize(true);
    return h;
  }

  /** Where one response's values go: one arm's or one shadow's cells. */
  public static final class Target {
    private final Map<String, Acc> metrics;

    private Target(List<String> names) {
      Map<String, Acc> m = new LinkedHashMap<>();
      for (String n : names) {
        m.put(n, new Acc());
      }
      this.metrics = Map.copyOf(m);
    }

    /** Counts one value of {@code metric}; false when the metric is unknown. */
    public boolean record(String metric, double value) {
      Acc a = metrics.get(metric);
      if (a == null) {
        return false;
      }
      if (!(Math.abs(value) <= MAX_VALUE)) {
        a.skip("out_of_range");
      } else {
        a.add(value);
      }
      return true;
    }

    /** Counts one response whose {@code metric} could not be read, for {@code reason}. */
    public void skip(String metric, String reason) {
      Acc a = metrics.get(metric);
      if (a != null) {
        a.skip(reason);
      }
    }

    Map<String, Cell> cells() {
      Map<String, Cell> out = new LinkedHashMap<>();
      metrics.forEach((k, v) -> out.put(k, v.cell()));
      return out;
    }
  }

  /**
   * The sketch of a cell that has no values: shared, so cells are never written to (an empty HdrHistogram at 3
   * digits is 16 KB, and every arm carries the cost and text-similarity metrics whether or not they are used).
   */
  private static final Histogram NO_VALUES = newSketch();

  /**
   * Moments and sketch of one metric, read as one consistent cell; guarded by its own monitor. The sketch is made
   * at the first value: every arm and shadow has a cell for the built-in cost and text metrics, most never used.
   */
  private static final class Acc {
    private long n;
    private final CompensatedSum sum = new CompensatedSum();
    private final CompensatedSum sumSq = new CompensatedSum();
    private Histogram sketch;
    private long unsketched;
    private final Map<String, LongAdder> skipped = new ConcurrentHashMap<>();

    synchronized void add(double v) {
      n++;
      sum.add(v);
      sumSq.addSquare(v);
      if (v >= 0) {
        if (sketch == null) {
          sketch = newSketch();
        }
        sketch.recordValue(Math.round(v * SCALE));
      } else {
        unsketched++;
      }
    }

    void skip(String reason) {
      skipped.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    synchronized Cell cell() {
      Map<String, Long> s = new TreeMap<>();
      skipped.forEach((k, v) -> s.put(k, v.sum()));
      return new Cell(new OutcomeCounters.Sums(n, sum.value(), sumSq.value()),
          sketch == null ? NO_VALUES : sketch.copy(), unsketched, s);
    }
  }

  private final List<String> names;
  private final Map<String, Target> arms;
  private final Map<String, Target> shadows;

  public ResponseCounters(Experiment e, Analysis analysis) {
    List<String> n = new ArrayList<>();
    for (Analysis.ResponseMetric m : analysis.responseMetrics()) {
      n.add(m.name());
    }
    n.add(COST);
    n.add(TEXT_EDIT);
    n.add(TEXT_TOKENS);
    this.names = List.copyOf(n);
    Map<String, Target> a = new LinkedHashMap<>();
    for (Arm arm : e.arms()) {
      a.put(arm.id(), new Target(names));
    }
    Map<String, Target> s = new LinkedHashMap<>();
    for (Shadow sh : e.shadows()) {
      s.put(sh.id(), new Target(names));
    }
    this.arms = a;
    this.shadows = s;
  }

  /** The metrics counted: the declared response metrics, then {@link #COST}, {@link #TEXT_EDIT}, {@link #TEXT_TOKENS}. */
  public List<String> names() {
    return names;
  }

  /** The cells of arm {@code id}, or null. */
  public Target arm(String id) {
    return arms.get(id);
  }

  /** The cells of shadow {@code id}, or null. */
  public Target shadow(String id) {
    return shadows.get(id);
  }

  public Snapshot snapshot() {
    Map<String, Map<String, Cell>> a = new LinkedHashMap<>();
    arms.forEach((id, t) -> a.put(id, t.cells()));
    Map<String, Map<String, Cell>> s = new LinkedHashMap<>();
    shadows.forEach((id, t) -> s.put(id, t.cells()));
    return new Snapshot(a, s);
  }
}
