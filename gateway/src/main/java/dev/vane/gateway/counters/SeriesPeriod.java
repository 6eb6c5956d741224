package dev.vane.gateway.counters;

import java.util.Arrays;
import java.util.List;

/**
 * The sums of one experiment version over one period (a minute, an hour, or an interval of several): per arm its
 * counts ({@link #REQUESTS} .. {@link #LATENCY_SUM_MICROS}), latency buckets ({@link LatencyBuckets}) and outcome
 * sums per declared metric; per shadow its counts ({@link #MIRRORED} .. {@link #LATENCY_DIFF_SUM_MICROS}). Arms,
 * shadows and metrics are indexed as in the experiment's {@link Layout}. Mutable: an accumulator that one thread
 * fills and then hands over.
 */
public final class SeriesPeriod {
  /** Requests assigned to the arm, exposures or not. */
  public static final int REQUESTS = 0;
  /** Requests that counted as exposures. */
  public static final int EXPOSURES = 1;
  /** Units newly assigned to the arm (a sticky unit's first exposure on it). */
  public static final int UNITS = 2;
  /** Answers by status class: 2xx, 3xx, 4xx, 5xx at {@code STATUS_2XX + 0..3}. */
  public static final int STATUS_2XX = 3;
  /** Requests that failed on the arm and were served by the control. */
  public static final int FALLBACKS = 7;
  /** Requests whose upstream could not be reached, timed out or reset. */
  public static final int UPSTREAM_ERRORS = 8;
  /** Latencies recorded. */
  public static final int LATENCY_COUNT = 9;
  /** Sum of the latencies recorded, microseconds. */
  public static final int LATENCY_SUM_MICROS = 10;
  /** Counts per arm. */
  public static final int ARM_FIELDS = 11;
  /** Names of the arm counts, in index order (as written to Redis). */
  public static final List<String> ARM_NAMES = List.of("requests", "exposures", "units", "2xx", "3xx", "4xx", "5xx",
      "fallbacks", "upstreamErrors", "latencyCount", "latencySumMicros");

  /** Requests copied to the shadow. */
  public static final int MIRRORED = 0;
  /** Pairs where both the served and the shadow response completed. */
  public static final int COMPARED = 1;
  /** Compared pairs that agreed (see {@link ShadowCounters#record}). */
  public static final int AGREEMENTS = 2;
  /** Sum over compared pairs of shadow latency minus served latency, microseconds. */
  public static final int LATENCY_DIFF_SUM_MICROS = 3;
  /** Counts per shadow. */
  public static final int SHADOW_FIELDS = 4;
  /** Names of the shadow counts, in index order. */
  public static final List<String> SHADOW_NAMES = List.of("mirrored", "compared", "agreements", "latencyDiffSumMicros");

  /** What the indexes of a period stand for: the experiment version's arms, shadows and declared metrics. */
  public record Layout(List<String> arms, List<String> shadows, List<String> metrics) {
    public Layout {
      arms = List.copyOf(arms);
      shadows = List.copyOf(shadows);
      metrics = List.copyOf(metrics);
    }
  }

  private final Layout layout;
  private final long startMillis;
  private final long[] arms;
  private final long[] shadows;
  private final long[][] latency;
  private final long[] outcomeN;
  private final double[] outcomeSum;
  private final double[] outcomeSumSq;

  /** An empty period starting at {@code startMillis} (milliseconds since the epoch). */
  public SeriesPeriod(Layout layout, long startMillis) {
    this.layout = layout;
    this.startMillis = startMillis;
    this.arms = new long[layout.arms().size() * ARM_FIELDS];
    this.shadows = new long[layout.shadows().size() * SHADOW_FIELDS];
    this.latency = new long[layout.arms().size()][];
    int m = layout.arms().size() * layout.metrics().size();
    this.outcomeN = new long[m];
    this.outcomeSum = new double[m];
    this.outcomeSumSq = new double[m];
  }

  public Layout layout() {
    return layout;
  }

