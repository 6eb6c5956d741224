package dev.vane.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Sticky assignments held in this process: bounded (least-recently-used entries beyond {@code maxEntries} are
 * evicted) and expiring {@code ttl} after a unit's last request. Evicted or expired units are re-assigned by the
 * hash, which puts them back on the same arm unless weights changed meanwhile.
 */
public final class InMemoryStickyStore implements StickyStore {
  private final Cache<Key, String> cache;
  private final long maxEntries;
  private final Duration ttl;

  public InMemoryStickyStore(long maxEntries, Duration ttl) {
    this(maxEntries, ttl, System::nanoTime);
  }

  /** With an injected nanosecond clock, for tests of expiry. */
  public InMemoryStickyStore(long maxEntries, Duration ttl, LongSupplier nanoClock) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: > 0)");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
    this.maxEntries = maxEntries;
    this.ttl = ttl;
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfterAccess(ttl)
        .ticker(nanoClock::getAsLong)
        .executor(Runnable::run)
        .build();
  }

  /**
   * A unit's key: the three ids as they are, no concatenated copy. The experiment id and salt are the config's own
   * strings (hash codes cached), so a lookup hashes only the unit id.
   */
  record Key(String experiment, String salt, String unit) {}

  @Override
  public String peek(String experiment, String salt, String unit) {
    return cache.getIfPresent(new Key(experiment, salt, unit));
  }

  @Override
  public CompletionStage<Claim> claim(String experiment, String salt, String unit, String candidate,
      String replaceable) {
    boolean[] created = new boolean[1];
    String winner = cache.asMap().compute(new Key(experiment, salt, unit), (k, v) -> {
      if (v == null || v.equals(replaceable)) {
        created[0] = true;
        return candidate;
      }
      return v;
    });
    return CompletableFuture.completedFuture(new Claim(winner, created[0]));
  }

  /** Number of stored assignments (approximate while evictions are pending). */
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  @Override
  public String describe() {
    return "memory (maxEntries=" + maxEntries + ", ttl=" + ttl + ", entries=" + cache.estimatedSize() + ")";
  }
}
