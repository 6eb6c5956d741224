package dev.vane.gateway.counters;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Comparison of one shadow against the served responses of its experiment.
 * Rates are defined over the pairs where both sides completed ({@link #compared}).
 */
public final class ShadowCounters {
  /** Requests copied to the shadow. */
  private final LongAdder mirrored = new LongAdder();
  /** Copies not sent because the shadow endpoint had too many in flight. */
  private final LongAdder dropped = new LongAdder();
  /** Copies that failed (connect error, timeout, reset). */
  private final LongAdder errors = new LongAdder();
  /** Pairs where both primary and shadow responses completed. */
  private final LongAdder compared = new LongAdder();
  private final LongAdder statusMatches = new LongAdder();
  private final LongAdder bodyEqual = new LongAdder();
  /** Pairs with numeric outputs on both sides (KServe v2 outputs[].data or predictions). */
  private final LongAdder numericCompared = new LongAdder();
  /** Numeric pairs whose every element agrees within the shadow's tolerance. */
  private final LongAdder numericWithinTolerance = new LongAdder();
  /** Pairs with a classification-style top label on both sides. */
  private final LongAdder labelCompared = new LongAdder();
  private final LongAdder labelEqual = new LongAdder();
  /** Sum over compared pairs of (shadow latency - primary latency), microseconds. */
  private final LongAdder latencyDiffMicrosSum = new LongAdder();
  private final AtomicLong maxAbsDiffBits = new AtomicLong(Double.doubleToLongBits(0.0));
  private final LatencyRecorder latency = new LatencyRecorder();
  /** The experiment version's minute and hour rows, where this shadow's counts go too (see {@link TimeSeries}). */
  private final TimeSeries series;
  /** This shadow's index in {@code series}. */
  private final int index;

  ShadowCounters(TimeSeries series, int index) {
    this.series = series;
    this.index = index;
  }

  /** A copy was planned (its in-flight slot reserved). */
  public void recordMirrored() {
    mirrored.increment();
    series.addShadow(index, SeriesPeriod.MIRRORED, 1);
  }

  /** A copy was not sent: the shadow endpoint had {@code maxShadowInFlight} copies in flight. */
  public void recordDropped() {
    dropped.increment();
  }

  /** A copy failed (connect error, timeout, reset). */
  public void recordError() {
    errors.increment();
  }

  /** Every latency recorded so far (a copy the caller owns). */
  public Histogram latencyHistogram() {
    return latency.snapshot();
  }

  /** The counts now; with {@code withLatency}, a copy of the latency histogram too (else null). */
  public Figures.Shadow figures(boolean withLatency) {
    return new Figures.Shadow(mirrored.sum(), dropped.sum(), errors.sum(), compared.sum(), statusMatches.sum(),
        bodyEqual.sum(), numericCompared.sum(), numericWithinTolerance.sum(), labelCompared.sum(), labelEqual.sum(),
        latencyDiffMicrosSum.sum(), maxAbsDiff(), withLatency ? latency.snapshot() : null);
  }

  /** Largest absolute numeric difference seen over all numeric pairs (0 when none). */
  public double maxAbsDiff() {
    return Double.longBitsToDouble(maxAbsDiffBits.get());
  }

  /**
   * Counts one compared pair. In the time series the pair agrees when its numeric outputs are within tolerance,
   * else (no numeric outputs on both sides) when its top labels are equal, else when its bodies are equal.
   *
   * @param maxAbsDiff largest absolute difference between numeric outputs, or null when either side had none
   *                   (+Infinity: their shapes differ)
   * @param labelEqual whether the top labels agree, or null when either side had no classification output
   */
  public void record(boolean statusMatch, boolean bodyEqual, Double maxAbsDiff, boolean withinTolerance,
      Boolean labelEqual, long primaryMicros, long shadowMicros) {
    series.compared(index, maxAbsDiff != null ? withinTolerance : labelEqual != null ? labelEqual : bodyEqual,
        shadowMicros - primaryMicros);
    latency.recordMicros(shadowMicros);
    latencyDiffMicrosSum.add(shadowMicros - primaryMicros);
    if (statusMatch) {
      statusMatches.increment();
    }
    if (bodyEqual) {
      this.bodyEqual.increment();
    }
    if (maxAbsDiff != null) {
      numericCompared.increment();
      if (withinTolerance) {
        numericWithinTolerance.increment();
      }
      double d = maxAbsDiff;
      long bits;
      while (d > Double.longBitsToDouble(bits = maxAbsDiffBits.get())) {
        if (maxAbsDiffBits.compareAndSet(bits, Double.doubleToLongBits(d))) {
          break;
        }
      }
    }
    if (labelEqual != null) {
      labelCompared.increment();
      if (labelEqual) {
        this.labelEqual.increment();
      }
    }
    // last: a reader that sees the pair compared sees its details too (each count is a volatile write)
    compared.increment();
  }
}
