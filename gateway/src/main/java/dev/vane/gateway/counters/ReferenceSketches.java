package dev.vane.gateway.counters;

import dev.vane.config.Analysis;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Each arm's own reference distribution of the response metrics that declare {@code driftReference}: per arm and
 * metric, a sketch of the values measured within the reference window (the first {@code driftReference} after the
 * version started) and one of the values after it (as {@link ResponseCounters}' sketch: value x
 * {@link ResponseCounters#SCALE}, values 0..{@link ResponseCounters#MAX_VALUE}).
 *
 * <p>Both sketches add across instances. The version's start is this instance's until {@link #agreeStart} gives
 * the one the instances agreed on (the start of the instance whose first flush reached Redis first, kept there
 * once: instances started within one flush interval may agree on one up to that interval later than the earliest);
 * a value measured before that,
 * between the agreed window's end and this instance's, counts in the reference (at most one flush interval of
 * values, and only for an instance that started the version later than the first).
 */
public final class ReferenceSketches {
  /**
   * An arm's sketches.
   *
   * @param reference the values within the window (null while the window is still open)
   * @param after     the values after it (null while the window is open)
   */
  public record Cell(Histogram reference, Histogram after, long windowEndMillis) {}

  /** Both sketches of one arm and metric, copies. */
  public record Sketches(Histogram reference, Histogram after) {}

  private static final class Acc {
    final long windowMillis;
    final Histogram reference = ResponseCounters.newSketch();
    final Histogram after = ResponseCounters.newSketch();

    Acc(long windowMillis) {
      this.windowMillis = windowMillis;
    }

    synchronized void record(double v, boolean within) {
      if (v >= 0 && v <= ResponseCounters.MAX_VALUE) {
        (within ? reference : after).recordValue(Math.round(v * ResponseCounters.SCALE));
      }
    }

    synchronized Sketches sketches() {
      return new Sketches(reference.copy(), after.copy());
    }
  }

  private final LongSupplier millis;
  private volatile long startMillis;
  /** arm -> metric -> sketches */
  private final Map<String, Map<String, Acc>> arms;

  /**
   * @param sinceMillis when the version's figures started here (ms since the epoch)
   * @param millis      the wall clock, ms since the epoch
   */
  public ReferenceSketches(Experiment e, Analysis analysis, long sinceMillis, LongSupplier millis) {
    this.millis = millis;
    this.startMillis = sinceMillis;
    Map<String, Map<String, Acc>> a = new LinkedHashMap<>();
    for (Arm arm : e.arms()) {
      Map<String, Acc> byMetric = new LinkedHashMap<>();
      for (Analysis.ResponseMetric m : analysis.responseMetrics()) {
        if (m.driftReference() != null) {
          byMetric.put(m.name(), new Acc(m.driftReference().toMillis()));
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

  /** When the version started, as this instance knows it (ms since the epoch). */
  public long startMillis() {
    return startMillis;
  }

  /** The start the instances agreed on: the windows end {@code driftReference} after it from now on. */
  public void agreeStart(long sharedStartMillis) {
    this.startMillis = sharedStartMillis;
  }

  /** Counts value {@code v} of {@code metric} on {@code arm}, if it has a reference window. */
  public void record(String arm, String metric, double v) {
    Acc a = arms.getOrDefault(arm, Map.of()).get(metric);
    if (a != null) {
      a.record(v, millis.getAsLong() < startMillis + a.windowMillis);
    }
  }

  /** arm -> metric -> this instance's sketches (metrics with a reference window only). */
  public Map<String, Map<String, Sketches>> sketches() {
    Map<String, Map<String, Sketches>> out = new LinkedHashMap<>();
    arms.forEach((arm, byMetric) -> {
      Map<String, Sketches> m = new LinkedHashMap<>();
      byMetric.forEach((k, v) -> m.put(k, v.sketches()));
      out.put(arm, m);
    });
    return out;
  }

  /** The window of {@code metric} (ms), or -1 when it has none. */
  public long windowMillis(String metric) {
    for (Map<String, Acc> m : arms.values()) {
      Acc a = m.get(metric);
      if (a != null) {
        return a.windowMillis;
      }
    }
    return -1;
  }

  /**
   * The cell of {@code arm} and {@code metric} from {@code sketches} (this instance's, or summed over instances),
   * or null when the metric has no reference window; the sketches are hidden while the window is open.
   */
  public Cell cell(Map<String, Map<String, Sketches>> sketches, String arm, String metric) {
    long window = windowMillis(metric);
    if (window < 0) {
      return null;
    }
    long end = startMillis + window;
    Sketches s = sketches.getOrDefault(arm, Map.of()).get(metric);
    if (millis.getAsLong() < end || s == null) {
      return new Cell(null, null, end);
    }
    return new Cell(s.reference(), s.after(), end);
  }
}
