package dev.vane.router;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GrowthBook-compatible deterministic hashing and bucket layout.
 *
 * <p>Hash version 2 (the default everywhere in Vane): {@code n = fnv1a32(str(fnv1a32(seed + value))) % 10000 / 10000},
 * a number in [0, 1) with 10,000 distinct buckets. Version 1 is {@code fnv1a32(value + seed) % 1000 / 1000}.
 * Both are ports of GrowthBook's {@code hash()} and produce the same numbers as its SDKs for the same inputs,
 * which is checked against GrowthBook's published SDK test vectors.
 *
 * <p>Bucket ranges: variation {@code i} owns {@code [c_i, c_i + coverage * w_i)} where {@code c_i} is the sum of
 * the preceding weights. Coverage shrinks every range from its start, so raising coverage or moving weight to the
 * last variation only ever adds buckets to a range; that is what makes a canary ramp monotone when the canary is
 * laid out last.
 */
public final class GrowthBookHash {
  private static final int FNV_OFFSET = 0x811c9dc5;
  private static final int FNV_PRIME = 0x01000193;

  private GrowthBookHash() {}

  /** 32-bit FNV-1a over the UTF-16 code units of {@code s}, as GrowthBook's JS SDK computes it; unsigned in a long. */
  public static long fnv1a32(String s) {
    int h = FNV_OFFSET;
    for (int i = 0, n = s.length(); i < n; i++) {
      h ^= s.charAt(i);
      h *= FNV_PRIME;
    }
    return h & 0xffffffffL;
  }

  /** 32-bit FNV-1a of {@code a + b} without building the concatenated string. */
  static long fnv1a32(String a, String b) {
    int h = FNV_OFFSET;
    for (int i = 0, n = a.length(); i < n; i++) {
      h ^= a.charAt(i);
      h *= FNV_PRIME;
    }
    for (int i = 0, n = b.length(); i < n; i++) {
      h ^= b.charAt(i);
      h *= FNV_PRIME;
    }
    return h & 0xffffffffL;
  }

  /** The 32-bit FNV-1a state after the characters of {@code seed}: {@link #bucketV2(int, String)} continues it. */
  static int fnv1a32State(String seed) {
    return (int) fnv1a32(seed);
  }

  /** {@link #bucketV2(String, String)} from the seed's {@link #fnv1a32State}: the seed is hashed once per seed. */
  static int bucketV2(int seedState, String value) {
    int h = seedState;
    for (int i = 0, n = value.length(); i < n; i++) {
      h ^= value.charAt(i);
      h *= FNV_PRIME;
    }
    return (int) (fnv1a32OfDecimal(h & 0xffffffffL) % 10000);
  }

  /** 32-bit FNV-1a of the decimal string of a non-negative number, without allocating it. */
  static long fnv1a32OfDecimal(long v) {
    // at most 10 digits for a 32-bit unsigned value
    long div = 1;
    while (div <= v / 10) {
      div *= 10;
    }
    int h = FNV_OFFSET;
    for (; div > 0; div /= 10) {
      h ^= (char) ('0' + (v / div) % 10);
      h *= FNV_PRIME;
    }
    return h & 0xffffffffL;
  }

  /**
   * Bucket (0..9999) of {@code value} under {@code seed} with hash version 2; {@link #hash} returns this / 10000.
   */
  public static int bucketV2(String seed, String value) {
    return bucketV2(fnv1a32State(seed), value);
  }

  /**
   * GrowthBook's {@code hash(seed, value, version)}: a number in [0, 1), or {@code null} for an unknown version.
   */
  public static Double hash(String seed, String value, int version) {
    if (version == 2) {
      return bucketV2(seed, value) / 10000.0;
    }
    if (version == 1) {
      return (fnv1a32(value, seed) % 1000) / 1000.0;
    }
    return null;
  }

  /** A half-open range [start, end) of the unit interval. */
  public record Range(double start, double end) {
    public boolean contains(double n) {
      return n >= start && n < end;
    }
  }

  /**
   * GrowthBook's {@code getBucketRanges(numVariations, coverage, weights)}: coverage is clamped to [0, 1];
   * weights of the wrong length, or summing outside [0.99, 1.01], are replaced by equal weights.
   */
  public static List<Range> bucketRanges(int numVariations, double coverage, double[] weights) {
    if (coverage < 0) {
      coverage = 0;
    }
    if (coverage > 1) {
      coverage = 1;
    }
    double[] w = weights;
    if (w == null || w.length != numVariations) {
      w = equalWeights(numVariations);
    } else {
      double total = 0;
      for (double x : w) {
        total += x;
      }
      if (total < 0.99 || total > 1.01) {
        w = equalWeights(numVariations);
      }
    }
    List<Range> out = new ArrayList<>(numVariations);
    double cumulative = 0;
    for (double x : w) {
      double start = cumulative;
      cumulative += x;
      out.add(new Range(start, start + coverage * x));
    }
    return List.copyOf(out);
  }

  static double[] equalWeights(int n) {
    if (n <= 0) {
      return new double[0];
    }
    double[] w = new double[n];
    Arrays.fill(w, 1.0 / n);
    return w;
  }

  /** GrowthBook's {@code chooseVariation(n, ranges)}: the index of the range holding n, or -1. */
  public static int chooseVariation(double n, List<Range> ranges) {
    for (int i = 0, size = ranges.size(); i < size; i++) {
      Range r = ranges.get(i);
      if (n >= r.start && n < r.end) {
        return i;
      }
    }
    return -1;
  }
}
