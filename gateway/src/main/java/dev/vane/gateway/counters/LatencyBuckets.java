package dev.vane.gateway.counters;

/**
 * A fixed log-scale layout of latency buckets, compact enough to keep one histogram per arm per minute: 102 counts
 * (816 bytes) where an HdrHistogram of the same range takes kilobytes.
 *
 * <p>Bucket 0 holds latencies under 8 µs; buckets 1..100 split each octave from 2^3 µs to 2^28 µs (268 s) into four
 * at the powers of 2^(1/4) (bucket {@code 1 + k} holds [2^(3 + k/4), 2^(3 + (k+1)/4)) µs, bounds rounded up to whole
 * microseconds); bucket 101 holds 2^28 µs and more. A quantile read from the buckets is the geometric middle of the
 * bucket that holds the exact quantile, so for latencies from 8 µs to 268 s it is within a factor 2^(1/8) of the
 * exact one: at most 9.05% relative error.
 */
public final class LatencyBuckets {
  /** Number of buckets. */
  public static final int COUNT = 102;
  private static final int PER_OCTAVE = 4;
  private static final int FIRST_OCTAVE = 3;
  private static final int LAST_OCTAVE = 27;
  /** Smallest latency of each bucket, in whole microseconds. */
  private static final long[] LOWER = new long[COUNT + 1];

  static {
    LOWER[0] = 0;
    for (int k = 0; k < COUNT - 2; k++) {
      LOWER[1 + k] = (long) Math.ceil(Math.pow(2, FIRST_OCTAVE + k / (double) PER_OCTAVE) - 1e-9);
    }
    LOWER[COUNT - 1] = 1L << (LAST_OCTAVE + 1);
    LOWER[COUNT] = Long.MAX_VALUE;
  }

  private LatencyBuckets() {}

  /** The bucket of a latency in microseconds (negative ones count as 0). */
  public static int index(long micros) {
    if (micros < LOWER[1]) {
      return 0;
    }
    if (micros >= LOWER[COUNT - 1]) {
      return COUNT - 1;
    }
    int octave = 63 - Long.numberOfLeadingZeros(micros);
    int i = 1 + (octave - FIRST_OCTAVE) * PER_OCTAVE;
    int last = i + PER_OCTAVE - 1;
    while (i < last && micros >= LOWER[i + 1]) {
      i++;
    }
    return i;
  }

  /** The smallest latency (µs) bucket {@code i} holds. */
  public static long lowerMicros(int i) {
    return LOWER[i];
  }

  /**
   * The value a bucket stands for, in microseconds: 2^(3 + (k + 1/2)/4) for bucket {@code 1 + k}, 4 for the
   * underflow bucket and 2^28 for the overflow bucket.
   */
  public static double valueMicros(int i) {
    if (i == 0) {
      return 4;
    }
    if (i == COUNT - 1) {
      return LOWER[COUNT - 1];
    }
    return Math.pow(2, FIRST_OCTAVE + (i - 1 + 0.5) / PER_OCTAVE);
  }

  /**
   * The {@code q} quantile (0 &lt; q &lt;= 1) of the latencies counted in {@code counts}, in microseconds: the value of
   * the bucket holding the observation of rank ceil(q * total) (nearest rank); NaN when {@code counts} is null or
   * holds nothing.
   */
  public static double quantileMicros(long[] counts, double q) {
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("q: " + q + " (expected: 0 < q <= 1)");
    }
    if (counts == null) {
      return Double.NaN;
    }
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total - 1e-9));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return valueMicros(i);
      }
    }
    return valueMicros(counts.length - 1);
  }
}
