package dev.vane.gateway.results;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vane.gateway.results.Report.ArmFigures;
import dev.vane.gateway.results.Report.Latency;
import dev.vane.gateway.results.Report.MetricComparison;
import dev.vane.gateway.results.Report.Outcome;
import dev.vane.gateway.results.Report.Slice;
import dev.vane.gateway.results.Report.Srm;
import dev.vane.gateway.results.Report.SrmArm;
import dev.vane.gateway.results.Report.Warning;
import dev.vane.gateway.results.ResultsInput.ArmData;
import dev.vane.gateway.results.ResultsInput.MetricDef;
import dev.vane.stats.Alternative;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.Comparison;
import dev.vane.stats.ComparisonResult;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.Interval;
import dev.vane.stats.LatencyStats;
import dev.vane.stats.MultipleTesting;
import dev.vane.stats.Options;
import dev.vane.stats.RankTestResult;
import dev.vane.stats.ReasonCode;
import dev.vane.stats.SampleRatio;
import dev.vane.stats.SequentialState;
import dev.vane.stats.SrmResult;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * <p>Why one file of ~550 lines: it is the single place where every number of the report is computed, in the order
 * the report reads (arms, pooled comparisons, Holm, SRM, slices, Simpson), so that the JSON and CSV renderers can
 * only ever show the same figures; the statistics themselves live in {@code dev.vane.stats}, and the rendering in
 * {@link ResultsJson} and {@link ResultsCsv}.
 *
 * The analysts' results of one experiment version: per-arm figures, every treatment against the control with
 * fixed-horizon, always-valid and Bayesian statistics, Holm-adjusted p-values, the sample-ratio check, the bandit's
 * state, per-slice comparisons and Simpson's-paradox warnings; as JSON ({@link #toJson}) or CSV ({@link #toCsv}),
 * both rendered from the same computed figures. All statistics come from {@code dev.vane.stats}.
 *
 * <p>Metrics: the declared ones, plus two built-in ones on the pooled data only: {@value #LATENCY} (Mann-Whitney U
 * on the latency histograms, difference = Hodges-Lehmann shift in ms, lower is better) and {@value #ERROR_RATE}
 * (two-proportion z-test on errors / requests, lower is better). Binary metrics use the pooled z-test, continuous
 * ones Welch's t-test (CUPED-adjusted when a covariate was recorded). {@code probabilityBetter} is
 * P(treatment &gt; control) for higher-is-better metrics and P(treatment &lt; control) for lower-is-better ones; the
 * expected losses swap accordingly.
 *
 * <p>Holm's adjustment runs over every pooled comparison with a defined p-value (treatments x (declared metrics,
 * latency, error rate)); within a slice value, over its treatments x declared metrics.
 *
 * <p>Always-valid p-values: the calculator keeps, per (experiment, version, slice dimension, slice value, metric,
 * treatment), the {@link SequentialState} of the last look and passes it to the next one, so the sequential
 * p-value never increases and the confidence sequence never widens between looks while the entry is kept. At most
 * {@code maxSequentialStates} entries are kept (least useful evicted first); an evicted entry restarts from its
 * first look. Every call to {@link #toJson} or {@link #toCsv} is one look.
 *
 * <p>Thread-safe: state updates are optimistic (compare-and-set per entry), so concurrent looks never lose an
 * update and never block each other. Misuse (control not among the arms, unknown or duplicate arm data, errors
 * &gt; requests, a declared metric named like a built-in one) throws {@link IllegalArgumentException}; thin data
 * gives reason codes and null numbers, never an exception.
 */
public final class ResultsCalculator {
  /** Built-in latency metric name. */
  public static final String LATENCY = "latency";
  /** Built-in error-rate metric name. */
  public static final String ERROR_RATE = "error_rate";
  /** Dimension and value of the pooled (unsliced) rows in CSV and in sequential-state keys. */
  public static final String POOLED = "all";
  /** Default bound on remembered sequential states. */
  public static final int DEFAULT_MAX_SEQUENTIAL_STATES = 10_000;
  /** Below this many exposures in total the SRM verdict carries {@code too_few_exposures}. */
  static final long SRM_MIN_EXPOSURES = 100;

  private final Options options;
  private final ConcurrentMap<SequentialKey, SequentialState> sequential;

  /** Two-sided tests at alpha 0.05 ({@link Options#defaults()}), 10,000 sequential states. */
  public ResultsCalculator() {
    this(Options.defaults(), DEFAULT_MAX_SEQUENTIAL_STATES);
  }

  /**
   * @param options             statistics options (alpha, priors, mSPRT effect size, CUPED); the fixed-horizon
   *                            tests should stay two-sided for the direction-aware fields to read naturally
   * @param maxSequentialStates bound on remembered sequential states, {@code >= 1}
   */
  public ResultsCalculator(Options options, int maxSequentialStates) {
    if (options == null) {
      throw new IllegalArgumentException("options: null (expected: non-null)");
    }
    if (maxSequentialStates < 1) {
      throw new IllegalArgumentException("maxSequentialStates: " + maxSequentialStates + " (expected: >= 1)");
    }
    this.options = options;
    this.sequential = Caffeine.newBuilder().maximumSize(maxSequentialStates).executor(Runnable::run)
        .<SequentialKey, SequentialState>build().asMap();
  }

  /** The results as JSON, every slice dimension included; one look. */
  public JsonObject toJson(ResultsInput in) {
    return toJson(in, null);
  }

  /**
   * The results as JSON; one look.
   *
   * @param sliceDimension only this dimension's slices in {@code slices} (null: all; unknown: none); warnings
   *                       always cover every dimension
   */
  public JsonObject toJson(ResultsInput in, String sliceDimension) {
    return ResultsJson.render(compute(in), sliceDimension);
  }

  /** The results as CSV (RFC 4180, CRLF line ends, header row), every slice dimension included; one look. */
  public String toCsv(ResultsInput in) {
    return toCsv(in, null);
  }

  /** The results as CSV; see {@link #toJson(ResultsInput, String)} for {@code sliceDimension}. */
  public String toCsv(ResultsInput in, String sliceDimension) {
    return ResultsCsv.render(compute(in), sliceDimension);
  }

  /** Number of remembered sequential states (for tests and metrics). */
  public int sequentialStates() {
    return sequential.size();
  }

  /** Computes every figure once; both renderers read the result. */
  Report compute(ResultsInput in) {
    validate(in);
    List<MetricDef> metrics = metrics(in);
    Set<String> reasons = new TreeSet<>();
    if (in.arms().size() < 2) {
      reasons.add(code(ReasonCode.SINGLE_ARM));
    }
    Map<String, ArmData> pooled = byArm(in, in.pooled() == null ? List.of() : in.pooled(), "pooled");
    long total = 0;
    for (ArmData a : pooled.values()) {
      total += a.exposures();
    }
    if (total == 0) {
      reasons.add("no_exposures");
    }

    Map<String, LatencyStats> latency = new HashMap<>();
    List<ArmFigures> arms = new ArrayList<>();
    for (String arm : in.arms()) {
      ArmData d = pooled.get(arm);
      if (d.latency() != null) {
        latency.put(arm, LatencyStats.of(d.latency()));
      }
      arms.add(armFigures(in, d, metrics, true, latency.get(arm)));
    }

    List<MetricComparison> comparisons = new ArrayList<>();
    ArmData control = pooled.get(in.control());
    for (String arm : in.arms()) {
      if (arm.equals(in.control())) {
        continue;
      }
      ArmData treatment = pooled.get(arm);
      for (MetricDef m : metrics) {
        comparisons.add(compareMetric(in, POOLED, POOLED, m, control, treatment));
      }
      comparisons.add(compareLatency(arm, control, treatment, latency.get(in.control()), latency.get(arm)));
      comparisons.add(compareErrorRate(in, arm, control, treatment));
    }
    comparisons = holm(comparisons);

    List<Slice> slices = new ArrayList<>();
    List<Warning> warnings = new ArrayList<>();
    Srm srm = srm(in, pooled);
    if ("mismatch".equals(srm.verdict())) {
      warnings.add(new Warning("sample_ratio_mismatch", null, null, null, null, List.of(),
          "observed exposures do not match the configured weights (p = " + srm.pValue() + " < " + srm.threshold()
              + "): assignment or logging is broken, do not trust the other figures"));
    }
    MetricDef checked = checkedMetric(metrics);
    if (in.slices() != null) {
      for (Map.Entry<String, Map<String, List<ArmData>>> dim : in.slices().entrySet()) {
        String dimension = dim.getKey();
        // treatment -> slice value -> comparison on the checked metric
        Map<String, Map<String, MetricComparison>> forSimpson = new LinkedHashMap<>();
        for (Map.Entry<String, List<ArmData>> value : dim.getValue().entrySet()) {
          Slice slice = slice(in, metrics, dimension, value.getKey(), value.getValue());
          slices.add(slice);
          for (MetricComparison c : slice.comparisons()) {
            if (checked != null && c.metric().equals(checked.name())) {
              forSimpson.computeIfAbsent(c.treatment(), t -> new LinkedHashMap<>()).put(value.getKey(), c);
            }
          }
        }
        for (MetricComparison p : comparisons) {
          if (checked != null && p.metric().equals(checked.name()) && forSimpson.containsKey(p.treatment())) {
            Warning w = SimpsonCheck.check(dimension, p, forSimpson.get(p.treatment()), options.alpha());
            if (w != null) {
              warnings.add(w);
            }
          }
        }
      }
    }
    NoveltyCheck.Result novelty = NoveltyCheck.compute(in, checked, options);
    warnings.addAll(NoveltyCheck.warnings(novelty, options.alpha()));
    int family = (int) comparisons.stream().filter(c -> !Double.isNaN(c.pValue())).count();
    return new Report(in, options, Set.copyOf(reasons), List.copyOf(arms), List.copyOf(comparisons), family,
        srm, in.bandit(), List.copyOf(slices), List.copyOf(warnings), novelty);
  }

  private Slice slice(ResultsInput in, List<MetricDef> metrics, String dimension, String value, List<ArmData> data) {
    Map<String, ArmData> byArm = byArm(in, data == null ? List.of() : data,
        "slices[" + dimension + "][" + value + "]");
    List<ArmFigures> arms = new ArrayList<>();
    for (String arm : in.arms()) {
      arms.add(armFigures(in, byArm.get(arm), metrics, false, null));
    }
    List<MetricComparison> comparisons = new ArrayList<>();
    for (String arm : in.arms()) {
      if (!arm.equals(in.control())) {
        for (MetricDef m : metrics) {
          comparisons.add(compareMetric(in, dimension, value, m, byArm.get(in.control()), byArm.get(arm)));
        }
      }
    }
    comparisons = holm(comparisons);
    int family = (int) comparisons.stream().filter(c -> !Double.isNaN(c.pValue())).count();
    return new Slice(dimension, value, List.copyOf(arms), List.copyOf(comparisons), family);
  }

  // ---- per arm ---------------------------------------------------------------------------------------------

  private ArmFigures armFigures(ResultsInput in, ArmData d, List<MetricDef> metrics, boolean pooled,
      LatencyStats latency) {
    List<Outcome> outcomes = new ArrayList<>();
    for (MetricDef m : metrics) {
      outcomes.add(m.binary() ? binaryOutcome(m.name(), binary(d, m)) : continuousOutcome(m.name(), continuous(d, m)));
    }
    Outcome errorRate = pooled ? binaryOutcome(ERROR_RATE, errors(d)) : null;
    Latency lat = pooled ? latency(d, latency) : null;
    Integer weight = in.weightsBps() == null ? null : in.weightsBps().get(d.arm());
    return new ArmFigures(d.arm(), d.arm().equals(in.control()), weight, d.exposures(), d.units(), d.requests(),
        d.errors(), errorRate, lat, List.copyOf(outcomes));
  }

  /**
   * Rate = successes / trials (NaN when trials == 0) with the equal-tailed 1 - alpha interval of the
   * Beta(prior + successes, prior + failures) posterior, as the stats module computes it for a comparison arm.
   */
  private Outcome binaryOutcome(String metric, BinaryStats s) {
    Set<String> why = new TreeSet<>();
    Interval interval = Comparison.compare(s, s, options).controlCredibleInterval();
    double rate = s.exposures() == 0 ? Double.NaN : s.rate();
    if (s.exposures() == 0) {
      why.add(code(ReasonCode.EMPTY_ARM));
    }
    return new Outcome(metric, true, s.exposures(), s.successes(), rate, Double.NaN, interval, why);
  }

  /**
   * Mean (NaN when count == 0), sample sd (NaN when count &lt; 2) and the normal-approximation interval
   * mean -/+ z sd / sqrt(n) (undefined when count &lt; 2), as the stats module computes it for a comparison arm.
   */
  private Outcome continuousOutcome(String metric, ContinuousStats s) {
    Set<String> why = new TreeSet<>();
    Interval interval = Comparison.compare(s, s, options.withCuped(false)).controlCredibleInterval();
    if (s.count() == 0) {
      why.add(code(ReasonCode.EMPTY_ARM));
    } else if (s.count() < 2) {
      why.add(code(ReasonCode.TOO_FEW_OBSERVATIONS));
    }
    return new Outcome(metric, false, s.count(), -1, s.count() == 0 ? Double.NaN : s.mean(),
        s.count() < 2 ? Double.NaN : s.standardDeviation(), interval, why);
  }

  /** Percentiles and mean in ms (recorded in microseconds); NaN when nothing was recorded. */
  private static Latency latency(ArmData d, LatencyStats s) {
    if (s == null) {
      return new Latency(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Set.of("not_tracked"));
    }
    if (s.count() == 0) {
      return new Latency(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
          Set.of(code(ReasonCode.EMPTY_ARM)));
    }
    return new Latency(s.count(), ms(s.valueAtPercentile(50)), ms(s.valueAtPercentile(90)),
        ms(s.valueAtPercentile(99)), ms(s.valueAtPercentile(99.9)), s.mean() / 1000.0, Set.of());
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  // ---- comparisons -----------------------------------------------------------------------------------------

  private MetricComparison compareMetric(ResultsInput in, String dimension, String value, MetricDef m,
      ArmData control, ArmData treatment) {
    SequentialKey key = new SequentialKey(in.experimentId(), in.version(), dimension, value, m.name(),
        treatment.arm());
    ComparisonResult r;
    long nc;
    long nt;
    if (m.binary()) {
      BinaryStats c = binary(control, m);
      BinaryStats t = binary(treatment, m);
      nc = c.exposures();
      nt = t.exposures();
      r = look(key, prev -> Comparison.compare(c, t, options, prev));
    } else {
      ContinuousStats c = continuous(control, m);
      ContinuousStats t = continuous(treatment, m);
      nc = c.count();
      nt = t.count();
      r = look(key, prev -> Comparison.compare(c, t, options, prev));
    }
    return fromComparison(treatment.arm(), m.name(), m.binary() ? "binary" : "continuous",
        m.binary() ? "z" : "welch", m.higherIsBetter(), r, nc == 0, nt == 0, control.exposures(),
        treatment.exposures());
  }

  private MetricComparison compareErrorRate(ResultsInput in, String arm, ArmData control, ArmData treatment) {
    SequentialKey key = new SequentialKey(in.experimentId(), in.version(), POOLED, POOLED, ERROR_RATE, arm);
    BinaryStats c = errors(control);
    BinaryStats t = errors(treatment);
    ComparisonResult r = look(key, prev -> Comparison.compare(c, t, options, prev));
    return fromComparison(arm, ERROR_RATE, "binary", "z", false, r, c.exposures() == 0, t.exposures() == 0,
        control.exposures(), treatment.exposures());
  }

  /** Mann-Whitney U (two-sided, continuity-corrected) on the histograms; values and shift in ms. */
  private static MetricComparison compareLatency(String arm, ArmData control, ArmData treatment, LatencyStats c,
      LatencyStats t) {
    Set<String> why = new TreeSet<>();
    double u = Double.NaN;
    double z = Double.NaN;
    double p = Double.NaN;
    double shift = Double.NaN;
    double cMedian = Double.NaN;
    double tMedian = Double.NaN;
    if (c == null || t == null) {
      why.add("not_tracked");
    } else {
      RankTestResult r = Comparison.mannWhitney(c, t, true, Alternative.TWO_SIDED);
      r.reasons().forEach(x -> why.add(code(x)));
      z = r.z();
      p = r.pValue();
      shift = r.hodgesLehmannShift() / 1000.0;
      cMedian = c.count() == 0 ? Double.NaN : ms(c.valueAtPercentile(50));
      tMedian = t.count() == 0 ? Double.NaN : ms(t.valueAtPercentile(50));
    }
    return new MetricComparison(arm, LATENCY, "latency", "mann_whitney", false, cMedian, tMedian, shift,
        Interval.UNDEFINED, Double.NaN, Double.NaN, Double.NaN, Interval.UNDEFINED, z, Double.NaN, p, Double.NaN, null, Double.NaN,
        Double.NaN, Double.NaN, 0, Set.copyOf(why), control.exposures(), treatment.exposures());
  }

  /**
   * The stats result made direction-aware. An empty arm has no mean (the stats module reports 0 by convention) and
   * no posterior beyond the prior, so its value, the difference, P(better) and the losses become NaN.
   */
  private static MetricComparison fromComparison(String arm, String metric, String kind, String test,
      boolean higherIsBetter, ComparisonResult r, boolean controlEmpty, boolean treatmentEmpty,
      long controlExposures, long treatmentExposures) {
    Set<String> why = new TreeSet<>();
    r.reasons().forEach(x -> why.add(code(x)));
    boolean empty = controlEmpty || treatmentEmpty;
    double better = empty ? Double.NaN
        : higherIsBetter ? r.probabilityTreatmentBetter() : 1 - r.probabilityTreatmentBetter();
    double lossT = empty ? Double.NaN : higherIsBetter ? r.expectedLossTreatment() : r.expectedLossControl();
    double lossC = empty ? Double.NaN : higherIsBetter ? r.expectedLossControl() : r.expectedLossTreatment();
    return new MetricComparison(arm, metric, kind, test, higherIsBetter,
        controlEmpty ? Double.NaN : r.controlMean(), treatmentEmpty ? Double.NaN : r.treatmentMean(),
        empty ? Double.NaN : r.difference(), r.differenceInterval(), r.standardError(), r.criticalValue(),
        empty ? Double.NaN : r.relativeLift(), r.relativeLiftInterval(), r.statistic(), r.degreesOfFreedom(),
        r.pValue(), Double.NaN, r.sequential(), better, lossT, lossC, r.cupedTheta(), Set.copyOf(why), controlExposures, treatmentExposures);
  }

  /**
   * One look with the remembered state: read, compute from it, store only if nobody stored another state
   * meanwhile (else retry from theirs), so the stored p-value is the minimum over every look.
   */
  private ComparisonResult look(SequentialKey key, Function<SequentialState, ComparisonResult> compare) {
    while (true) {
      SequentialState previous = sequential.get(key);
      ComparisonResult r = compare.apply(previous == null ? SequentialState.INITIAL : previous);
      boolean stored = previous == null
          ? sequential.putIfAbsent(key, r.sequential()) == null
          : sequential.replace(key, previous, r.sequential());
      if (stored) {
        return r;
      }
    }
  }

  /** Holm over the comparisons with a defined p-value, in place of {@code pValueHolm}. */
  private static List<MetricComparison> holm(List<MetricComparison> comparisons) {
    List<Integer> defined = new ArrayList<>();
    for (int i = 0; i < comparisons.size(); i++) {
      if (!Double.isNaN(comparisons.get(i).pValue())) {
        defined.add(i);
      }
    }
    double[] p = new double[defined.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = comparisons.get(defined.get(i)).pValue();
    }
    double[] adjusted = MultipleTesting.holm(p);
    List<MetricComparison> out = new ArrayList<>(comparisons);
    for (int i = 0; i < p.length; i++) {
      int at = defined.get(i);
      out.set(at, out.get(at).withHolm(adjusted[i]));
    }
    return out;
  }

  // ---- sample ratio ----------------------------------------------------------------------------------------

  /** Chi-square goodness of fit of pooled exposures against the weights of arms with weight &gt; 0. */
  private static Srm srm(ResultsInput in, Map<String, ArmData> pooled) {
    double threshold = SampleRatio.DEFAULT_THRESHOLD;
    if (in.bandit() != null) {
      return new Srm(null, Double.NaN, 0, Double.NaN, threshold, List.of(), Set.of("adaptive_allocation"));
    }
    List<String> arms = new ArrayList<>();
    if (in.weightsBps() != null) {
      for (String arm : in.arms()) {
        Integer w = in.weightsBps().get(arm);
        if (w != null && w > 0) {
          arms.add(arm);
        }
      }
    }
    if (arms.isEmpty()) {
      return new Srm(null, Double.NaN, 0, Double.NaN, threshold, List.of(), Set.of("no_weights"));
    }
    // independent draws: a returning unit's requests all land on its arm, so exposures are overdispersed and a
    // chi-square test of them raises false mismatches; count assignments when the experiment made any
    Map<String, Long> assigned = in.assigned() == null ? Map.of() : in.assigned();
    boolean byAssignment = arms.stream().mapToLong(a -> assigned.getOrDefault(a, 0L)).sum() > 0;
    long[] observed = new long[arms.size()];
    double[] weights = new double[arms.size()];
    long total = 0;
    double weightSum = 0;
    for (int i = 0; i < observed.length; i++) {
      observed[i] = byAssignment ? assigned.getOrDefault(arms.get(i), 0L) : pooled.get(arms.get(i)).exposures();
      weights[i] = in.weightsBps().get(arms.get(i));
      total += observed[i];
      weightSum += weights[i];
    }
    SrmResult r = SampleRatio.srm(observed, weights, threshold);
    Set<String> why = new TreeSet<>();
    r.reasons().forEach(x -> why.add(code(x)));
    if (total < SRM_MIN_EXPOSURES) {
      why.add("too_few_exposures");
    }
    List<SrmArm> rows = new ArrayList<>();
    for (int i = 0; i < observed.length; i++) {
      rows.add(new SrmArm(arms.get(i), (int) weights[i], observed[i], total * weights[i] / weightSum));
    }
    return new Srm(r.mismatch() ? "mismatch" : "ok", r.statistic(), r.degreesOfFreedom(), r.pValue(), threshold,
        List.copyOf(rows), Set.copyOf(why), byAssignment ? "assignments" : "exposures");
  }

  // ---- inputs ----------------------------------------------------------------------------------------------

  /** Successes of a binary metric over the arm's trials; (exposures, 0) when no feedback arrived yet. */
  /** The metric's successes over the arm's exposures (0 successes when none were recorded). */
  static BinaryStats binary(ArmData d, MetricDef m) {
    BinaryStats s = d.binary() == null ? null : d.binary().get(m.name());
    return s != null ? s : new BinaryStats(d.exposures(), 0);
  }

  /** The metric's values of the arm (empty when none were recorded). */
  static ContinuousStats continuous(ArmData d, MetricDef m) {
    ContinuousStats s = d.continuous() == null ? null : d.continuous().get(m.name());
    return s != null ? s : ContinuousStats.EMPTY;
  }

  private static BinaryStats errors(ArmData d) {
    return new BinaryStats(d.requests(), d.errors());
  }

  /** The primary metric, else the first declared one, else null. */
  private static MetricDef checkedMetric(List<MetricDef> metrics) {
    for (MetricDef m : metrics) {
      if (m.primary()) {
        return m;
      }
    }
    return metrics.isEmpty() ? null : metrics.get(0);
  }

  private static List<MetricDef> metrics(ResultsInput in) {
    return in.metrics() == null ? List.of() : in.metrics();
  }

  /** Arm data by arm id, an empty entry for every arm without data. */
  private static Map<String, ArmData> byArm(ResultsInput in, List<ArmData> data, String where) {
    Map<String, ArmData> out = new HashMap<>();
    Set<String> arms = new HashSet<>(in.arms());
    for (int i = 0; i < data.size(); i++) {
      ArmData d = data.get(i);
      String at = where + "[" + i + "]";
      if (d == null || d.arm() == null || !arms.contains(d.arm())) {
        throw new IllegalArgumentException(at + ".arm: " + (d == null ? null : d.arm())
            + " (expected: one of " + in.arms() + ")");
      }
      if (d.exposures() < 0 || d.units() < 0 || d.requests() < 0 || d.errors() < 0) {
        throw new IllegalArgumentException(at + ": exposures " + d.exposures() + ", units " + d.units()
            + ", requests " + d.requests() + ", errors " + d.errors() + " (expected: all >= 0)");
      }
      if (d.errors() > d.requests()) {
        throw new IllegalArgumentException(at + ".errors: " + d.errors() + " (expected: <= requests "
            + d.requests() + ")");
      }
      if (out.put(d.arm(), d) != null) {
        throw new IllegalArgumentException(at + ".arm: " + d.arm() + " (expected: one entry per arm)");
      }
    }
    for (String arm : in.arms()) {
      out.computeIfAbsent(arm, a -> new ArmData(a, 0, 0, 0, 0, null, Map.of(), Map.of()));
    }
    return out;
  }

  private static void validate(ResultsInput in) {
    if (in == null) {
      throw new IllegalArgumentException("in: null (expected: non-null)");
    }
    if (in.experimentId() == null) {
      throw new IllegalArgumentException("experimentId: null (expected: non-null)");
    }
    Set<String> arms = in.arms() == null ? Set.of() : new HashSet<>(in.arms());
    if (arms.isEmpty() || arms.size() != in.arms().size() || arms.contains(null)) {
      throw new IllegalArgumentException("arms: " + in.arms() + " (expected: at least one, distinct, non-null)");
    }
    if (!arms.contains(in.control())) {
      throw new IllegalArgumentException("control: " + in.control() + " (expected: one of " + in.arms() + ")");
    }
    Set<String> names = new HashSet<>();
    List<MetricDef> metrics = metrics(in);
    for (int i = 0; i < metrics.size(); i++) {
      String name = metrics.get(i) == null ? null : metrics.get(i).name();
      if (name == null || name.equals(LATENCY) || name.equals(ERROR_RATE) || !names.add(name)) {
        throw new IllegalArgumentException("metrics[" + i + "].name: " + name
            + " (expected: non-null, distinct, not " + LATENCY + " or " + ERROR_RATE + ")");
      }
    }
  }

  /** Reason codes are the stats module's names in lower case, e.g. {@code empty_arm}. */
  static String code(ReasonCode r) {
    return r.name().toLowerCase(Locale.ROOT);
  }

  /** Key of one remembered always-valid state. */
  private record SequentialKey(String experiment, String version, String dimension, String value, String metric,
      String treatment) {}
}
