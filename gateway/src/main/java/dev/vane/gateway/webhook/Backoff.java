package dev.vane.gateway.webhook;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Webhooks} retries an event its receiver did not accept: the n-th retry waits {@code first * 2^(n-1)},
 * at most {@code max}; the event is given up after {@code maxAttempts} attempts (the first one included) or when the
 * next attempt would start more than {@code maxAge} after the event was queued, whichever comes first.
 *
 * @param first       wait before the first retry, > 0
 * @param max         longest wait between two attempts, >= first
 * @param maxAttempts attempts per event, the first included, >= 1
 * @param maxAge      how long after it was queued an event may still be attempted, > 0
 */
public record Backoff(Duration first, Duration max, int maxAttempts, Duration maxAge) {
  /** 100 ms doubling to 30 s, 12 attempts (the last ~2.3 min after the first), at most 10 min after queueing. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), 12,
      Duration.ofMinutes(10));

  public Backoff {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(max, "max");
    Objects.requireNonNull(maxAge, "maxAge");
    if (first.isNegative() || first.isZero()) {
      throw new IllegalArgumentException("first: " + first + " (expected: > 0)");
    }
    if (max.compareTo(first) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= first, " + first + ")");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: > 0)");
    }
  }

  /** Milliseconds to wait after the {@code failed}-th failed attempt (1 for the first): first * 2^(failed-1), capped. */
  public long delayMillis(int failed) {
    long firstMs = Math.max(1, first.toMillis());
    long maxMs = Math.max(firstMs, max.toMillis());
    int doublings = Math.max(0, failed - 1);
    // beyond 62 doublings the shift overflows; long before that the cap applies
    if (doublings >= 62 || firstMs > (maxMs >> doublings)) {
      return maxMs;
    }
    return Math.min(maxMs, firstMs << doublings);
  }
}
