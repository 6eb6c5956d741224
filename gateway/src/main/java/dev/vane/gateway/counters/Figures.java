package dev.vane.gateway.counters;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Plain figures of an experiment version, from this instance's counters or summed over every instance in Redis;
 * the experiments API renders these.
 */
public final class Figures {
  private Figures() {}

  /**
   * One arm. Counts are requests unless named otherwise; {@code units} is distinct unit ids exposed to the arm
   * (exact in memory, HyperLogLog-estimated across instances, ±0.81%); {@code assigned} is the independent
   * assignments made to the arm, exactly, on every instance: units whose sticky assignment this version created
   * plus exposures without a unit id (each drawn at random on its own). The sample-ratio check counts those, not
   * exposures: a returning unit's requests are not independent draws.
   */
  public record Arm(long requests, long exposures, long units, long nonSticky, long status2xx, long status3xx,
      long status4xx, long status5xx, long fallbacks, long upstreamErrors, long assigned, Histogram latency) {

    static final String[] FIELDS = {"requests", "exposures", "units", "nonSticky", "status2xx", "status3xx",
        "status4xx", "status5xx", "fallbacks", "upstreamErrors", "assigned"};

    public long[] counters() {
      return new long[] {requests, exposures, units, nonSticky, status2xx, status3xx, status4xx, status5xx,
          fallbacks, upstreamErrors, assigned};
    }

    public static String[] fields() {
      return FIELDS.clone();
    }

    public static Arm of(long[] c, Histogram latency) {
      return new Arm(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], latency);
    }
  }

  /** One shadow: rates derive from these counts (over {@code compared}). */
  public record Shadow(long mirrored, long dropped, long errors, long compared, long statusMatches, long bodyEqual,
      long numericCompared, long numericWithinTolerance, long labelCompared, long labelEqual,
      long latencyDiffMicrosSum, double maxAbsDiff, Histogram latency) {

    static final String[] FIELDS = {"mirrored", "dropped", "errors", "compared", "statusMatches", "bodyEqual",
        "numericCompared", "numericWithinTolerance", "labelCompared", "labelEqual", "latencyDiffMicrosSum"};

    public long[] counters() {
      return new long[] {mirrored, dropped, errors, compared, statusMatches, bodyEqual, numericCompared,
          numericWithinTolerance, labelCompared, labelEqual, latencyDiffMicrosSum};
    }

    public static String[] fields() {
      return FIELDS.clone();
    }

    public static Shadow of(long[] c, double maxAbsDiff, Histogram latency) {
      return new Shadow(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], maxAbsDiff, latency);
    }
  }

  /**
   * A whole experiment version.
   *
   * @param source   {@code local} (this instance) or {@code redis} (every instance, as of their last flush)
   * @param paused   requests served by the control while the experiment was paused (not exposures)
   * @param outcomes feedback outcomes per arm and metric, and per slice
   */
  public record Experiment(String source, long overrides, long notTargeted, long notCovered, long paused,
      Map<String, Arm> arms, Map<String, Shadow> shadows, OutcomeCounters.Snapshot outcomes) {

    static final String[] FIELDS = {"overrides", "notTargeted", "notCovered", "paused"};

    public long[] counters() {
      return new long[] {overrides, notTargeted, notCovered, paused};
    }

    public static String[] fields() {
      return FIELDS.clone();
    }
  }
}
