package dev.vane.gateway.counters;

import dev.vane.config.Analysis;
import dev.vane.gateway.runtime.Snapshot;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Feedback outcomes of one experiment version: per arm and metric, and per slice value, arm and metric, as sums
 * that add across instances. Besides the declared slices, the slices hold their declared crosses
 * ({@link SliceCrosses}) and the days since units' first exposure ({@link NoveltyDays}). Binary metrics count positive events ({@code n} = successes; the trials are the arm's
 * exposures); continuous metrics keep count, sum and sum of squares of the values.
 */
public final class OutcomeCounters {
  /** Slice value used when a request carries none. */
  public static final String NONE = "(none)";
  /** Slice value that groups values beyond a dimension's bound. */
  public static final String OTHER = "other";

  /**
   * Sums of one metric.
   *
   * @param n     events (binary: positive events)
   * @param sum   sum of values
   * @param sumSq sum of squared values
   */
  public record Sums(long n, double sum, double sumSq) {
    public static final Sums ZERO = new Sums(0, 0, 0);

    public Sums plus(Sums o) {
      return new Sums(n + o.n, sum + o.sum, sumSq + o.sumSq);
    }

    public Sums minus(Sums o) {
      return new Sums(n - o.n, sum - o.sum, sumSq - o.sumSq);
    }
  }

  /** One arm within one slice value: its exposures and metric sums. */
  public record SliceCell(long exposures, Map<String, Sums> metrics) {}

