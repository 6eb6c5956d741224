package dev.vane.router;

import java.util.Objects;

/**
 * A mirror target: a copy of a share of the experiment's requests goes to {@code endpoint}; a share of those copies'
 * responses is compared with the served one, then every response is dropped.
 *
 * @param id           shadow id, unique in its experiment
 * @param endpoint     endpoint id
 * @param percentBps   share of requests mirrored, in basis points (10,000 = every request)
 * @param tolerance    absolute tolerance under which two numeric outputs agree
 * @param compareBps   share of the mirrored copies whose response is read and compared, in basis points (10,000 =
 *                     every copy); a copy is compared when its request id's {@link #compares(String) hash} falls
 *                     under it, so the compared copies are an unbiased sample of the mirrored ones
 */
public record Shadow(String id, String endpoint, int percentBps, double tolerance, int compareBps) {
  public Shadow {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(endpoint, "endpoint");
    if (percentBps < 0 || percentBps > 10_000) {
      throw new IllegalArgumentException("percentBps: " + percentBps + " (expected: 0..10000)");
    }
    if (!(tolerance >= 0)) {
      throw new IllegalArgumentException("tolerance: " + tolerance + " (expected: >= 0)");
    }
    if (compareBps < 0 || compareBps > 10_000) {
      throw new IllegalArgumentException("compareBps: " + compareBps + " (expected: 0..10000)");
    }
  }

  /** A shadow that compares every copy. */
  public Shadow(String id, String endpoint, int percentBps, double tolerance) {
    this(id, endpoint, percentBps, tolerance, 10_000);
  }

  /**
   * Whether the copy of the request {@code requestId} is compared: always at 10,000 basis points, never at 0, else
   * when the request id's bucket (0..9999) is below {@link #compareBps}.
   *
   * <p>The bucket is the FNV-1a 32-bit hash of the id's UTF-16 code units, finished with the murmur3 avalanche and
   * taken modulo 10,000: deterministic (a request's copy is compared or not on every instance and in every test),
   * independent of the shadow's {@code percent} draw (a random number, not the id), and uniform for request ids of
   * any shape, sequential counters included (the avalanche spreads their last characters over every bit).
   */
  public boolean compares(String requestId) {
    if (compareBps >= 10_000) {
      return true;
    }
    if (compareBps <= 0) {
      return false;
    }
    return bucket(requestId) < compareBps;
  }

  /** The request id's bucket, 0..9999 (see {@link #compares(String)}). */
  public static int bucket(String requestId) {
    int h = 0x811c9dc5;
    for (int i = 0, n = requestId.length(); i < n; i++) {
      h = (h ^ requestId.charAt(i)) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Integer.remainderUnsigned(h, 10_000);
  }
}