  /** Start of the period, milliseconds since the epoch. */
  public long startMillis() {
    return startMillis;
  }

  public long arm(int arm, int field) {
    return arms[arm * ARM_FIELDS + field];
  }

  public void addArm(int arm, int field, long n) {
    arms[arm * ARM_FIELDS + field] += n;
  }

  public long shadow(int shadow, int field) {
    return shadows[shadow * SHADOW_FIELDS + field];
  }

  public void addShadow(int shadow, int field, long n) {
    shadows[shadow * SHADOW_FIELDS + field] += n;
  }

  /** The arm's latency counts by {@link LatencyBuckets bucket}, or null when none were recorded (do not modify). */
  public long[] latency(int arm) {
    return latency[arm];
  }

  public void addLatency(int arm, int bucket, long n) {
    if (n == 0) {
      return;
    }
    if (latency[arm] == null) {
      latency[arm] = new long[LatencyBuckets.COUNT];
    }
    latency[arm][bucket] += n;
  }

  /** The arm's outcome sums of metric {@code metric} (binary metrics: n = positive events). */
  public OutcomeCounters.Sums outcome(int arm, int metric) {
    int i = arm * layout.metrics().size() + metric;
    return new OutcomeCounters.Sums(outcomeN[i], outcomeSum[i], outcomeSumSq[i]);
  }

  public void addOutcome(int arm, int metric, long n, double sum, double sumSq) {
    int i = arm * layout.metrics().size() + metric;
    outcomeN[i] += n;
    outcomeSum[i] += sum;
    outcomeSumSq[i] += sumSq;
  }

  /** Adds every sum of {@code o} (same layout) to this period's. */
  public void add(SeriesPeriod o) {
    addAll(arms, o.arms, 1);
    addAll(shadows, o.shadows, 1);
    for (int a = 0; a < latency.length; a++) {
      if (o.latency[a] != null) {
        if (latency[a] == null) {
          latency[a] = new long[LatencyBuckets.COUNT];
        }
        addAll(latency[a], o.latency[a], 1);
      }
    }
    addAll(outcomeN, o.outcomeN, 1);
    for (int i = 0; i < outcomeSum.length; i++) {
      outcomeSum[i] += o.outcomeSum[i];
      outcomeSumSq[i] += o.outcomeSumSq[i];
    }
  }

  /** This period minus {@code o} (same layout), as a new period: what changed since {@code o} was taken. */
  public SeriesPeriod minus(SeriesPeriod o) {
    SeriesPeriod d = new SeriesPeriod(layout, startMillis);
    d.add(this);
    if (o == null) {
      return d;
    }
    addAll(d.arms, o.arms, -1);
    addAll(d.shadows, o.shadows, -1);
    for (int a = 0; a < latency.length; a++) {
      if (o.latency[a] != null) {
        if (d.latency[a] == null) {
          d.latency[a] = new long[LatencyBuckets.COUNT];
        }
        addAll(d.latency[a], o.latency[a], -1);
      }
    }
    addAll(d.outcomeN, o.outcomeN, -1);
    for (int i = 0; i < outcomeSum.length; i++) {
      d.outcomeSum[i] -= o.outcomeSum[i];
      d.outcomeSumSq[i] -= o.outcomeSumSq[i];
    }
    return d;
  }

  /** Whether every sum is zero. */
  public boolean isZero() {
    for (long[] l : latency) {
      if (l != null && Arrays.stream(l).anyMatch(x -> x != 0)) {
        return false;
      }
    }
    return Arrays.stream(arms).allMatch(x -> x == 0) && Arrays.stream(shadows).allMatch(x -> x == 0)
        && Arrays.stream(outcomeN).allMatch(x -> x == 0) && Arrays.stream(outcomeSum).allMatch(x -> x == 0)
        && Arrays.stream(outcomeSumSq).allMatch(x -> x == 0);
  }

  private static void addAll(long[] to, long[] from, int sign) {
    for (int i = 0; i < to.length; i++) {
      to[i] += sign * from[i];
    }
  }
}
