package dev.vane.gateway.observability;

import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.ArmCounters;
import dev.vane.gateway.counters.CounterRegistry;
import dev.vane.gateway.counters.CalibrationCounters;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.counters.ReferenceSketches;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.gateway.counters.ShadowCounters;
import dev.vane.gateway.results.CalibrationResults;
import dev.vane.gateway.results.ResultsInput;
import dev.vane.gateway.rollout.RolloutDriver;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Role;
import dev.vane.stats.Drift;
import dev.vane.stats.DriftResult;
import dev.vane.stats.LatencyStats;
import dev.vane.stats.rollout.RolloutState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The per-experiment families of {@code /metrics}, read at scrape time from the counters the request path keeps
 * anyway ({@link CounterRegistry}): nothing is recorded for Prometheus on the request path.
 *
 * <p>Vane counts per experiment <em>version</em> (a changed experiment starts new figures). A Prometheus counter
 * must never go backwards, so each series here is the sum over every version of the experiment this process has
 * served (the registry never drops a version): a new version adds to the series instead of resetting it. Labels
 * are experiment, arm and shadow ids from the config, and fixed sets (status class, reason, check); never a unit,
 * request or slice value.
 */
final class ExperimentCollector implements MultiCollector {
  /** Histogram bucket bounds, seconds: inference latency from 0.5 ms to 60 s. */
  static final double[] BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
      5, 10, 30, 60};
  private static final long[] BUCKETS_MICROS = new long[BUCKETS_SECONDS.length];
  private static final double[] BOUNDS = new double[BUCKETS_SECONDS.length + 1];

  static {
    for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
      BUCKETS_MICROS[i] = Math.round(BUCKETS_SECONDS[i] * 1e6);
      BOUNDS[i] = BUCKETS_SECONDS[i];
    }
    BOUNDS[BUCKETS_SECONDS.length] = Double.POSITIVE_INFINITY;
  }

  private static final String[] STATUS_CLASSES = {"2xx", "3xx", "4xx", "5xx"};
  private static final String[] OUTSIDE = {"override", "not_targeted", "not_covered", "paused"};

  private final GatewayCore core;
  private final Supplier<RolloutDriver> rollouts;

  ExperimentCollector(GatewayCore core, Supplier<RolloutDriver> rollouts) {
    this.core = core;
    this.rollouts = rollouts;
  }

  /** Sums of one arm over the versions seen. */
  private static final class ArmSums {
    final long[] counts = new long[Figures.Arm.fields().length];
    final long[] buckets = new long[BOUNDS.length];
    double sumMicros;
  }

  @Override
  public MetricSnapshots collect() {
    // experiment -> arm -> sums; experiment -> shadow -> counters; experiment -> outside counters
    Map<String, Map<String, ArmSums>> arms = new TreeMap<>();
    Map<String, Map<String, long[]>> shadows = new TreeMap<>();
    Map<String, long[]> outside = new TreeMap<>();
    for (ExperimentCounters ec : core.counters().all()) {
      Map<String, ArmSums> byArm = arms.computeIfAbsent(ec.experimentId(), k -> new TreeMap<>());
      ec.arms().forEach((arm, c) -> add(byArm.computeIfAbsent(arm, k -> new ArmSums()), c));
      Map<String, long[]> byShadow = shadows.computeIfAbsent(ec.experimentId(), k -> new TreeMap<>());
      ec.shadows().forEach((sh, c) -> add(byShadow.computeIfAbsent(sh, k -> new long[Figures.Shadow.fields().length]),
          c));
      long[] o = outside.computeIfAbsent(ec.experimentId(), k -> new long[OUTSIDE.length]);
      long[] f = ec.figures(false).counters();
      for (int i = 0; i < OUTSIDE.length; i++) {
        o[i] += f[i];
      }
    }

    CounterSnapshot.Builder requests = counter("vane_requests",
        "Requests assigned to an arm (intent to treat, fallbacks included), by the status class the client got");
    CounterSnapshot.Builder exposures = counter("vane_exposures",
        "Requests counted as exposures of an arm (not overrides, targeting or coverage misses)");
    CounterSnapshot.Builder upstreamErrors = counter("vane_upstream_errors",
        "Requests whose upstream could not be reached, timed out or reset (answered 502/503/504)");
    CounterSnapshot.Builder fallbacks = counter("vane_fallbacks",
        "Requests that failed on the arm and were served by the control instead");
    HistogramSnapshot.Builder duration = HistogramSnapshot.builder().name("vane_request_duration_seconds")
        .help("End-to-end latency of requests through the gateway, per arm");
    CounterSnapshot.Builder outsideRequests = counter("vane_requests_outside",
        "Requests of an experiment not counted as exposures, by reason (served by the control unless overridden)");
    int[] statusIndex = {4, 5, 6, 7};
    arms.forEach((exp, byArm) -> byArm.forEach((arm, s) -> {
      for (int i = 0; i < STATUS_CLASSES.length; i++) {
        requests.dataPoint(point(s.counts[statusIndex[i]], "experiment", exp, "arm", arm, "status_class",
            STATUS_CLASSES[i]));
      }
      exposures.dataPoint(point(s.counts[1], "experiment", exp, "arm", arm));
      fallbacks.dataPoint(point(s.counts[8], "experiment", exp, "arm", arm));
      upstreamErrors.dataPoint(point(s.counts[9], "experiment", exp, "arm", arm));
      duration.dataPoint(HistogramDataPointSnapshot.builder()
          .labels(Labels.of("experiment", exp, "arm", arm))
          .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, s.buckets))
          .sum(s.sumMicros / 1e6)
          .build());
    }));
    outside.forEach((exp, o) -> {
      for (int i = 0; i < OUTSIDE.length; i++) {
        outsideRequests.dataPoint(point(o[i], "experiment", exp, "reason", OUTSIDE[i]));
      }
    });

    CounterSnapshot.Builder mirrored = counter("vane_shadow_mirrored", "Requests copied to a shadow");
    CounterSnapshot.Builder dropped = counter("vane_shadow_dropped",
        "Copies not sent because the shadow endpoint had maxShadowInFlight copies in flight");
    CounterSnapshot.Builder shadowErrors = counter("vane_shadow_errors",
        "Copies that failed (connect error, timeout, reset)");
    CounterSnapshot.Builder compared = counter("vane_shadow_compared",
        "Pairs where both the served and the shadow response completed, by check: status and body over every "
            + "compared pair, numeric and label over the pairs that had such outputs on both sides");
    CounterSnapshot.Builder agreed = counter("vane_shadow_agreements",
        "Compared pairs that agreed, by check (agreement ratio = agreements / compared of the same check)");
    shadows.forEach((exp, byShadow) -> byShadow.forEach((sh, c) -> {
      // Figures.Shadow order: mirrored, dropped, errors, compared, statusMatches, bodyEqual, numericCompared,
      // numericWithinTolerance, labelCompared, labelEqual, latencyDiffMicrosSum
      mirrored.dataPoint(point(c[0], "experiment", exp, "shadow", sh));
      dropped.dataPoint(point(c[1], "experiment", exp, "shadow", sh));
      shadowErrors.dataPoint(point(c[2], "experiment", exp, "shadow", sh));
      String[] checks = {"status", "body", "numeric", "label"};
      long[] of = {c[3], c[3], c[6], c[8]};
      long[] ok = {c[4], c[5], c[7], c[9]};
      for (int i = 0; i < checks.length; i++) {
        compared.dataPoint(point(of[i], "experiment", exp, "shadow", sh, "check", checks[i]));
        agreed.dataPoint(point(ok[i], "experiment", exp, "shadow", sh, "check", checks[i]));
      }
    }));

    VaneConfig cfg = core.snapshot().config();
    GaugeSnapshot.Builder info = gauge("vane_experiment_info",
        "1 for each experiment the config serves, with the version its figures are counted under");
    GaugeSnapshot.Builder weight = gauge("vane_arm_weight", "Configured share of an arm's traffic, 0..1");
    GaugeSnapshot.Builder canary = gauge("vane_canary_weight",
        "Percent of traffic the canary arm receives (as flagger_canary_weight), 0..100");
    GaugeSnapshot.Builder paused = gauge("vane_experiment_paused", "1 while the experiment's kill switch is on");
    GaugeSnapshot.Builder allocation = gauge("vane_bandit_allocation",
        "Thompson-sampling allocation of an arm (probability of being chosen), 0..1, at the last refresh");
    for (Experiment e : cfg.routing().experiments().values()) {
      info.dataPoint(gaugePoint(1, "experiment", e.id(), "version", e.version()));
      paused.dataPoint(gaugePoint(e.paused() ? 1 : 0, "experiment", e.id()));
      for (Arm a : e.arms()) {
        weight.dataPoint(gaugePoint(a.weightBps() / 10_000.0, "experiment", e.id(), "arm", a.id()));
        if (a.role() == Role.CANARY) {
          canary.dataPoint(gaugePoint(a.weightBps() / 100.0, "experiment", e.id()));
        }
      }
      ResultsInput.BanditView view = core.bandit().view(e);
      if (view != null) {
        view.allocation().forEach((arm, p) -> allocation.dataPoint(gaugePoint(p, "experiment", e.id(), "arm", arm)));
      }
    }

    GaugeSnapshot.Builder phase = gauge("vane_rollout_phase",
        "1 for the phase a rollout is in (shadow, stepping, promoted, rolled_back, aborted), 0 for the others; "
            + "reported by the instance that leads the rollout");
    GaugeSnapshot.Builder step = gauge("vane_rollout_step", "Index of the rollout's current step (0 = first)");
    GaugeSnapshot.Builder rolloutPaused = gauge("vane_rollout_paused", "1 while an operator paused the rollout");
    RolloutDriver driver = rollouts.get();
    if (driver != null) {
      driver.ledStates().forEach((exp, s) -> {
        for (RolloutState.Phase p : RolloutState.Phase.values()) {
          phase.dataPoint(gaugePoint(p == s.phase() ? 1 : 0, "experiment", exp, "phase", p.name().toLowerCase()));
        }
        step.dataPoint(gaugePoint(s.step(), "experiment", exp));
        rolloutPaused.dataPoint(gaugePoint(s.paused() ? 1 : 0, "experiment", exp));
      });
    }

    GaugeSnapshot.Builder ksD = gauge("vane_response_drift_ks_statistic",
        "Kolmogorov-Smirnov D (0..1) of a response metric's distribution on a treatment arm against the control's, "
            + "this instance's responses of the experiment's current version");
    GaugeSnapshot.Builder ksP = gauge("vane_response_drift_ks_p_value",
        "Kolmogorov-Smirnov p-value (0..1) of a treatment arm's response metric against the control's");
    GaugeSnapshot.Builder psi = gauge("vane_response_drift_psi",
        "Population stability index (>= 0) of a treatment arm's response metric against the control's, 10 bins");
    GaugeSnapshot.Builder refD = gauge("vane_response_reference_drift_ks_statistic",
        "Kolmogorov-Smirnov D (0..1) of a response metric's values on an arm after its reference window against "
            + "the values within it, this instance's responses of the experiment's current version");
    GaugeSnapshot.Builder refP = gauge("vane_response_reference_drift_ks_p_value",
        "Kolmogorov-Smirnov p-value (0..1) of an arm's response metric after its reference window against within it");
    GaugeSnapshot.Builder refPsi = gauge("vane_response_reference_drift_psi",
        "Population stability index (>= 0) of an arm's response metric after its reference window against within "
            + "it, 10 bins");
    CounterSnapshot.Builder calPredictions = counter("vane_calibration_predictions",
        "Predictions of a response metric that calibrates a binary metric, per arm and bin (bin = lower bound of "
            + "the 10 equal-width bins over [0, 1]), this instance's");
    CounterSnapshot.Builder calPositives = counter("vane_calibration_positives",
        "Of those predictions, the ones whose request got positive feedback joined here, per arm and bin");
    GaugeSnapshot.Builder calPredictionSum = gauge("vane_calibration_prediction_sum",
        "Sum of the predicted probabilities per arm and bin (mean prediction = this / predictions)");
    GaugeSnapshot.Builder calBrier = gauge("vane_calibration_brier_sum",
        "Sum of the per-request Brier losses (p - y)^2 per arm (Brier score = sum over instances / predictions)");
    GaugeSnapshot.Builder calLog = gauge("vane_calibration_log_loss_sum",
        "Sum of the per-request log losses per arm, p clipped to [1e-15, 1 - 1e-15] (log loss = sum / predictions)");
    for (Experiment e : cfg.routing().experiments().values()) {
      ExperimentCounters ec = core.counters().get(e.id(), e.version());
      if (ec != null) {
        drift(e, ec.responses().snapshot(), ec.responses().names(), ksD, ksP, psi);
        if (ec.references().active()) {
          referenceDrift(e, ec.references(), refD, refP, refPsi);
        }
        if (ec.calibration().active()) {
          ec.calibration().snapshot().forEach((arm, cells) -> cells.forEach((metric, c) -> {
            for (int b = 0; b < CalibrationCounters.BINS; b++) {
              String[] labels = {"experiment", e.id(), "arm", arm, "metric", metric, "bin",
                  Double.toString((double) b / CalibrationCounters.BINS)};
              calPredictions.dataPoint(point(c.n()[b], labels));
              calPositives.dataPoint(point(c.positives()[b], labels));
              calPredictionSum.dataPoint(gaugePoint(c.sumP()[b], labels));
            }
            String[] labels = {"experiment", e.id(), "arm", arm, "metric", metric};
            calBrier.dataPoint(gaugePoint(c.brierSum(), labels));
            calLog.dataPoint(gaugePoint(c.logSum(), labels));
          }));
        }
      }
    }

    List<MetricSnapshot> out = new ArrayList<>();
    out.add(requests.build());
    out.add(exposures.build());
    out.add(outsideRequests.build());
    out.add(upstreamErrors.build());
    out.add(fallbacks.build());
    out.add(duration.build());
    out.add(mirrored.build());
    out.add(dropped.build());
    out.add(shadowErrors.build());
    out.add(compared.build());
    out.add(agreed.build());
    out.add(info.build());
    out.add(paused.build());
    out.add(weight.build());
    out.add(canary.build());
    out.add(allocation.build());
    out.add(phase.build());
    out.add(step.build());
    out.add(rolloutPaused.build());
    out.add(ksD.build());
    out.add(ksP.build());
    out.add(psi.build());
    out.add(refD.build());
    out.add(refP.build());
    out.add(refPsi.build());
    out.add(calPredictions.build());
    out.add(calPositives.build());
    out.add(calPredictionSum.build());
    out.add(calBrier.build());
    out.add(calLog.build());
    return new MetricSnapshots(out);
  }

  /**
   * Drift of each declared response metric (not the built-in {@code $} cells) on each treatment against the
   * control, from the sketches ({@link Drift#compare}); no point while either side has no sketched value.
   */
  private static void drift(Experiment e, ResponseCounters.Snapshot s, List<String> names,
      GaugeSnapshot.Builder ksD, GaugeSnapshot.Builder ksP, GaugeSnapshot.Builder psi) {
    String control = e.control().id();
    for (String metric : names) {
      if (metric.startsWith("$")) {
        continue;
      }
      ResponseCounters.Cell c = cell(s, control, metric);
      if (c.sketch().getTotalCount() == 0) {
        continue;
      }
      for (Arm a : e.arms()) {
        ResponseCounters.Cell t = cell(s, a.id(), metric);
        if (a.id().equals(control) || t.sketch().getTotalCount() == 0) {
          continue;
        }
        points(Drift.compare(LatencyStats.of(c.sketch()), LatencyStats.of(t.sketch())), e.id(), a.id(), metric, ksD,
            ksP, psi);
      }
    }
  }

  /**
   * Drift of each arm against its own reference window, per response metric that declares {@code driftReference}:
   * the results' {@code referenceDrift} ({@link CalibrationResults#referenceDrift}) from this instance's sketches; no
   * point while the window is open or either side has no value.
   */
  private static void referenceDrift(Experiment e, ReferenceSketches refs, GaugeSnapshot.Builder ksD,
      GaugeSnapshot.Builder ksP, GaugeSnapshot.Builder psi) {
    Map<String, Map<String, ReferenceSketches.Sketches>> sketches = refs.sketches();
    sketches.forEach((arm, byMetric) -> byMetric.keySet().forEach(metric -> {
      DriftResult d = CalibrationResults.referenceDrift(refs.cell(sketches, arm, metric));
      if (d != null) {
        points(d, e.id(), arm, metric, ksD, ksP, psi);
      }
    }));
  }

  /** D, p-value and PSI of {@code d} as points labelled experiment, arm, metric. */
  private static void points(DriftResult d, String experiment, String arm, String metric, GaugeSnapshot.Builder ksD,
      GaugeSnapshot.Builder ksP, GaugeSnapshot.Builder psi) {
    String[] labels = {"experiment", experiment, "arm", arm, "metric", metric};
    ksD.dataPoint(gaugePoint(d.ksStatistic(), labels));
    ksP.dataPoint(gaugePoint(d.ksPValue(), labels));
    psi.dataPoint(gaugePoint(d.psi(), labels));
  }

  private static ResponseCounters.Cell cell(ResponseCounters.Snapshot s, String arm, String metric) {
    return s.arms().getOrDefault(arm, Map.of()).getOrDefault(metric, ResponseCounters.Cell.EMPTY);
  }

  private static void add(ArmSums s, ArmCounters c) {
    long[] f = c.figures(false).counters();
    for (int i = 0; i < f.length; i++) {
      s.counts[i] += f[i];
    }
    s.sumMicros += c.addLatencyBuckets(BUCKETS_MICROS, s.buckets);
  }

  private static void add(long[] sums, ShadowCounters c) {
    long[] f = c.figures(false).counters();
    for (int i = 0; i < f.length; i++) {
      sums[i] += f[i];
    }
  }

  private static CounterSnapshot.Builder counter(String name, String help) {
    return CounterSnapshot.builder().name(name).help(help);
  }

  private static GaugeSnapshot.Builder gauge(String name, String help) {
    return GaugeSnapshot.builder().name(name).help(help);
  }

  private static CounterDataPointSnapshot point(long value, String... labels) {
    return CounterDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
  }

  private static GaugeDataPointSnapshot gaugePoint(double value, String... labels) {
    return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
  }
}