  /**
   * A copy of the sums.
   *
   * @param pooled arm → metric → sums
   * @param slices dimension → value → arm → cell
   */
  public record Snapshot(Map<String, Map<String, Sums>> pooled,
      Map<String, Map<String, Map<String, SliceCell>>> slices) {
    public static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of());
  }

  /**
   * Count, sum and sum of squares of one metric, summed with compensation ({@link CompensatedSum}) and read as one
   * consistent triple. Guarded by its own monitor: held for a few additions, contended only when two event loops
   * count the same arm and metric at the same instant.
   */
  static final class Acc {
    private long n;
    private final CompensatedSum sum = new CompensatedSum();
    private final CompensatedSum sumSq = new CompensatedSum();

    synchronized void add(double v) {
      n++;
      sum.add(v);
      sumSq.addSquare(v);
    }

    synchronized Sums sums() {
      return new Sums(n, sum.value(), sumSq.value());
    }
  }

  static final class Cell {
    final LongAdder exposures = new LongAdder();
    final Map<String, Acc> metrics = new ConcurrentHashMap<>();
  }

  private final Analysis analysis;
  private final List<String> arms;
  private final Map<String, Map<String, Acc>> pooled = new LinkedHashMap<>();
  private final Map<String, Map<String, Map<String, Cell>>> slices = new LinkedHashMap<>();
  private final SliceCrosses crosses;

  public OutcomeCounters(Experiment e, Analysis analysis) {
    this.analysis = analysis;
    this.arms = e.arms().stream().map(Arm::id).toList();
    for (String arm : arms) {
      Map<String, Acc> m = new LinkedHashMap<>();
      for (Analysis.Metric metric : analysis.metrics()) {
        m.put(metric.name(), new Acc());
      }
      pooled.put(arm, Map.copyOf(m));
    }
    for (Analysis.Slice s : analysis.slices()) {
      slices.put(s.name(), new ConcurrentHashMap<>());
    }
    crosses = new SliceCrosses(analysis);
    for (int i = 0; i < crosses.size(); i++) {
      slices.put(crosses.name(i), new ConcurrentHashMap<>());
    }
    if (!analysis.metrics().isEmpty()) {
      slices.put(NoveltyDays.DIMENSION, new ConcurrentHashMap<>());
    }
  }

  /**
   * The counted dimensions, in order: the declared slices, their crosses ({@link SliceCrosses}) and, when metrics
   * are declared, {@link NoveltyDays#DIMENSION}.
   */
  public List<String> dimensions() {
    return List.copyOf(slices.keySet());
  }

  public Analysis analysis() {
    return analysis;
  }

  /** Whether slice dimensions are declared. */
  public boolean hasSlices() {
    return !analysis.slices().isEmpty();
  }

  /** The bounded slice value to count {@code raw} under in dimension {@code i}. */
  public String sliceValue(int i, String raw) {
    Analysis.Slice s = analysis.slices().get(i);
    String v = raw == null || raw.isEmpty() ? NONE : raw.length() > 100 ? raw.substring(0, 100) : raw;
    v = v.replace('\u001f', ' ').replace(SliceCrosses.JOIN, ' ');
    return bounded(s.name(), v, s.maxValues());
  }

  /** {@code v}, or {@link #OTHER} when the dimension holds {@code bound} other values already. */
  private String bounded(String dimension, String v, int bound) {
    Map<String, Map<String, Cell>> values = slices.get(dimension);
    if (values.containsKey(v) || values.size() < bound) {
      return v;
    }
    return OTHER;
  }

  private Cell cell(String dimension, String value, String arm) {
    return slices.get(dimension).computeIfAbsent(value, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(arm, k -> new Cell());
  }

  /** Counts an exposure of {@code arm} in each slice (values aligned with the analysis' slices). */
  public void exposure(String arm, String[] sliceValues) {
    if (sliceValues == null) {
      return;
    }
    for (int i = 0; i < sliceValues.length; i++) {
      cell(analysis.slices().get(i).name(), sliceValues[i], arm).exposures.increment();
    }
    for (int i = 0; i < crosses.size(); i++) {
      String pair = crosses.pair(i, sliceValues);
      if (pair != null) {
        cell(crosses.name(i), bounded(crosses.name(i), pair, crosses.bound(i)), arm).exposures.increment();
      }
    }
  }

  /**
   * Counts an exposure of {@code arm} {@code day} whole days after its unit's first exposure (the novelty check);
   * nothing when {@code day < 0} (unknown) or no metric is declared.
   */
  public void exposureOnDay(String arm, int day) {
    String bucket = NoveltyDays.bucket(day);
    if (bucket != null && slices.containsKey(NoveltyDays.DIMENSION)) {
      cell(NoveltyDays.DIMENSION, bucket, arm).exposures.increment();
    }
  }

  /**
   * Adds one outcome; returns false when the arm or metric is unknown. Callers keep values within the metric's
   * {@link Analysis.Metric#accepts range} (finite, |value| <= 1e15), which keeps every sum finite.
   */
  public boolean outcome(String arm, String[] sliceValues, String metric, double value) {
    return outcome(arm, sliceValues, -1, metric, value);
  }

  /**
   * {@link #outcome(String, String[], String, double)} of an exposure {@code day} whole days after its unit's first
   * exposure ({@code < 0}: unknown, not counted by day).
   */
  public boolean outcome(String arm, String[] sliceValues, int day, String metric, double value) {
    Map<String, Acc> m = pooled.get(arm);
    Acc acc = m == null ? null : m.get(metric);
    if (acc == null) {
      return false;
    }
    acc.add(value);
    if (sliceValues != null) {
      for (int i = 0; i < sliceValues.length && i < analysis.slices().size(); i++) {
        cell(analysis.slices().get(i).name(), sliceValues[i], arm).metrics.computeIfAbsent(metric, k -> new Acc())
            .add(value);
      }
      for (int i = 0; i < crosses.size(); i++) {
        String pair = crosses.pair(i, sliceValues);
        if (pair != null) {
          cell(crosses.name(i), bounded(crosses.name(i), pair, crosses.bound(i)), arm).metrics
              .computeIfAbsent(metric, k -> new Acc()).add(value);
        }
      }
    }
    String bucket = NoveltyDays.bucket(day);
    if (bucket != null) {
      cell(NoveltyDays.DIMENSION, bucket, arm).metrics.computeIfAbsent(metric, k -> new Acc()).add(value);
    }
    return true;
  }

  public Snapshot snapshot() {
    Map<String, Map<String, Sums>> p = new LinkedHashMap<>();
    pooled.forEach((arm, m) -> {
      Map<String, Sums> ms = new LinkedHashMap<>();
      for (Analysis.Metric metric : analysis.metrics()) {
        ms.put(metric.name(), m.get(metric.name()).sums());
      }
      p.put(arm, ms);
    });
    Map<String, Map<String, Map<String, SliceCell>>> s = new LinkedHashMap<>();
    slices.forEach((dim, values) -> {
      Map<String, Map<String, SliceCell>> vs = new LinkedHashMap<>();
      values.forEach((value, cells) -> {
        Map<String, SliceCell> byArm = new LinkedHashMap<>();
        cells.forEach((arm, c) -> {
          Map<String, Sums> ms = new LinkedHashMap<>();
          c.metrics.forEach((metric, acc) -> ms.put(metric, acc.sums()));
          byArm.put(arm, new SliceCell(c.exposures.sum(), ms));
        });
        vs.put(value, byArm);
      });
      s.put(dim, vs);
    });
    return new Snapshot(p, s);
  }
}
