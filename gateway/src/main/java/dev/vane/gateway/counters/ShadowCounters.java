package dev.vane.gateway.counters;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Comparison of one shadow against the served responses of its experiment.
 * Rates are defined over the pairs where both sides completed ({@link #compared}).
 */
public final class ShadowCounters {
  /** Requests copied to the shadow. */
  public final LongAdder mirrored = new LongAdder();
  /** Copies not sent because the shadow endpoint had too many in flight. */
  public final LongAdder dropped = new LongAdder();
  /** Copies that failed (connect error, timeout, reset). */
  public final LongAdder errors = new LongAdder();
  /** Pairs where both primary and shadow responses completed. */
  public final LongAdder compared = new LongAdder();
  public final LongAdder statusMatches = new LongAdder();
  public final LongAdder bodyEqual = new LongAdder();
  /** Pairs with numeric outputs on both sides (KServe v2 outputs[].data or predictions). */
  public final LongAdder numericCompared = new LongAdder();
  /** Numeric pairs whose every element agrees within the shadow's tolerance. */
  public final LongAdder numericWithinTolerance = new LongAdder();
  /** Pairs with a classification-style top label on both sides. */
  public final LongAdder labelCompared = new LongAdder();
  public final LongAdder labelEqual = new LongAdder();
  /** Sum over compared pairs of (shadow latency - primary latency), microseconds. */
  public final LongAdder latencyDiffMicrosSum = new LongAdder();
  private final AtomicLong maxAbsDiffBits = new AtomicLong(Double.doubleToLongBits(0.0));
  public final LatencyRecorder latency = new LatencyRecorder();

  /** Largest absolute numeric difference seen over all numeric pairs (0 when none). */
  public double maxAbsDiff() {
    return Double.longBitsToDouble(maxAbsDiffBits.get());
  }

  /**
   * Counts one compared pair.
   *
   * @param maxAbsDiff largest absolute difference between numeric outputs, or null when either side had none
   *                   (+Infinity: their shapes differ)
   * @param labelEqual whether the top labels agree, or null when either side had no classification output
   */
  public void record(boolean statusMatch, boolean bodyEqual, Double maxAbsDiff, boolean withinTolerance,
      Boolean labelEqual, long primaryMicros, long shadowMicros) {
    compared.increment();
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
  }
}
