package dev.vane.gateway.counters;

import dev.vane.router.FirstExposure;

/**
 * The buckets of the novelty check: whole days since a unit's first exposure to its arm, 0 to 13 and "14+"
 * ({@link FirstExposure#daysSince}). Exposures and outcomes are counted per bucket like a slice dimension,
 * {@link #DIMENSION}, which no declared slice can be named (slice names are ids, without {@code @}); requests whose
 * first exposure is unknown (no unit id, a non-sticky experiment, an assignment stored without a first exposure) are
 * not counted in it.
 */
public final class NoveltyDays {
  /** The dimension's name among the outcome counters' slices (and in Redis's slice keys). */
  public static final String DIMENSION = "@days";
  /** Buckets: days 0..13 one each, then 14 and later together. */
  public static final int BUCKETS = 15;
  private static final String[] LABELS = new String[BUCKETS];

  static {
    for (int d = 0; d < BUCKETS - 1; d++) {
      LABELS[d] = Integer.toString(d);
    }
    LABELS[BUCKETS - 1] = (BUCKETS - 1) + "+";
  }

  private NoveltyDays() {}

  /** The bucket of {@code day} days since first exposure, or null when {@code day < 0} (unknown). */
  public static String bucket(int day) {
    return day < 0 ? null : LABELS[Math.min(day, BUCKETS - 1)];
  }

  /** The day a bucket label starts at (14 for "14+"), or -1 for anything else. */
  public static int day(String label) {
    for (int d = 0; d < BUCKETS; d++) {
      if (LABELS[d].equals(label)) {
        return d;
      }
    }
    return -1;
  }
}
