package dev.vane.gateway.state.redis;

import dev.vane.router.ArmIds;
import dev.vane.router.FirstExposure;
import dev.vane.router.PairCache;
import dev.vane.router.RecentTable;
import dev.vane.router.StickyStore.Claim;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Redis sticky store's local cache: a unit's assignment as Redis last told it (or as this instance answered
 * provisionally), for between 3/4 of and the whole staleness after it was written to the cache, never refreshed by
 * reads (the fraction is fixed per unit by a hash of its key). Its entries are bit-packed longs in a
 * {@link RecentTable} (the layout is below): a warm request costs two hashes and one array probe, and a million
 * cached units are primitive arrays the garbage collector never scans; {@code HotPathBenchmark.redisStoreCacheHit}
 * measures it. Besides the arm, an entry knows whether it is provisional, when its Redis TTL is next due for
 * re-arming, and when it was cached, which the watermarks compare against: entries cached before a reconnect are
 * to be verified with Redis ({@link #verifyConfirmed}), entries cached before a FLUSHDB are gone
 * ({@link #clearedAll}). All methods may be called from any thread; updates are compare-and-set.
 */
final class StickyCache {
  /** The local cache: a unit's {@link CacheKey} to its packed entry (see {@link #pack}). */
  private final RecentTable cache;
  /**
   * Beside it, the unit's first exposure as a packed hour ({@link FirstExposure#pack}) when known: the entry's 64 bits
   * are taken. Written before the entry, so a reader that sees an entry sees its hour (or a later one).
   */
  private final RecentTable firstExposures;
  private final ArmIds arms = new ArmIds(ARM_MASK);
  private final LongSupplier nanoClock;
  private final long originNanos;
  /** The unit of an entry's refresh time: ttl / 128, at least a millisecond. */
  private final long refreshUnitNanos;
  private final long refreshAfterNanos;
  private final long stalenessNanos;
  /** Entries written at or before this millisecond (of {@link #millis}) were cached before a reconnect. */
  private volatile long verifyUpTo = -1;
  /** Entries written at or before this millisecond are gone (Redis was flushed). */
  private volatile long clearedUpTo = -1;

  /**
   * @param size      units held at most
   * @param staleness how long an entry may be served after it was cached, at most
   * @param ttl       the Redis TTL of an assignment (refreshed when less than half remains)
   */
  StickyCache(long size, Duration staleness, Duration ttl, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.originNanos = nanoClock.getAsLong();
    this.stalenessNanos = staleness.toNanos();
    this.refreshAfterNanos = TimeUnit.MILLISECONDS.toNanos(ttl.toMillis() / 2);
    this.refreshUnitNanos = Math.max(1_000_000, ttl.toNanos() / 128);
    // bounded by size; generations also rotate with time, but an entry's own deadline (within the staleness) is
    // what ends its service, checked on read
    this.cache = new RecentTable(Math.max(4, size), staleness, 4, nanoClock);
    this.firstExposures = new RecentTable(Math.max(4, size), staleness, 4, nanoClock);
  }

  /**
   * A unit's key in the local cache: the 128-bit hash of its Redis key's characters ({@link RedisKeys#sticky}). A
   * warm request hashes the ids where they are, without building the key string, and the cache compares two longs
   * instead of chasing a string; an invalidation pushed by Redis hashes the key it names to the same pair.
   */
  record CacheKey(long h1, long h2) {
    static CacheKey of(String redisKey) {
      return of(new RecentTable.Hasher().chars(redisKey));
    }

    static CacheKey of(String experiment, String salt, String unit) {
      Optional<RecentTable.Hasher> p = PREFIXES.get(experiment, salt);
      if (p.isEmpty() || !RedisKeys.plain(unit)) {
        return of(RedisKeys.sticky(experiment, salt, unit));
      }
      return of(p.get().copy().chars(unit));
    }

    /**
     * The hash state after {@code vane:sticky:<experiment>:<salt>:} for each pair, or empty when an id needs
     * escaping in the key (its key is then built and hashed whole).
     */
    private static final PairCache<Optional<RecentTable.Hasher>> PREFIXES = new PairCache<>(64,
        (experiment, salt) -> Optional.ofNullable(RedisKeys.stickyPrefix(experiment, salt))
            .map(prefix -> new RecentTable.Hasher().chars(prefix)));

    private static CacheKey of(RecentTable.Hasher h) {
      return new CacheKey(h.h1(), h.h2());
    }
  }

  // An entry is a long: bits 0-14 the arm's number in `arms` (0: none, a dropped entry), bit 15 provisional, bit 16
  // set for a Redis key without TTL (never re-armed), bits 17-24 when its TTL next needs re-arming, in units of
  // ttl / 128 since this store was created, modulo 256 (a due time is at most ttl / 2 ahead: 64 units), bits 25-62
  // the millisecond it was written, since this store was created (8.7 years of uptime).
  private static final int ARM_MASK = 0x7fff;
  private static final long PROVISIONAL = 1L << 15;
  private static final long NO_TTL = 1L << 16;
  private static final int DUE_SHIFT = 17;
  private static final long DUE_BITS = 0xffL << DUE_SHIFT;
  private static final int WRITTEN_SHIFT = 25;
  /** What an invalidated unit holds until it is cached again. */
  private static final long DROPPED = PROVISIONAL;

  long millis(long now) {
    return (now - originNanos) / 1_000_000;
  }

  private long pack(String arm, boolean provisional, long now) {
    return arms.number(arm) | (provisional ? PROVISIONAL : 0) | millis(now) << WRITTEN_SHIFT;
  }

  private static long written(long entry) {
    return entry >>> WRITTEN_SHIFT;
  }

  static boolean provisional(long entry) {
    return (entry & PROVISIONAL) != 0;
  }

  String arm(long entry) {
    return arms.id((int) (entry & ARM_MASK));
  }

  /** Confirmed before the last reconnect (invalidations may have been lost): served only once Redis confirms it. */
  boolean toVerify(long entry) {
    return !provisional(entry) && written(entry) <= verifyUpTo;
  }

  /** {@code entry} with its TTL due for re-arming {@code inNanos} after {@code now} (rounded down to a unit). */
  long dueIn(long entry, long now, long inNanos) {
    long units = (now - originNanos + inNanos) / refreshUnitNanos;
    return (entry & ~DUE_BITS) | (units & 0xff) << DUE_SHIFT;
  }

  /**
   * Whether the entry's Redis TTL is due for re-arming: its due time has come, within the last 128 units (a ttl).
   * An entry not read for longer than that since it was due comes round again as not due for a while, which only
   * ever concerns a unit idle for more than a ttl, whose Redis key has expired anyway.
   */
  boolean refreshDue(long entry, long now) {
    if ((entry & NO_TTL) != 0) {
      return false;
    }
    long nowUnits = (now - originNanos) / refreshUnitNanos;
    return (byte) (nowUnits - ((entry >>> DUE_SHIFT) & 0xff)) >= 0;
  }

  /**
   * Whether an entry written at {@code written} is past its deadline at {@code now}: {@code staleness * (1 - f/4)}
   * after it was cached, with {@code f} in [0, 1) taken from the key's hash. Reads leave it unchanged, so no entry
   * outlives the staleness bound.
   */
  private boolean expired(CacheKey key, long entry, long now) {
    double f = (key.h1() >>> 40) / (double) (1 << 24);
    long lifeMillis = (stalenessNanos - (long) (stalenessNanos * f / 4)) / 1_000_000;
    return millis(now) - written(entry) >= lifeMillis;
  }

  /** The cached entry for {@code key} unless absent, dropped or past its deadline at {@code now}; else 0. */
  long live(CacheKey key, long now) {
    long e = cache.getAndKeep(key.h1(), key.h2());
    if (e == 0 || (e & ARM_MASK) == 0 || written(e) <= clearedUpTo || expired(key, e, now)) {
      return 0;
    }
    return e;
  }

  /** The first exposure cached with {@code key}'s entry, or {@link FirstExposure#UNKNOWN}. */
  long firstExposure(CacheKey key) {
    return FirstExposure.unpack(firstExposures.get(key.h1(), key.h2()));
  }

  private void firstExposure(CacheKey key, long firstExposureMillis) {
    long hour = FirstExposure.pack(firstExposureMillis);
    if (hour != 0) {
      firstExposures.put(key.h1(), key.h2(), hour);
    } else if (firstExposures.get(key.h1(), key.h2()) != 0) {
      firstExposures.put(key.h1(), key.h2(), -1); // unknown now (the table holds no 0); -1 unpacks as unknown
    }
  }

  /** Caches {@code entry} for {@code key} with its unit's first exposure (or {@link FirstExposure#UNKNOWN}). */
  void put(CacheKey key, long entry, long firstExposureMillis) {
    firstExposure(key, firstExposureMillis);
    put(key, entry);
  }

  /** Caches {@code entry} for {@code key}, whatever was there. */
  void put(CacheKey key, long entry) {
    while (!cache.compareAndSet(key.h1(), key.h2(), cache.get(key.h1(), key.h2()), entry)) {
      Thread.onSpinWait();
    }
  }

  /**
   * Caches {@code candidate} as a provisional assignment unless the cache already holds one it may not replace (for
   * instance the winner from Redis that arrived meanwhile), and returns the cached one.
   */
  Claim provisional(CacheKey ck, String candidate, String replaceable, long firstExposureMillis) {
    while (true) {
      long now = nanoClock.getAsLong();
      long present = cache.get(ck.h1(), ck.h2());
      long held = live(ck, now);
      if (held != 0 && !arm(held).equals(replaceable)) {
        return new Claim(arm(held), false, firstExposure(ck));
      }
      firstExposure(ck, firstExposureMillis);
      if (cache.compareAndSet(ck.h1(), ck.h2(), present, pack(candidate, true, now) | NO_TTL)) {
        return new Claim(candidate, true, FirstExposure.hour(firstExposureMillis));
      }
    }
  }

  /**
   * The entry for Redis's answer: due for a TTL refresh when less than ttl / 2 remains in Redis (never for a key
   * without TTL). Its arm is kept once per id, the caller's own string when it is the first seen for the id (not
   * the copy Redis's reply decoded), so 100,000 cached units share a handful of arm strings.
   */
  long confirmed(String replyArm, long pttlMillis, String candidate, String replaceable) {
    long now = nanoClock.getAsLong();
    String arm = replyArm.equals(candidate) ? candidate
        : replaceable != null && replyArm.equals(replaceable) ? replaceable : replyArm;
    long entry = pack(arm, false, now);
    return pttlMillis < 0 ? entry | NO_TTL
        : dueIn(entry, now, Math.max(0, TimeUnit.MILLISECONDS.toNanos(pttlMillis) - refreshAfterNanos));
  }
  /** {@code entry} due for its next TTL refresh {@code ttl / 2} from {@code now}. */
  long refreshed(long entry, long now) {
    return dueIn(entry, now, refreshAfterNanos);
  }

  /** Replaces {@code expect} with {@code update} for {@code key}; false when the entry changed meanwhile. */
  boolean compareAndSet(CacheKey key, long expect, long update) {
    return cache.compareAndSet(key.h1(), key.h2(), expect, update);
  }

  /** Drops the unit whose Redis key is {@code redisKey} (Redis said it changed). */
  void invalidate(String redisKey) {
    CacheKey ck = CacheKey.of(redisKey);
    long present;
    while ((present = cache.get(ck.h1(), ck.h2())) != 0 && present != DROPPED
        && !cache.compareAndSet(ck.h1(), ck.h2(), present, DROPPED)) {
      Thread.onSpinWait();
    }
  }

  /** Forgets every entry cached until now (Redis was flushed). */
  void clearedAll() {
    clearedUpTo = millis(nanoClock.getAsLong());
  }

  /**
   * Marks every assignment confirmed by Redis until now for checking: {@link #toVerify} is then true for them, and
   * the store claims them again with the cached arm as candidate. Provisional entries stay as they are.
   */
  void verifyConfirmed() {
    verifyUpTo = millis(nanoClock.getAsLong());
  }

  /** Units held, counted as {@link RecentTable#size()} counts them. */
  long size() {
    return cache.size();
  }
}
