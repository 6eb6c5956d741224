package dev.vane.gateway.counters;

import dev.vane.config.Analysis;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Each arm's own reference distribution of the response metrics that declare {@code driftReference}: a sketch of
 * every value since the version started (as {@link ResponseCounters}' sketch: value x {@link ResponseCounters#SCALE},
 * values >= 0), and a frozen copy of it taken when the reference window (the first {@code driftReference} of the
 * version) ends; values after that are the current sketch minus the copy. This instance's memory only.
 */
public final class ReferenceSketches {
  /** An arm's reference (null while the window is open) and the values after it (null likewise). */
  public record Cell(Histogram reference, Histogram after, long windowEndMillis) {}

  private static final class Acc {
    final long windowEnd;
    final Histogram all = ResponseCounters.newSketch();
    Histogram reference;

    Acc(long windowEnd) {
      this.windowEnd = windowEnd;
    }

    /** Freezes the reference when the window has ended; values recorded so far all came within it. */
    private void freeze(long now) {
      if (reference == null && now >= windowEnd) {
        reference = all.copy();
      }
    }

    synchronized void record(double v, long now) {
      freeze(now);
      if (v >= 0 && v <= ResponseCounters.MAX_VALUE) {
        all.recordValue(Math.round(v * ResponseCounters.SCALE));
      }
    }

    synchronized Cell cell(long now) {
      freeze(now);
      if (reference == null) {
        return new Cell(null, null, windowEnd);
      }
      Histogram after = all.copy();
      after.subtract(reference);
      return new Cell(reference.copy(), after, windowEnd);
    }
  }

  private final LongSupplier millis;
  /** arm -> metric -> sketches */
  private final Map<String, Map<String, Acc>> arms;

  /**
   * @param sinceMillis when the version's figures started (ms since the epoch)
   * @param millis      the wall clock, ms since the epoch
   */
  public ReferenceSketches(Experiment e, Analysis analysis, long sinceMillis, LongSupplier millis) {
    this.millis = millis;
    Map<String, Map<String, Acc>> a = new LinkedHashMap<>();
    for (Arm arm : e.arms()) {
      Map<String, Acc> byMetric = new LinkedHashMap<>();
      for (Analysis.ResponseMetric m : analysis.responseMetrics()) {
        if (m.driftReference() != null) {
          byMetric.put(m.name(), new Acc(sinceMillis + m.driftReference().toMillis()));
        }
      }
      a.put(arm.id(), Map.copyOf(byMetric));
    }
    this.arms = Map.copyOf(a);
  }

  public boolean active() {
    for (Map<String, Acc> m : arms.values()) {
      if (!m.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Counts value {@code v} of {@code metric} on {@code arm}, if it has a reference window. */
  public void record(String arm, String metric, double v) {
    Acc a = arms.getOrDefault(arm, Map.of()).get(metric);
    if (a != null) {
      a.record(v, millis.getAsLong());
    }
  }

  /** The cell of {@code arm} and {@code metric}, or null when it has no reference window. */
  public Cell cell(String arm, String metric) {
    Acc a = arms.getOrDefault(arm, Map.of()).get(metric);
    return a == null ? null : a.cell(millis.getAsLong());
  }
}
