package dev.vane.router;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Sticky assignments held in this process: bounded (beyond {@code maxEntries} the least recently used are dropped,
 * a quarter of the store at a time) and expiring {@code ttl} after a unit's last request. Evicted or expired units
 * are re-assigned by the hash, which puts them back on the same arm unless weights changed meanwhile.
 *
 * <p>The assignments live in a {@link RecentTable}: a unit is a 128-bit hash of (experiment, salt, unit id) and its
 * value packs the arm (an index into the arm ids this store has seen, 20 bits), the hour of the claim that stored
 * it ({@link FirstExposure}, 20 bits) and the time of the unit's last request in ticks of {@code ttl / 64} (24 bits,
 * compared modulo 2^24: a unit would have to go untouched, and the table unwritten, for 2^18 ttls to be misread). There is no object per unit, so a store of a million units costs the garbage collector
 * nothing to copy or scan, and a lookup is one probe of a primitive array instead of a map, key and string chain.
 * A request rewrites its unit's value only when the tick has moved on (once per {@code ttl / 64} per unit) or when
 * the unit sits in the oldest generation, which carries it into the newest before the old one is dropped. An
 * assignment therefore expires between {@code ttl} and {@code ttl + ttl / 64} after the unit's last request. Claims are compare-and-set on the
 * unit's present value, so of racing claims for one unit exactly one stores its arm.
 */
public final class InMemoryStickyStore implements StickyStore {
  private static final int GENERATIONS = 4;
  /** Expiry resolution: a value's time is kept in ticks of ttl / TICKS_PER_TTL. */
  private static final long TICKS_PER_TTL = 64;
  private static final int ARM_BITS = 20;
  private static final long ARM_MASK = (1L << ARM_BITS) - 1;
  private static final long HOUR_MASK = (1L << FirstExposure.HOUR_BITS) - 1;
  /** Arm and first-exposure hour: what a touch keeps. */
  private static final int TICK_SHIFT = ARM_BITS + FirstExposure.HOUR_BITS;
  private static final long KEPT_MASK = (1L << TICK_SHIFT) - 1;
  private static final long TICK_MASK = (1L << (64 - TICK_SHIFT)) - 1;

  private final RecentTable table;
  private final long maxEntries;
  private final Duration ttl;
  private final LongSupplier nanoClock;
  private final LongSupplier wallMillis;
  private final long originNanos;
  private final long tickNanos;
  /** The packed value's low bits. */
  private final ArmIds arms = new ArmIds((int) ARM_MASK);

  public InMemoryStickyStore(long maxEntries, Duration ttl) {
    this(maxEntries, ttl, System::nanoTime);
  }

  /** With an injected nanosecond clock, for tests of expiry. */
  public InMemoryStickyStore(long maxEntries, Duration ttl, LongSupplier nanoClock) {
    this(maxEntries, ttl, nanoClock, System::currentTimeMillis);
  }

  /**
   * With an injected nanosecond clock (expiry) and wall clock in epoch milliseconds (the first exposure a new
   * claim records), for tests.
   */
  public InMemoryStickyStore(long maxEntries, Duration ttl, LongSupplier nanoClock, LongSupplier wallMillis) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: > 0)");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
    this.maxEntries = maxEntries;
    this.ttl = ttl;
    this.nanoClock = nanoClock;
    this.wallMillis = wallMillis;
    this.originNanos = nanoClock.getAsLong();
    long ttlNanos = ttl.toNanos();
    this.tickNanos = Math.max(1, ttlNanos / TICKS_PER_TTL);
    // A unit's value was last written at most a tick before its last request, into a generation at most one
    // generation age old; a generation is dropped no sooner than (GENERATIONS - 1) ages after its birth (earlier
    // only when newer units fill the store). So (GENERATIONS - 2) ages must cover ttl plus a tick.
    long age = (ttlNanos + tickNanos) / (GENERATIONS - 2) + 1;
    this.table = new RecentTable(Math.max(maxEntries, GENERATIONS),
        Duration.ofNanos(Math.min(Long.MAX_VALUE / GENERATIONS, age) * (GENERATIONS - 1)), GENERATIONS, nanoClock);
  }

  /** The hash state after each (experiment, salt): each unit continues from a copy and hashes only itself. */
  private final PairCache<RecentTable.Hasher> prefixes =
      new PairCache<>(64, (experiment, salt) -> new RecentTable.Hasher().add(experiment).add(salt));

  private RecentTable.Hasher key(String experiment, String salt, String unit) {
    return prefixes.get(experiment, salt).copy().add(unit);
  }

  /** The present tick, modulo 2^24. */
  private long tick() {
    return ((nanoClock.getAsLong() - originNanos) / tickNanos) & TICK_MASK;
  }

  private static boolean live(long value, long now) {
    return value != 0 && ((now - (value >>> TICK_SHIFT)) & TICK_MASK) <= TICKS_PER_TTL;
  }

  private static long firstExposure(long value) {
    return FirstExposure.unpack((value >>> ARM_BITS) & HOUR_MASK);
  }

  private String arm(long value) {
    return arms.id((int) (value & ARM_MASK));
  }

  @Override
  public String peek(String experiment, String salt, String unit) {
    long v = lookUp(experiment, salt, unit);
    return v == 0 ? null : arm(v);
  }

  @Override
  public Stored find(String experiment, String salt, String unit) {
    long v = lookUp(experiment, salt, unit);
    return v == 0 ? null : new Stored(arm(v), firstExposure(v));
  }

  /** The unit's live value (its request recorded), or 0. */
  private long lookUp(String experiment, String salt, String unit) {
    RecentTable.Hasher h = key(experiment, salt, unit);
    long h1 = h.h1();
    long h2 = h.h2();
    long v = table.getAndKeep(h1, h2);
    if (v == 0) {
      return 0;
    }
    long now = tick();
    if (!live(v, now)) {
      return 0;
    }
    touch(h1, h2, v, now);
    return v;
  }

  /** Records a request of the unit at tick {@code now} when its value holds an older one (a lost race is fine). */
  private void touch(long h1, long h2, long v, long now) {
    if (v >>> TICK_SHIFT != now) {
      table.compareAndSet(h1, h2, v, (now << TICK_SHIFT) | (v & KEPT_MASK));
    }
  }

  @Override
  public CompletionStage<Claim> claim(String experiment, String salt, String unit, String candidate,
      String replaceable) {
    RecentTable.Hasher h = key(experiment, salt, unit);
    long h1 = h.h1();
    long h2 = h.h2();
    long candidateIndex = arms.number(candidate);
    while (true) {
      long v = table.get(h1, h2);
      long now = tick();
      String present = live(v, now) ? arm(v) : null;
      if (present != null && !present.equals(replaceable)) {
        touch(h1, h2, v, now);
        return CompletableFuture.completedFuture(new Claim(present, false, firstExposure(v)));
      }
      long hour = FirstExposure.pack(wallMillis.getAsLong());
      if (table.compareAndSet(h1, h2, v, (now << TICK_SHIFT) | (hour << ARM_BITS) | candidateIndex)) {
        return CompletableFuture.completedFuture(new Claim(candidate, true, FirstExposure.unpack(hour)));
      }
      // another claim (or a request's touch) changed the unit meanwhile: look again
    }
  }

  /** Number of stored assignments (a unit carried into a newer generation may count twice until its old one goes). */
  public long size() {
    return table.size();
  }

  @Override
  public String describe() {
    return "memory (maxEntries=" + maxEntries + ", ttl=" + ttl + ", entries=" + size() + ")";
  }
}
