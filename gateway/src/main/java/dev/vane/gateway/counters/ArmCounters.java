package dev.vane.gateway.counters;

import java.util.concurrent.atomic.LongAdder;

/**
 * Figures of one arm of one experiment version, written from every event loop without locks.
 * Requests are counted on the arm the request was assigned to (intent to treat), including fallbacks.
 */
public final class ArmCounters {
  /** Requests assigned to this arm, exposures or not. */
  public final LongAdder requests = new LongAdder();
  /** Requests that counted as exposures (not overrides, targeting misses or coverage misses). */
  public final LongAdder exposures = new LongAdder();
  /** Exposures without a unit id (assigned at random per request, not sticky). */
  public final LongAdder nonSticky = new LongAdder();
  /** Units newly assigned to this arm (first exposure of a sticky unit on this arm). */
  public final LongAdder newUnits = new LongAdder();
  public final LongAdder status2xx = new LongAdder();
  public final LongAdder status3xx = new LongAdder();
  public final LongAdder status4xx = new LongAdder();
  public final LongAdder status5xx = new LongAdder();
  /** Requests that failed on this arm and were served by the control instead. */
  public final LongAdder fallbacks = new LongAdder();
  /** Requests where the upstream could not be reached, timed out or reset (the gateway answered 502/503/504). */
  public final LongAdder upstreamErrors = new LongAdder();
  public final LatencyRecorder latency = new LatencyRecorder();

  public void recordStatus(int status) {
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
