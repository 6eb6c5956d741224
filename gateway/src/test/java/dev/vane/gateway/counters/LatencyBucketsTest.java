package dev.vane.gateway.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyBucketsTest {
  /** The bound the layout promises: a bucket's value is within a factor 2^(1/8) of anything it holds. */
  private static final double TOLERANCE = Math.pow(2, 1 / 8.0) - 1; // 0.0905

  @Test
  void bucketsAreContiguousAndEachValueFallsInTheBucketWhoseBoundsHoldIt() {
    for (long v = 0; v < 1_000_000; v++) {
      int i = LatencyBuckets.index(v);
      assertTrue(v >= LatencyBuckets.lowerMicros(i), v + " in " + i);
      assertTrue(i == LatencyBuckets.COUNT - 1 || v < LatencyBuckets.lowerMicros(i + 1), v + " in " + i);
    }
    assertEquals(LatencyBuckets.COUNT - 1, LatencyBuckets.index(Long.MAX_VALUE));
    assertEquals(0, LatencyBuckets.index(-5));
    assertEquals(LatencyBuckets.COUNT - 1, LatencyBuckets.index(1L << 28));
    assertEquals(LatencyBuckets.COUNT - 2, LatencyBuckets.index((1L << 28) - 1));
  }

  /**
   * Differential: p50 and p99 read from the buckets against the exact nearest-rank quantiles of the same data, for
   * lognormal latencies (median 20 ms, heavy tail) and a uniform spread from 100 µs to 10 s.
   */
  @Test
  void quantilesFromBucketsAreWithinNinePercentOfTheExactOnes() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(5_000);
      long[] values = new long[n];
      long[] counts = new long[LatencyBuckets.COUNT];
      for (int i = 0; i < n; i++) {
        values[i] = trial % 2 == 0 ? Math.max(8, (long) Math.exp(Math.log(20_000) + rnd.nextGaussian()))
            : 100 + (long) (rnd.nextDouble() * 10_000_000);
        counts[LatencyBuckets.index(values[i])]++;
      }
      Arrays.sort(values);
      for (double q : new double[] {0.5, 0.99, 0.9, 0.01, 1.0}) {
        double exact = values[(int) Math.ceil(q * n - 1e-9) - 1];
        double est = LatencyBuckets.quantileMicros(counts, q);
        assertTrue(Math.abs(est - exact) / exact <= TOLERANCE + 1e-12,
            "trial " + trial + " q " + q + ": " + est + " vs exact " + exact);
      }
    }
  }

  @Test
  void noLatenciesHaveNoQuantile() {
    assertTrue(Double.isNaN(LatencyBuckets.quantileMicros(null, 0.5)));
    assertTrue(Double.isNaN(LatencyBuckets.quantileMicros(new long[LatencyBuckets.COUNT], 0.99)));
  }
}
