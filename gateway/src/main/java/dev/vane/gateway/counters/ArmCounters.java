package dev.vane.gateway.counters;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Counters of one arm of one experiment version, written from every event loop without locks and read as
 * {@link Figures.Arm} snapshots.
 * Requests are counted on the arm the request was assigned to (intent to treat), including fallbacks.
 */
public final class ArmCounters {
  /** Requests assigned to this arm, exposures or not. */
  private final LongAdder requests = new LongAdder();
  /** Requests that counted as exposures (not overrides, targeting misses or coverage misses). */
  private final LongAdder exposures = new LongAdder();
  /** Exposures without a unit id (assigned at random per request, not sticky). */
  private final LongAdder nonSticky = new LongAdder();
  /** Units newly assigned to this arm (first exposure of a sticky unit on this arm). */
  private final LongAdder newUnits = new LongAdder();
  /** Independent assignments: new sticky units plus exposures without a unit id (see {@link Figures.Arm}). */
  private final LongAdder assigned = new LongAdder();
  private final LongAdder status2xx = new LongAdder();
  private final LongAdder status3xx = new LongAdder();
  private final LongAdder status4xx = new LongAdder();
  private final LongAdder status5xx = new LongAdder();
  /** Requests that failed on this arm and were served by the control instead. */
  private final LongAdder fallbacks = new LongAdder();
  /** Requests where the upstream could not be reached, timed out or reset (the gateway answered 502/503/504). */
  private final LongAdder upstreamErrors = new LongAdder();
  private final LatencyRecorder latency = new LatencyRecorder();
  /** The experiment version's minute and hour rows, where this arm's counts go too (see {@link TimeSeries}). */
  private final TimeSeries series;
  /** This arm's index in {@code series}. */
  private final int index;

  ArmCounters(TimeSeries series, int index) {
    this.series = series;
    this.index = index;
  }

  /**
   * A request assigned to this arm, as {@link #recordRequest}, plus {@link #recordExposure} when {@code exposure}
   * and {@link #recordNewUnit} when {@code newUnit}, reading the clock once.
   */
  public void recordArrival(boolean exposure, boolean newUnit) {
    recordArrival(exposure, newUnit, newUnit);
  }

  /**
   * As {@link #recordArrival(boolean, boolean)}; {@code drawn} when the new unit was a fresh draw of the assignment
   * (counted in {@link Figures.Arm#assigned}), not a unit moved off another arm.
   */
  public void recordArrival(boolean exposure, boolean newUnit, boolean drawn) {
    requests.increment();
    if (exposure) {
      exposures.increment();
    }
    if (newUnit) {
      newUnits.increment();
    }
    if (drawn) {
      assigned.increment();
    }
    series.arrival(index, exposure, newUnit);
  }

  /** The end of a request on this arm: {@link #recordStatus} and {@link #recordLatencyMicros}, reading the clock once. */
  public void recordEnd(int status, long micros) {
    countStatus(status);
    latency.recordMicros(micros);
    series.end(index, status, micros);
  }

  public void recordRequest() {
    requests.increment();
    series.addArm(index, SeriesPeriod.REQUESTS, 1);
  }

  public void recordExposure() {
    exposures.increment();
    series.addArm(index, SeriesPeriod.EXPOSURES, 1);
  }

  /** An exposure without a unit id. */
  public void recordNonSticky() {
    nonSticky.increment();
    assigned.increment();
  }

  /** A unit's first exposure on this arm. */
  public void recordNewUnit() {
    newUnits.increment();
    assigned.increment();
    series.addArm(index, SeriesPeriod.UNITS, 1);
  }

  public void recordFallback() {
    fallbacks.increment();
    series.addArm(index, SeriesPeriod.FALLBACKS, 1);
  }

  public void recordUpstreamError() {
    upstreamErrors.increment();
    series.addArm(index, SeriesPeriod.UPSTREAM_ERRORS, 1);
  }

  /** End-to-end latency of one request through the gateway. */
  public void recordLatencyMicros(long micros) {
    latency.recordMicros(micros);
    series.latency(index, micros);
  }

  /** Every latency recorded so far (a copy the caller owns). */
  public Histogram latencyHistogram() {
    return latency.snapshot();
  }

  /** Adds this arm's latencies to {@code counts} by bucket: see {@link LatencyRecorder#addBucketCounts}. */
  public double addLatencyBuckets(long[] upperMicros, long[] counts) {
    return latency.addBucketCounts(upperMicros, counts);
  }

  /** The counts now; with {@code withLatency}, a copy of the latency histogram too (else null). */
  public Figures.Arm figures(boolean withLatency) {
    return new Figures.Arm(requests.sum(), exposures.sum(), newUnits.sum(), nonSticky.sum(), status2xx.sum(),
        status3xx.sum(), status4xx.sum(), status5xx.sum(), fallbacks.sum(), upstreamErrors.sum(),
        assigned.sum(), withLatency ? latency.snapshot() : null);
  }

  /** The status class of one answer (what the client got: 499 when it left first). */
  public void recordStatus(int status) {
    series.addArm(index, SeriesPeriod.STATUS_2XX + (status < 300 ? 0 : status < 400 ? 1 : status < 500 ? 2 : 3), 1);
    countStatus(status);
  }

  private void countStatus(int status) {
    if (status < 300) {
      status2xx.increment();
    } else if (status < 400) {
      status3xx.increment();
    } else if (status < 500) {
      status4xx.increment();
    } else {
      status5xx.increment();
    }
  }
}
