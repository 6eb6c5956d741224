package dev.vane.gateway.counters;

import dev.vane.config.Analysis;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Online calibration of the response metrics that declare {@code calibrates}: per arm and metric, every measured
 * prediction p (0..1) goes into one of {@link #BINS} equal-width bins at response time, counted as a negative; when
 * binary feedback with value 1 of the calibrated metric arrives for the request (joined by request id), the
 * prediction becomes a positive. Requests without positive feedback are negatives, as binary metrics count
 * successes over exposures.
 *
 * <p>Losses are kept as sums of per-request losses and their squares, first as if negative and corrected by the
 * difference when the positive arrives: Brier (p - y)^2, log loss -(y log p + (1 - y) log(1 - p)) with p clipped to
 * [{@link #EPS}, 1 - {@link #EPS}]. The table from request id to prediction is bounded ({@link #MAX_PENDING}
 * requests, oldest dropped, counted): a positive for a dropped request is not joined here.
 *
 * <p><b>Across instances.</b> Every figure here is a sum, so instances add theirs in Redis (deltas since the last
 * flush, as the other figures). A positive may arrive at an instance that did not serve the request: each
 * prediction is also handed to the {@link Sink} (which shares it through the feedback backend, as attributions), and
 * the instance that gets the positive claims the join once for all instances, then joins the prediction it holds or
 * the shared one with {@link #positive(String, String, double)}. Its correction then travels with its own deltas.
 */
public final class CalibrationCounters {
  /** Equal-width bins over [0, 1]; p = 1 falls in the last. */
  public static final int BINS = 10;
  /** Clip of p for the log loss. */
  public static final double EPS = 1e-15;
  /** Requests whose predictions wait for their outcome. */
  static final int MAX_PENDING = 100_000;

  /** Figures of one arm and metric; bins by index; loss sums over every prediction. */
  public record Cell(long[] n, double[] sumP, long[] positives, double brierSum, double brierSumSq, double logSum,
      double logSumSq, long outOfRange) {
    public long count() {
      long c = 0;
      for (long x : n) {
        c += x;
      }
      return c;
    }
  }

  private static final class Acc {
    final long[] n = new long[BINS];
    final double[] sumP = new double[BINS];
    final long[] positives = new long[BINS];
    double brierSum;
    double brierSumSq;
    double logSum;
    double logSumSq;
    long outOfRange;

    synchronized void predict(double p) {
      int b = bin(p);
      n[b]++;
      sumP[b] += p;
      double brier = p * p;
      brierSum += brier;
      brierSumSq += brier * brier;
      double log = negLog(1 - p);
      logSum += log;
      logSumSq += log * log;
    }

    synchronized void positive(double p) {
      positives[bin(p)]++;
      double b0 = p * p;
      double b1 = (1 - p) * (1 - p);
      brierSum += b1 - b0;
      brierSumSq += b1 * b1 - b0 * b0;
      double l0 = negLog(1 - p);
      double l1 = negLog(p);
      logSum += l1 - l0;
      logSumSq += l1 * l1 - l0 * l0;
    }

    synchronized void outOfRange() {
      outOfRange++;
    }

    synchronized Cell cell() {
      return new Cell(n.clone(), sumP.clone(), positives.clone(), brierSum, brierSumSq, logSum, logSumSq,
          outOfRange);
    }
  }

  private record Pending(Acc acc, String arm, String metric, String outcome, double p) {}

  /** A prediction taken from the table of this instance, for its join. */
  public record Prediction(String arm, String metric, double p) {}

  /** Where each binned prediction goes besides the counts (shared for joins at other instances). */
  @FunctionalInterface
  public interface Sink {
    Sink NONE = (es, arm, requestId, metric, p) -> {};

    void predicted(CalibrationCounters counters, String arm, String requestId, String metric, double p);
  }

  static int bin(double p) {
    return Math.min(BINS - 1, (int) (p * BINS));
  }

  /**
   * -log q with q (the probability given to the outcome that happened) at least {@link #EPS}: the same as clipping p
   * to [EPS, 1 - EPS], without rounding 1 - EPS to the double 1 - 1.11e-15.
   */
  static double negLog(double q) {
    return -Math.log(Math.max(EPS, q));
  }

  /** response metric -> calibrated binary metric */
  private final Map<String, String> calibrates;
  /** arm -> metric -> sums */
  private final Map<String, Map<String, Acc>> arms;
  private final LinkedHashMap<String, List<Pending>> pending = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<Pending>> eldest) {
      if (size() > MAX_PENDING) {
        dropped++;
        return true;
      }
      return false;
    }
  };
  private long dropped;
  private final java.util.concurrent.atomic.LongAdder unjoined = new java.util.concurrent.atomic.LongAdder();
  private final String experimentId;
  private final String version;
  private volatile Sink sink = Sink.NONE;

  public CalibrationCounters(Experiment e, Analysis analysis) {
    this.experimentId = e.id();
    this.version = e.version();
    Map<String, String> c = new LinkedHashMap<>();
    for (Analysis.ResponseMetric m : analysis.responseMetrics()) {
      if (m.calibrates() != null) {
        c.put(m.name(), m.calibrates());
      }
    }
    this.calibrates = Map.copyOf(c);
    Map<String, Map<String, Acc>> a = new LinkedHashMap<>();
    for (Arm arm : e.arms()) {
      Map<String, Acc> byMetric = new LinkedHashMap<>();
      c.keySet().forEach(k -> byMetric.put(k, new Acc()));
      a.put(arm.id(), Map.copyOf(byMetric));
    }
    this.arms = Map.copyOf(a);
  }

  /** Hands every binned prediction to {@code sink} from now on. */
  public void sink(Sink sink) {
    this.sink = sink;
  }

  public String experimentId() {
    return experimentId;
  }

  public String version() {
    return version;
  }

  /** The response metrics that calibrate binary metric {@code outcome}, in declaration order (often none). */
  public List<String> calibrating(String outcome) {
    List<String> out = new ArrayList<>(1);
    calibrates.forEach((k, v) -> {
      if (v.equals(outcome)) {
        out.add(k);
      }
    });
    return out;
  }

  /** Whether any response metric calibrates an outcome. */
  public boolean active() {
    return !calibrates.isEmpty();
  }

  /** The metric {@code metric} calibrates, or null. */
  public String calibrated(String metric) {
    return calibrates.get(metric);
  }

  /**
   * Counts prediction {@code p} of {@code metric} on {@code arm} for request {@code requestId} (a negative until
   * {@link #positive}); a value outside [0, 1] is counted as out of range, not binned.
   */
  public void predict(String arm, String requestId, String metric, double p) {
    String outcome = calibrates.get(metric);
    Acc acc = outcome == null ? null : arms.getOrDefault(arm, Map.of()).get(metric);
    if (acc == null) {
      return;
    }
    if (!(p >= 0 && p <= 1)) {
      acc.outOfRange();
      return;
    }
    acc.predict(p);
    if (requestId != null) {
      synchronized (pending) {
        pending.computeIfAbsent(requestId, k -> new ArrayList<>(1)).add(new Pending(acc, arm, metric, outcome, p));
      }
      sink.predicted(this, arm, requestId, metric, p);
    }
  }

  /**
   * Binary feedback 1 of {@code outcome} for {@code requestId}, on this instance alone: its predictions held here
   * become positives, once.
   */
  public void positive(String requestId, String outcome) {
    List<Prediction> joined = take(requestId, outcome);
    if (joined.isEmpty() && !calibrating(outcome).isEmpty()) {
      unjoined.increment();
    }
    joined.forEach(x -> positive(x.arm(), x.metric(), x.p()));
  }

  /** Removes and returns the predictions held here of request {@code requestId} for {@code outcome}. */
  public List<Prediction> take(String requestId, String outcome) {
    if (calibrates.isEmpty() || requestId == null) {
      return List.of();
    }
    List<Prediction> joined = new ArrayList<>(1);
    synchronized (pending) {
      List<Pending> l = pending.get(requestId);
      if (l == null) {
        return List.of();
      }
      l.removeIf(x -> {
        if (x.outcome().equals(outcome)) {
          joined.add(new Prediction(x.arm(), x.metric(), x.p()));
          return true;
        }
        return false;
      });
      if (l.isEmpty()) {
        pending.remove(requestId);
      }
    }
    return joined;
  }

  /**
   * Prediction {@code p} of {@code metric} by {@code arm} turns out a positive: its bin and losses are corrected
   * (the prediction itself was counted by whichever instance served it). Unknown arms or metrics, or p outside
   * [0, 1], are ignored.
   */
  public void positive(String arm, String metric, double p) {
    Acc acc = arms.getOrDefault(arm, Map.of()).get(metric);
    if (acc != null && p >= 0 && p <= 1) {
      acc.positive(p);
    }
  }

  /** A positive outcome whose prediction was found nowhere (dropped, never measured, or not shared in time). */
  public void unjoined() {
    unjoined.increment();
  }

  /** Positive outcomes of a calibrated metric whose prediction was found nowhere, on this instance. */
  public long unjoinedCount() {
    return unjoined.sum();
  }

  /**
   * Every figure of the experiment version: cells and the two counts of positives not joined.
   *
   * @param cells    arm -> metric -> cell
   * @param dropped  requests whose predictions left the bounded table before any outcome
   * @param unjoined positives whose prediction was found nowhere
   */
  public record Figures(Map<String, Map<String, Cell>> cells, long dropped, long unjoined) {
    public static final Figures EMPTY = new Figures(Map.of(), 0, 0);
  }

  /** This instance's figures. */
  public Figures figures() {
    return new Figures(snapshot(), dropped(), unjoinedCount());
  }

  /** arm -> metric -> figures, in declaration order of arms. */
  public Map<String, Map<String, Cell>> snapshot() {
    Map<String, Map<String, Cell>> out = new LinkedHashMap<>();
    arms.forEach((arm, byMetric) -> {
      Map<String, Cell> m = new LinkedHashMap<>();
      byMetric.forEach((k, v) -> m.put(k, v.cell()));
      out.put(arm, m);
    });
    return out;
  }

  /** Requests whose predictions were dropped from the bounded table before any outcome arrived. */
  public long dropped() {
    synchronized (pending) {
      return dropped;
    }
  }
}
