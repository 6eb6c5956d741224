package dev.vane.gateway.counters;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency in microseconds through an HdrHistogram {@link Recorder}: writers record without locks; readers take an
 * interval snapshot and fold it into an accumulated histogram under the reader's own lock.
 *
 * <p>All three histograms (the recorder's active one, the recycled interval and the total) auto-resize to the
 * largest value recorded, at 3 significant digits: preallocated for the whole hour they took 188 KB each, 0.56 MB
 * per arm (0.8-1.1 GB of heap at 1,000 experiments, issue 24); sized to what was seen, an arm whose slowest answer
 * took 20 ms holds about 0.1 MB and one that saw a 5 s timeout about 0.25 MB. Recording costs ~10 ns more
 * ({@code LatencyRecorderBenchmark}); a packed (sparse) histogram would be 20x smaller still, but folding one
 * costs ~0.5 ms, per arm and flush.
 */
public final class LatencyRecorder {
  /** One hour, in microseconds: larger values are clamped. */
  public static final long MAX_MICROS = 3_600_000_000L;
  /** Significant digits kept; percentiles are exact to this precision. */
  public static final int DIGITS = 3;

  private final Recorder recorder = new Recorder(DIGITS);
  private final Histogram total = newHistogram();
  private Histogram recycle;

  /** An empty latency histogram, auto-resizing (values are clamped to {@link #MAX_MICROS} when recorded). */
  public static Histogram newHistogram() {
    return new Histogram(DIGITS);
  }

  public void recordMicros(long micros) {
    recorder.recordValue(Math.max(0, Math.min(micros, MAX_MICROS)));
  }

  /** Everything recorded so far (a copy the caller owns). */
  public synchronized Histogram snapshot() {
    fold();
    return total.copy();
  }

  /**
   * Adds everything recorded so far to {@code counts}, bucketed by {@code upperMicros} (ascending; a value lands in
   * the first bucket whose bound is >= the highest value equivalent to it, so at most 0.1% above its bound; the
   * last slot, {@code counts[upperMicros.length]}, takes what exceeds every bound), without copying the histogram.
   *
   * @return the sum of the values added, in microseconds (HdrHistogram's mean times count: within 0.1%)
   */
  public synchronized double addBucketCounts(long[] upperMicros, long[] counts) {
    fold();
    int b = 0;
    for (org.HdrHistogram.HistogramIterationValue v : total.recordedValues()) {
      long value = v.getValueIteratedTo();
      while (b < upperMicros.length && value > upperMicros[b]) {
        b++;
      }
      counts[b] += v.getCountAddedInThisIterationStep();
    }
    return total.getTotalCount() == 0 ? 0 : total.getMean() * total.getTotalCount();
  }

  private void fold() {
    Histogram interval = recorder.getIntervalHistogram(recycle);
    total.add(interval);
    recycle = interval;
  }
}
