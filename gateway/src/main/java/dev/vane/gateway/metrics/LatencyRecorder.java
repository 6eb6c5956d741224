package dev.vane.gateway.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency in microseconds through an HdrHistogram {@link Recorder}: writers record without locks; readers take an
 * interval snapshot and fold it into an accumulated histogram under the reader's own lock.
 */
public final class LatencyRecorder {
  /** One hour, in microseconds: larger values are clamped. */
  public static final long MAX_MICROS = 3_600_000_000L;

  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  private final Histogram total = new Histogram(MAX_MICROS, 3);
  private Histogram recycle;

  public void recordMicros(long micros) {
    recorder.recordValue(Math.max(0, Math.min(micros, MAX_MICROS)));
  }

  /** Everything recorded so far (a copy the caller owns). */
  public synchronized Histogram snapshot() {
    fold();
    return total.copy();
  }

  /** Only what was recorded since the last call of this method (for flushing to a shared store). */
  public synchronized Histogram drainInterval() {
    Histogram interval = recorder.getIntervalHistogram(recycle);
    total.add(interval);
    Histogram out = interval.copy();
    recycle = interval;
    return out;
  }

  private void fold() {
    Histogram interval = recorder.getIntervalHistogram(recycle);
    total.add(interval);
    recycle = interval;
  }
}
