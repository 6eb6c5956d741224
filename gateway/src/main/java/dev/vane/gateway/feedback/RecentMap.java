package dev.vane.gateway.feedback;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A bounded map that keeps the most recently written entries: {@code generations} concurrent hash maps, writes go to
 * the newest, reads look from newest to oldest, and the oldest is dropped whole when the newest is full or older
 * than {@code ttl / (generations - 1)} (checked on writes). So an entry lives at least {@code ttl} unless more than
 * {@code maxEntries} newer ones arrive, and is gone after about {@code ttl * generations / (generations - 1)} plus
 * the gap between writes; at most {@code maxEntries} entries are kept. Callers check exact ages themselves.
 *
 * <p>Made for write-once keys (request ids, event ids), where recency is what matters: a frequency-based cache may
 * refuse a new key in favour of older ones; this never does. Writes cost one hash-map put.
 */
final class RecentMap<K, V> {
  private static final class Generation<K, V> {
    final ConcurrentHashMap<K, V> map;
    final AtomicInteger writes = new AtomicInteger();
    final long bornNanos;

    Generation(int capacity, long bornNanos) {
      this.map = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
      this.bornNanos = bornNanos;
    }
  }

  private final int perGeneration;
  private final long maxAgeNanos;
  private final LongSupplier nanoClock;
  private volatile Generation<K, V>[] generations;

  @SuppressWarnings("unchecked")
  RecentMap(long maxEntries, Duration ttl, int generations, LongSupplier nanoClock) {
    if (generations < 2) {
      throw new IllegalArgumentException("generations: " + generations + " (expected: >= 2)");
    }
    if (maxEntries < generations) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= " + generations + ")");
    }
    this.perGeneration = (int) Math.min(Integer.MAX_VALUE, maxEntries / generations);
    this.maxAgeNanos = Math.max(1, ttl.toNanos() / (generations - 1));
    this.nanoClock = nanoClock;
    Generation<K, V>[] g = new Generation[generations];
    long now = nanoClock.getAsLong();
    for (int i = 0; i < g.length; i++) {
      g[i] = new Generation<>(perGeneration, now);
    }
    this.generations = g;
  }

  V get(K key) {
    Generation<K, V>[] g = generations;
    for (Generation<K, V> gen : g) {
      V v = gen.map.get(key);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  void put(K key, V value) {
    current().map.put(key, value);
  }

  /** Stores {@code value} unless the key is present in any generation; returns the present value, or null. */
  V putIfAbsent(K key, V value) {
    V old = get(key);
    return old != null ? old : current().map.putIfAbsent(key, value);
  }

  /** Entries held (approximate while writes race). */
  long size() {
    long n = 0;
    for (Generation<K, V> gen : generations) {
      n += gen.map.size();
    }
    return n;
  }

  private Generation<K, V> current() {
    Generation<K, V>[] g = generations;
    Generation<K, V> newest = g[0];
    if (newest.writes.incrementAndGet() > perGeneration || nanoClock.getAsLong() - newest.bornNanos > maxAgeNanos) {
      rotate(newest);
      return generations[0];
    }
    return newest;
  }

  @SuppressWarnings("unchecked")
  private synchronized void rotate(Generation<K, V> seen) {
    Generation<K, V>[] g = generations;
    if (g[0] != seen) {
      return; // another writer rotated already
    }
    Generation<K, V>[] next = new Generation[g.length];
    next[0] = new Generation<>(perGeneration, nanoClock.getAsLong());
    System.arraycopy(g, 0, next, 1, g.length - 1);
    generations = next;
  }
}
