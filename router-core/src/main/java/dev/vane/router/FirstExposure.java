package dev.vane.router;

/**
 * When a unit was first exposed to its stored arm, kept to the hour: sticky stores record it with a new claim and
 * return it with the assignment, so that the analysis can tell how long a unit has seen its arm (the novelty check).
 * An hour fits a few bits of a packed store value and a short suffix of a Redis value.
 *
 * <p>Hours are counted from {@link #ORIGIN_MILLIS} (2020-01-01T00:00Z); a stored hour of 0 means unknown (an
 * assignment written by an operator, by an older Vane, or at a time outside the range).
 */
public final class FirstExposure {
  /** The first exposure is not known. */
  public static final long UNKNOWN = Long.MIN_VALUE;
  /** 2020-01-01T00:00:00Z in epoch milliseconds: hour 0. */
  public static final long ORIGIN_MILLIS = 1_577_836_800_000L;
  private static final long HOUR_MILLIS = 3_600_000L;
  private static final long DAY_MILLIS = 86_400_000L;
  /** Bits of a packed hour: 2^20 hours is 119 years after the origin. */
  public static final int HOUR_BITS = 20;
  private static final long MAX_PACKED = (1L << HOUR_BITS) - 1;

  private FirstExposure() {}

  /**
   * The packed hour of {@code epochMillis}: whole hours since the origin, plus one; 0 (unknown) for
   * {@link #UNKNOWN} and for times before the origin or beyond {@value #HOUR_BITS} bits.
   */
  public static long pack(long epochMillis) {
    if (epochMillis == UNKNOWN || epochMillis < ORIGIN_MILLIS) {
      return 0;
    }
    long h = (epochMillis - ORIGIN_MILLIS) / HOUR_MILLIS + 1;
    return h > MAX_PACKED ? 0 : h;
  }

  /** The epoch milliseconds of the start of a packed hour, or {@link #UNKNOWN} for 0. */
  public static long unpack(long packed) {
    return packed <= 0 || packed > MAX_PACKED ? UNKNOWN : ORIGIN_MILLIS + (packed - 1) * HOUR_MILLIS;
  }

  /** {@code epochMillis} rounded down to its hour (as stored), or {@link #UNKNOWN}. */
  public static long hour(long epochMillis) {
    return unpack(pack(epochMillis));
  }

  /**
   * Whole days from a first exposure to {@code nowMillis}: {@code floor((now - first) / 24 h)}, at least 0 (a clock
   * that went back counts as day 0); -1 when the first exposure is {@link #UNKNOWN}.
   */
  public static int daysSince(long firstMillis, long nowMillis) {
    if (firstMillis == UNKNOWN) {
      return -1;
    }
    long d = Math.max(0, nowMillis - firstMillis) / DAY_MILLIS;
    return (int) Math.min(d, Integer.MAX_VALUE);
  }
}
