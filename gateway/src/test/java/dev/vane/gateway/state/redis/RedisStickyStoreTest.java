package dev.vane.gateway.state.redis;

import static dev.vane.gateway.state.StickyStoreContract.armIn;
import static dev.vane.gateway.state.StickyStoreContract.claim;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.router.FirstExposure;
import dev.vane.router.StickyStore;
import dev.vane.router.StickyStore.Claim;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis store against real redis-server processes: agreement between instances, TTLs, and the faults of issue 4
 * (Redis absent at start, killed under load, paused, and the bound of the outage queue).
 */
class RedisStickyStoreTest {
  private static final Duration TIMEOUT = Duration.ofMillis(50);
  /** Slack on a noisy 2-core machine, on top of the command timeout. */
  private static final Duration MARGIN = Duration.ofMillis(500);

  private static RedisServerProcess shared;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void startShared() {
    shared = RedisServerProcess.start();
  }

  @AfterAll
  static void stopShared() {
    shared.close();
  }

  @BeforeEach
  void flush() {
    shared.call("FLUSHALL");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private RedisStickyStore store(RedisSettings settings) {
    RedisStickyStore store = new RedisStickyStore(settings);
    closeables.add(store);
    return store;
  }

  private RedisStickyStore connected(RedisSettings settings) {
    RedisStickyStore store = store(settings);
    Eventually.await(Duration.ofSeconds(10), () -> store.healthy() && (store.tracking() || !settings.invalidations()),
        store::describe);
    return store;
  }

  /** A store on the test's clock, connected. */
  private RedisStickyStore clocked(RedisSettings settings, AtomicLong now) {
    RedisStickyStore store = new RedisStickyStore(settings, now::get);
    closeables.add(store);
    Eventually.await(Duration.ofSeconds(10), store::healthy, store::describe);
    return store;
  }

  /** A 60 s ttl under an hour of staleness, without invalidations (PEXPIRE from outside would be pushed). */
  private static RedisSettings shortTtl() {
    return RedisSettings.defaults(shared.uri()).withTtl(Duration.ofSeconds(60))
        .withCacheStaleness(Duration.ofHours(1)).withCommandTimeout(Duration.ofSeconds(5)).withInvalidations(false);
  }

  private RedisServerProcess redis(RedisServerProcess process) {
    closeables.add(process);
    return process;
  }

  @Test
  void aUnitsFirstExposureIsRecordedByTheInstanceThatClaimedItAndReadByAnother() throws Exception {
    RedisSettings settings = RedisSettings.defaults(shared.uri()).withCommandTimeout(Duration.ofSeconds(5));
    long monday = java.time.Instant.parse("2026-11-30T09:17:00Z").toEpochMilli();
    long mondayHour = java.time.Instant.parse("2026-11-30T09:00:00Z").toEpochMilli();
    java.util.concurrent.atomic.AtomicLong wallA = new java.util.concurrent.atomic.AtomicLong(monday);
    java.util.concurrent.atomic.AtomicLong wallB = new java.util.concurrent.atomic.AtomicLong(monday + 3 * DAY);
    RedisStickyStore a = new RedisStickyStore(settings, System::nanoTime, wallA::get);
    closeables.add(a);
    RedisStickyStore b = new RedisStickyStore(settings, System::nanoTime, wallB::get);
    closeables.add(b);
    Eventually.await(Duration.ofSeconds(10), () -> a.healthy() && b.healthy(), () -> a.describe() + b.describe());

    assertEquals(new Claim("arm-a", true, mondayHour),
        a.claim("exp", "salt", "u1", "arm-a", null).toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(new StickyStore.Stored("arm-a", mondayHour), a.find("exp", "salt", "u1"), "cached with it");
    assertEquals("arm-a@" + mondayHour / 1000, shared.call("GET", RedisKeys.sticky("exp", "salt", "u1")));
    assertNull(b.find("exp", "salt", "u1"), "not cached on the other instance yet");
    assertEquals(new Claim("arm-a", false, mondayHour),
        b.claim("exp", "salt", "u1", "arm-b", null).toCompletableFuture().get(5, TimeUnit.SECONDS),
        "the other instance, three days later, gets the arm and the hour it was first claimed");
    assertEquals(new StickyStore.Stored("arm-a", mondayHour), b.find("exp", "salt", "u1"));

    // a value an operator wrote (or an older Vane): the arm is served as it is, its first exposure unknown
    shared.call("SET", RedisKeys.sticky("exp", "salt", "u2"), "arm-b");
    assertEquals(new Claim("arm-b", false, FirstExposure.UNKNOWN),
        b.claim("exp", "salt", "u2", "arm-a", null).toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(new StickyStore.Stored("arm-b", FirstExposure.UNKNOWN), b.find("exp", "salt", "u2"));
  }

  private static final long DAY = 86_400_000L;

  @Test
  void twoInstancesAgreeOnTenThousandUnitsIncludingConcurrentFirstClaims() throws Exception {
    // generous timeout: agreement is what Redis decides; the fallback is tested below
    RedisSettings settings = RedisSettings.defaults(shared.uri()).withCommandTimeout(Duration.ofSeconds(5));
    RedisStickyStore a = connected(settings);
    RedisStickyStore b = connected(settings);
    int units = 10_000;
    int racing = 500;

    // 500 units whose first claims reach both instances at once, each proposing its own arm
    List<CompletableFuture<Claim>> fromA = new ArrayList<>();
    List<CompletableFuture<Claim>> fromB = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      var ta = pool.submit(() -> {
        go.await();
        for (int u = 0; u < racing; u++) {
          fromA.add(a.claim("exp", "salt", "user-" + u, "arm-a", null).toCompletableFuture());
        }
        return null;
      });
      var tb = pool.submit(() -> {
        go.await();
        for (int u = 0; u < racing; u++) {
          fromB.add(b.claim("exp", "salt", "user-" + u, "arm-b", null).toCompletableFuture());
        }
        return null;
      });
      go.countDown();
      ta.get(10, TimeUnit.SECONDS);
      tb.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    int wonByA = 0;
    for (int u = 0; u < racing; u++) {
      Claim ca = fromA.get(u).get(10, TimeUnit.SECONDS);
      Claim cb = fromB.get(u).get(10, TimeUnit.SECONDS);
      assertEquals(ca.arm(), cb.arm(), "user-" + u);
      assertTrue(ca.created() ^ cb.created(), "exactly one instance created user-" + u);
      assertEquals(ca.arm(), armIn(shared.call("GET", RedisKeys.sticky("exp", "salt", "user-" + u))));
      wonByA += ca.created() ? 1 : 0;
    }

    // the other 9,500: one instance first, then the other, alternating
    List<CompletableFuture<Claim>> first = new ArrayList<>();
    for (int u = racing; u < units; u++) {
      RedisStickyStore firstStore = u % 2 == 0 ? a : b;
      first.add(firstStore.claim("exp", "salt", "user-" + u, u % 2 == 0 ? "arm-a" : "arm-b", null)
          .toCompletableFuture());
    }
    CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    List<CompletableFuture<Claim>> second = new ArrayList<>();
    for (int u = racing; u < units; u++) {
      RedisStickyStore secondStore = u % 2 == 0 ? b : a;
      second.add(secondStore.claim("exp", "salt", "user-" + u, u % 2 == 0 ? "arm-b" : "arm-a", null)
          .toCompletableFuture());
    }
    CompletableFuture.allOf(second.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    for (int u = racing; u < units; u++) {
      String expected = u % 2 == 0 ? "arm-a" : "arm-b";
      Claim one = first.get(u - racing).join();
      Claim two = second.get(u - racing).join();
      assertEquals(new Claim(expected, true), new Claim(one.arm(), one.created()), "user-" + u);
      assertEquals(new Claim(expected, false), new Claim(two.arm(), two.created()), "user-" + u);
      assertEquals(one.firstExposureMillis(), two.firstExposureMillis(), "both instances know the first claim's hour");
    }
    for (int u = 0; u < units; u++) {
      String unit = "user-" + u;
      assertEquals(a.peek("exp", "salt", unit), b.peek("exp", "salt", unit), unit);
    }
    assertEquals(units, shared.callLong("DBSIZE"));
    assertEquals(0, a.stats().provisionalAnswers() + b.stats().provisionalAnswers(),
        "no claim fell back: " + a.stats() + b.stats());
    assertTrue(wonByA >= 0 && wonByA <= racing);
  }

  @Test
  void warmUnitsCostNoRedisCommands() {
    RedisStickyStore store = connected(RedisSettings.defaults(shared.uri()).withCommandTimeout(Duration.ofSeconds(5)));
    for (int u = 0; u < 100; u++) {
      claim(store, "exp", "salt", "user-" + u, "arm-" + (u % 3), null);
    }
    long before = totalCommands();
    for (int i = 0; i < 10_000; i++) {
      String unit = "user-" + (i % 100);
      assertEquals("arm-" + (i % 100 % 3), store.peek("exp", "salt", unit));
      claim(store, "exp", "salt", unit, "other", null); // answered by the cache: no replaceable match
    }
    long after = totalCommands();
    assertTrue(after - before <= 2, "Redis commands for 10,000 warm requests: " + (after - before));
    assertEquals(20_000, store.stats().hits());
  }

  private static long totalCommands() {
    String info = (String) shared.call("INFO", "stats");
    for (String line : info.split("\r\n")) {
      if (line.startsWith("total_commands_processed:")) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    throw new AssertionError("no total_commands_processed in " + info);
  }

  @Test
  void theCacheKeyOfAUnitIsTheOneItsRedisKeyHashesTo() {
    // plain pairs interleaved with units and pairs that need escaping: a pair's cached prefix never stands in for
    // an escaped key
    String[][] ids = {{"exp", "salt", "user-1"}, {"e:x", "s%lt", "a:b%c"}, {"exp", "salt", ""}, {"ex", "psalt", "u"},
        {"exp", "salt:", "u"}, {"exp", "salt", "a:b"}, {"exp", "salt", "a%3Ab"}, {"exp2", "salt", "user-1"},
        {"exp", "salt", "user-2"}};
    java.util.Set<StickyCache.CacheKey> distinct = new java.util.HashSet<>();
    for (String[] id : ids) {
      StickyCache.CacheKey fromIds = StickyCache.CacheKey.of(id[0], id[1], id[2]);
      assertEquals(StickyCache.CacheKey.of(RedisKeys.sticky(id[0], id[1], id[2])), fromIds,
          String.join("|", id) + ": what an invalidation of its key drops");
      distinct.add(fromIds);
    }
    assertEquals(ids.length, distinct.size(), "different units, different keys");
    // again, with equal strings that are not the same instances (the cached prefix state is looked up by value)
    for (String[] id : ids) {
      assertTrue(distinct.contains(StickyCache.CacheKey.of(new String(id[0]), new String(id[1]),
          new String(id[2]))), String.join("|", id));
    }
  }

  @Test
  void aChangeMadeInRedisReachesTheCacheAtOnceButOwnWritesStayCached() {
    RedisStickyStore store = connected(RedisSettings.defaults(shared.uri()).withCacheStaleness(Duration.ofHours(1))
        .withCommandTimeout(Duration.ofSeconds(5)));
    assertTrue(store.describe().contains("invalidations=on"), store::describe);
    assertEquals(new Claim("arm-a", true), claim(store, "exp", "salt", "edited", "arm-a", null));
    assertEquals(new Claim("arm-a", true), claim(store, "exp", "salt", "kept", "arm-a", null));
    sleep(300);
    assertEquals("arm-a", store.peek("exp", "salt", "edited"), "its own write did not evict it (NOLOOP)");
    long claimsBefore = store.stats().claims();

    // an operator moves one unit in Redis: with an hour of staleness, only the push can make this visible
    shared.call("SET", RedisKeys.sticky("exp", "salt", "edited"), "arm-b");
    Eventually.await(Duration.ofSeconds(5), () -> store.peek("exp", "salt", "edited") == null,
        () -> "still cached after the edit: " + store.describe());
    assertEquals(new Claim("arm-b", false), claim(store, "exp", "salt", "edited", "arm-a", null),
        "read back from Redis");
    assertEquals("arm-a", store.peek("exp", "salt", "kept"), "an unchanged unit stays cached");
    assertEquals(claimsBefore + 1, store.stats().claims());
    assertTrue(store.invalidations() >= 1);

    // a unit another instance writes first is dropped from this cache, and its arm read back
    RedisStickyStore other = connected(RedisSettings.defaults(shared.uri()).withCommandTimeout(Duration.ofSeconds(5)));
    shared.call("DEL", RedisKeys.sticky("exp", "salt", "kept"));
    Eventually.await(Duration.ofSeconds(5), () -> store.peek("exp", "salt", "kept") == null, store::describe);
    assertEquals(new Claim("arm-c", true), claim(other, "exp", "salt", "kept", "arm-c", null));
    assertEquals(new Claim("arm-c", false), claim(store, "exp", "salt", "kept", "arm-a", null));
  }

  @Test
  void aFlushOfRedisEmptiesTheCacheAndUnitsAreClaimedAfresh() {
    RedisStickyStore store = connected(RedisSettings.defaults(shared.uri()).withCacheStaleness(Duration.ofHours(1))
        .withCommandTimeout(Duration.ofSeconds(5)));
    for (int u = 0; u < 50; u++) {
      claim(store, "exp", "salt", "f" + u, "arm-a", null);
    }
    assertEquals("arm-a", store.peek("exp", "salt", "f7"));
    shared.call("FLUSHALL");
    Eventually.await(Duration.ofSeconds(5), () -> store.peek("exp", "salt", "f7") == null, store::describe);
    for (int u = 0; u < 50; u++) {
      assertNull(store.peek("exp", "salt", "f" + u), "f" + u + " after the flush");
    }
    assertEquals(new Claim("arm-b", true), claim(store, "exp", "salt", "f7", "arm-b", null), "Redis is empty");
    assertEquals("arm-b", store.peek("exp", "salt", "f7"), "and the new answer is cached");
  }

  @Test
  void theCacheHoldsAtMostItsSizeAndKeepsTheUnitsStillRequested() {
    RedisStickyStore store = connected(RedisSettings.defaults(shared.uri()).withCacheSize(1_000)
        .withCacheStaleness(Duration.ofHours(1)).withCommandTimeout(Duration.ofSeconds(5)));
    claim(store, "exp", "salt", "hot", "arm-a", null);
    claim(store, "exp", "salt", "cold", "arm-a", null);
    long claimsBefore = store.stats().claims();
    for (int u = 0; u < 5_000; u++) {
      claim(store, "exp", "salt", "n" + u, "arm-b", null);
      if (u % 100 == 0) {
        assertEquals("arm-a", store.peek("exp", "salt", "hot"), "hot after " + u + " newer units");
      }
    }
    assertEquals(claimsBefore + 5_000, store.stats().claims(), "the hot unit never went back to Redis");
    assertTrue(store.cacheSize() <= 1_000, "cached " + store.cacheSize());
    assertNull(store.peek("exp", "salt", "cold"), "a unit nobody requested was dropped");
    assertEquals(new Claim("arm-a", false), claim(store, "exp", "salt", "cold", "arm-b", null), "and read back");
  }

  @Test
  void afterAReconnectInvalidationsAreOnAgainAndCachedEntriesAreCheckedAgain() {
    RedisStickyStore store = connected(RedisSettings.defaults(shared.uri()).withCacheStaleness(Duration.ofHours(1))
        .withCommandTimeout(Duration.ofSeconds(5)));
    claim(store, "exp", "salt", "u1", "arm-a", null);
    claim(store, "exp", "salt", "u2", "arm-a", null);
    assertEquals("arm-a", store.peek("exp", "salt", "u1"));
    // drop the store's link; a change made while it is down is never pushed
    shared.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    shared.call("SET", RedisKeys.sticky("exp", "salt", "u1"), "arm-b");
    Eventually.await(Duration.ofSeconds(10), () -> store.stats().reconnects() >= 1 && store.tracking(),
        store::describe);
    assertNull(store.peek("exp", "salt", "u2"), "unchanged, but checked again: pushes may have been lost meanwhile");
    assertEquals(new Claim("arm-b", false), claim(store, "exp", "salt", "u1", "arm-a", null), "the change made "
        + "while the link was down is read from Redis");
    assertEquals(new Claim("arm-a", false), claim(store, "exp", "salt", "u2", "arm-x", null));
    // and pushes flow again on the new link
    shared.call("SET", RedisKeys.sticky("exp", "salt", "u2"), "arm-c");
    Eventually.await(Duration.ofSeconds(5), () -> store.peek("exp", "salt", "u2") == null, store::describe);
  }

  @Test
  void keysFollowTheLayoutAndEscapeTheSeparator() {
    RedisStickyStore store = connected(RedisSettings.defaults(shared.uri()).withCommandTimeout(Duration.ofSeconds(5)));
    assertEquals("vane:sticky:exp:s1:user-1", RedisKeys.sticky("exp", "s1", "user-1"));
    assertEquals("vane:sticky:exp:s1:{u}", RedisKeys.sticky("exp", "s1", "{u}"), "braces kept: keys stay as before");
    assertEquals("vane:sticky:a%3Ab:50%25:u%3A1", RedisKeys.sticky("a:b", "50%", "u:1"));
    claim(store, "a:b", "50%", "u:1", "arm", null);
    assertEquals("arm", armIn(shared.call("GET", "vane:sticky:a%3Ab:50%25:u%3A1")));
  }

  @Test
  void cachedUnitsExpireWithinTheStalenessBoundSpreadOverItsLastQuarter() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    Duration staleness = Duration.ofMinutes(10);
    RedisStickyStore store = clocked(RedisSettings.defaults(shared.uri()).withTtl(Duration.ofDays(30))
        .withCacheStaleness(staleness).withCommandTimeout(Duration.ofSeconds(5)), now);
    int units = 400;
    for (int u = 0; u < units; u++) {
      claim(store, "exp", "salt", "spread-" + u, "arm", null);
    }
    long start = now.get();
    java.util.function.LongUnaryOperator cachedAt = fractionPermille -> {
      now.set(start + staleness.toNanos() * fractionPermille / 1000);
      long cached = 0;
      for (int u = 0; u < units; u++) {
        cached += store.peek("exp", "salt", "spread-" + u) != null ? 1 : 0;
      }
      return cached;
    };
    // peeks do not extend an entry's life, so the clock can be moved forward through one set of entries
    assertEquals(units, cachedAt.applyAsLong(749), "nobody expires before 3/4 of the staleness");
    long atSevenEighths = cachedAt.applyAsLong(875);
    assertTrue(atSevenEighths > units * 0.3 && atSevenEighths < units * 0.7,
        "about half expire by 7/8 of the staleness: " + atSevenEighths);
    assertEquals(0, cachedAt.applyAsLong(1001), "nobody outlives the staleness bound");
  }

  @Test
  void withoutInvalidationsAChangeInRedisIsServedOnceTheCachedEntryIsPastItsDeadline() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    Duration staleness = Duration.ofMinutes(10);
    RedisStickyStore store = clocked(RedisSettings.defaults(shared.uri()).withCacheStaleness(staleness)
        .withCommandTimeout(Duration.ofSeconds(5)).withInvalidations(false), now);
    String candidate = new String("arm-a"); // a string of the caller's, not a literal shared with the test
    assertEquals(new Claim("arm-a", true), claim(store, "exp", "salt", "u1", candidate, null));
    assertTrue(store.peek("exp", "salt", "u1") == candidate, "the cached arm is the caller's string, not a copy");

    shared.call("SET", RedisKeys.sticky("exp", "salt", "u1"), "arm-b"); // no push: served stale meanwhile
    now.addAndGet(staleness.toNanos() / 2);
    assertEquals("arm-a", store.peek("exp", "salt", "u1"));
    assertEquals(new Claim("arm-a", false), claim(store, "exp", "salt", "u1", "arm-a", null), "from the cache");
    long claims = store.stats().claims();

    now.addAndGet(staleness.toNanos() / 2); // past every deadline
    assertNull(store.peek("exp", "salt", "u1"), "past its deadline the entry is not served");
    assertEquals(new Claim("arm-b", false), claim(store, "exp", "salt", "u1", "arm-a", null), "read from Redis");
    assertEquals(claims + 1, store.stats().claims());
    assertEquals("arm-b", store.peek("exp", "salt", "u1"), "and cached again with a new deadline");
  }

  @Test
  void keysGetTheTtlWhichIsRefreshedLazily() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    // without invalidations: PEXPIRE from outside stands in for Redis's clock moving, but is a change Redis would push
    RedisSettings settings = shortTtl();
    RedisStickyStore store = clocked(settings, now);
    String key = RedisKeys.sticky("exp", "salt", "user-1");

    claim(store, "exp", "salt", "user-1", "arm", null);
    long ttl = shared.callLong("PTTL", key);
    assertTrue(ttl > 55_000 && ttl <= 60_000, "PTTL after the first write: " + ttl);
    assertTrue(shared.callLong("TTL", key) > 55, "TTL in seconds");

    shared.call("PEXPIRE", key, "5000"); // as if 55 s had passed in Redis
    now.addAndGet(TimeUnit.SECONDS.toNanos(10));
    assertEquals("arm", store.peek("exp", "salt", "user-1"));
    sleep(200);
    assertTrue(shared.callLong("PTTL", key) <= 5_000, "no refresh before ttl / 2 has passed locally");

    now.addAndGet(TimeUnit.SECONDS.toNanos(21)); // 31 s after the write: past ttl / 2
    assertEquals("arm", store.peek("exp", "salt", "user-1"));
    Eventually.await(Duration.ofSeconds(2), () -> shared.callLong("PTTL", key) > 55_000,
        () -> "refreshed by a read past ttl / 2, PTTL " + shared.callLong("PTTL", key));

    shared.call("PEXPIRE", key, "5000");
    for (int i = 0; i < 100; i++) {
      store.peek("exp", "salt", "user-1");
    }
    sleep(200);
    assertTrue(shared.callLong("PTTL", key) <= 5_000, "at most one refresh per ttl / 2");

    // a claim from an instance without the unit in its cache re-arms a TTL below ttl / 2 inside the script ...
    RedisStickyStore other = connected(settings);
    assertEquals(new Claim("arm", false), claim(other, "exp", "salt", "user-1", "other", null));
    assertTrue(shared.callLong("PTTL", key) > 55_000, "refreshed by the claim script");
    // ... and leaves one above ttl / 2 alone
    shared.call("PEXPIRE", key, "40000");
    RedisStickyStore third = connected(settings);
    assertEquals(new Claim("arm", false), claim(third, "exp", "salt", "user-1", "other", null));
    assertTrue(shared.callLong("PTTL", key) <= 40_000, "not refreshed while more than ttl / 2 remains");
  }

  @Test
  void aUnitReadForManyTtlsIsReArmedOncePerHalfTtlEvenWhenTheStalenessIsLonger() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    RedisStickyStore store = clocked(shortTtl(), now);
    claim(store, "exp", "salt", "reader", "arm", null);
    long before = commandCalls("pexpire");
    for (int s = 1; s <= 600; s++) { // a read a second for ten minutes: ten ttls, all within the staleness
      now.addAndGet(TimeUnit.SECONDS.toNanos(1));
      assertEquals("arm", store.peek("exp", "salt", "reader"));
    }
    sleep(300);
    long refreshes = commandCalls("pexpire") - before;
    assertTrue(refreshes >= 19 && refreshes <= 21, "PEXPIRE per 30 s of reads over 600 s: " + refreshes);
  }

  /** Calls of one command since Redis started, from INFO commandstats. */
  private static long commandCalls(String command) {
    String info = (String) shared.call("INFO", "commandstats");
    for (String line : info.split("\r\n")) {
      if (line.startsWith("cmdstat_" + command + ":calls=")) {
        return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
      }
    }
    return 0;
  }

  @Test
  void startsWithoutRedisAndWritesQueuedClaimsWhenItArrives() {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    // Redis had an assignment for "known" before the outage; persist it so it survives stop/restart
    redis.call("SET", RedisKeys.sticky("exp", "salt", "known"), "redis-arm");
    redis.call("SAVE");
    redis.stop();

    RedisStickyStore store = store(RedisSettings.defaults(redis.uri()).withCommandTimeout(TIMEOUT)
        .withStartupGrace(Duration.ofHours(1)));
    long start = System.nanoTime();
    Claim known = claim(store, "exp", "salt", "known", "hashed", null);
    Claim fresh = claim(store, "exp", "salt", "fresh", "hashed", null);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(TIMEOUT.plus(MARGIN)) < 0, "claims without Redis took " + took);
    assertEquals(new Claim("hashed", true), known, "served the hashed arm meanwhile");
    assertEquals(new Claim("hashed", true), fresh);
    assertEquals("hashed", store.peek("exp", "salt", "known"), "kept locally meanwhile");
    assertFalse(store.healthy());
    assertFalse(store.started(), "never connected, within the startup grace");
    assertTrue(store.describe().contains(" connecting "), store.describe());
    assertTrue(store.describe().contains("pending writes=2/"), store.describe());
    assertEquals(2, store.pendingWrites());
    assertEquals(2, store.stats().queued());
    assertEquals(2, store.stats().provisionalAnswers());
    assertEquals(0, store.stats().timeouts(), "Redis was down, not slow");

    redis.restart();
    Duration ready = Eventually.await(Duration.ofSeconds(5), store::healthy, store::describe);
    Eventually.await(Duration.ofSeconds(5), () -> store.pendingWrites() == 0, store::describe);
    Eventually.await(Duration.ofSeconds(2), () -> "redis-arm".equals(store.peek("exp", "salt", "known")),
        () -> "the winner from Redis replaces the local arm: " + store.peek("exp", "salt", "known"));
    assertEquals("redis-arm", armIn(redis.call("GET", RedisKeys.sticky("exp", "salt", "known"))),
        "first write wins: Redis's earlier assignment stays");
    assertEquals("hashed", armIn(redis.call("GET", RedisKeys.sticky("exp", "salt", "fresh"))),
        "a unit Redis lacked keeps the arm it was served");
    assertEquals("hashed", store.peek("exp", "salt", "fresh"));
    assertTrue(redis.callLong("PTTL", RedisKeys.sticky("exp", "salt", "fresh")) > 0, "queued writes get a TTL");
    assertEquals(new Claim("redis-arm", false), claim(store, "exp", "salt", "known", "hashed", null));
    assertTrue(store.describe().contains(" up "), store.describe());
    assertTrue(store.started());
    assertTrue(ready.toMillis() < 5_000, "ready after " + ready);
  }

  @Test
  void redisKilledUnderSteadyClaimsFailsNoClaimAndReconnects() throws Exception {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    RedisStickyStore store = connected(RedisSettings.defaults(redis.uri()).withCommandTimeout(TIMEOUT));
    Map<String, String> warm = new ConcurrentHashMap<>();
    for (int u = 0; u < 200; u++) {
      String arm = "arm-" + (u % 3);
      assertEquals(new Claim(arm, true), claim(store, "exp", "salt", "warm-" + u, arm, null));
      warm.put("warm-" + u, arm);
    }

    // a steady stream: one warm and one new unit every 2 ms, the way the Assigner asks (peek, else claim)
    List<CompletableFuture<String>> served = new ArrayList<>();
    List<String> units = new ArrayList<>();
    AtomicLong worstNanos = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Map<String, String> servedWhileDown = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    boolean killed = false;
    boolean restarted = false;
    int i = 0;
    while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(3_000)) {
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (!killed && elapsedMs >= 700) {
        redis.stop();
        killed = true;
      }
      if (!restarted && elapsedMs >= 1_700) {
        redis.restart();
        restarted = true;
      }
      boolean down = killed && !restarted;
      for (String unit : List.of("warm-" + (i % 200), "new-" + i)) {
        long issued = System.nanoTime();
        String stored = store.peek("exp", "salt", unit);
        CompletableFuture<String> answer = stored != null ? CompletableFuture.completedFuture(stored)
            : store.claim("exp", "salt", unit, "arm-" + (i % 3), null).toCompletableFuture().thenApply(Claim::arm);
        answer.whenComplete((arm, e) -> {
          worstNanos.accumulateAndGet(System.nanoTime() - issued, Math::max);
          if (e != null) {
            failure.compareAndSet(null, e);
          } else if (down && unit.startsWith("new-")) {
            servedWhileDown.put(unit, arm);
          }
        });
        served.add(answer);
        units.add(unit);
      }
      i++;
      sleep(2);
    }
    CompletableFuture.allOf(served.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertNull(failure.get(), "no claim failed");
    Duration worst = Duration.ofNanos(worstNanos.get());
    assertTrue(worst.compareTo(TIMEOUT.plus(MARGIN)) < 0, "slowest answer " + worst);
    for (int k = 0; k < served.size(); k++) {
      String unit = units.get(k);
      if (unit.startsWith("warm-")) {
        assertEquals(warm.get(unit), served.get(k).join(), "cached " + unit + " keeps its arm");
      }
    }
    assertFalse(servedWhileDown.isEmpty(), "some claims were served while Redis was down");
    assertTrue(store.stats().queued() > 0, store.stats().toString());

    Eventually.await(Duration.ofSeconds(5), store::healthy, store::describe);
    assertTrue(store.stats().reconnects() >= 1, store.stats().toString());
    Eventually.await(Duration.ofSeconds(5), () -> store.pendingWrites() == 0, store::describe);
    Eventually.await(Duration.ofSeconds(5), () -> servedWhileDown.entrySet().stream().allMatch(e ->
            e.getValue().equals(armIn(redis.call("GET", RedisKeys.sticky("exp", "salt", e.getKey()))))),
        () -> "units served during the outage were written with the arm they were served");
    assertEquals(0, store.stats().dropped());
    // the restarted Redis lost every key: each cached unit, checked once invalidations are back on, writes its arm back
    Eventually.await(Duration.ofSeconds(5), store::tracking, store::describe);
    for (Map.Entry<String, String> e : warm.entrySet()) {
      assertEquals(e.getValue(), claim(store, "exp", "salt", e.getKey(), "other", null).arm(), e.getKey());
      assertEquals(e.getValue(), armIn(redis.call("GET", RedisKeys.sticky("exp", "salt", e.getKey()))), e.getKey());
    }
  }

  @Test
  void slowRedisDoesNotHoldClaimsBeyondTheTimeout() throws Exception {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    RedisStickyStore store = connected(RedisSettings.defaults(redis.uri()).withCommandTimeout(TIMEOUT));
    assertEquals(new Claim("arm-0", true), claim(store, "exp", "salt", "before", "arm-0", null));

    CompletableFuture<Void> awake = redis.debugSleep(Duration.ofSeconds(2));
    sleep(100);
    long worst = 0;
    List<String> units = new ArrayList<>();
    for (int u = 0; u < 20; u++) {
      String unit = "paused-" + u;
      long issued = System.nanoTime();
      Claim c = store.claim("exp", "salt", unit, "arm-" + (u % 3), null).toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      worst = Math.max(worst, System.nanoTime() - issued);
      assertEquals("arm-" + (u % 3), c.arm(), "served the candidate while Redis sleeps");
      units.add(unit);
      sleep(10);
    }
    assertFalse(awake.isDone(), "the claims ran while Redis was asleep");
    Duration slowest = Duration.ofNanos(worst);
    assertTrue(slowest.compareTo(TIMEOUT.plus(MARGIN)) < 0, "slowest claim during DEBUG SLEEP: " + slowest);
    assertTrue(store.stats().timeouts() >= 20, store.stats().toString());
    assertEquals(store.stats().timeouts(), store.stats().provisionalAnswers(), "each slow claim, nothing else");
    assertTrue(store.healthy(), "a slow Redis is still connected");

    awake.get(10, TimeUnit.SECONDS);
    // the delayed commands complete after the pause and write the arms that were served
    Eventually.await(Duration.ofSeconds(8), () -> units.stream().allMatch(unit ->
            armIn(redis.call("GET", RedisKeys.sticky("exp", "salt", unit))) != null),
        () -> "delayed first-writes reached Redis: " + store.describe());
    for (int u = 0; u < units.size(); u++) {
      assertEquals("arm-" + (u % 3), armIn(redis.call("GET", RedisKeys.sticky("exp", "salt", units.get(u)))));
    }
    assertEquals(new Claim("arm-1", true), claim(store, "exp", "salt", "after", "arm-1", null));
  }

  /**
   * The race of issue 16: instance A wins a new unit; B's claim for it takes longer than the command timeout (Redis
   * stopped with SIGSTOP right before), so B serves its hashed arm for now, then moves to A's arm when Redis answers.
   */
  @Test
  void aClaimSlowerThanTheCommandTimeoutIsAnsweredProvisionallyCountedAndOverruledByTheWinner() throws Exception {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    RedisSettings settings = RedisSettings.defaults(redis.uri()).withCommandTimeout(TIMEOUT);
    RedisStickyStore a = connected(settings);
    RedisStickyStore b = connected(settings);
    assertEquals(new Claim("arm-a", true), claim(a, "exp", "salt", "raced", "arm-a", null));

    redis.freeze();
    Claim raced;
    Claim fresh;
    try {
      raced = b.claim("exp", "salt", "raced", "arm-b", null).toCompletableFuture().get(5, TimeUnit.SECONDS);
      fresh = b.claim("exp", "salt", "fresh", "arm-b", null).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(new Claim("arm-b", true), new Claim(raced.arm(), raced.created()), "the hashed arm, for now");
      assertEquals(new Claim("arm-b", true), new Claim(fresh.arm(), fresh.created()));
      assertEquals(2, b.stats().provisionalAnswers(), b.stats().toString());
      assertEquals(2, b.stats().timeouts(), b.stats().toString());
      assertEquals(0, b.stats().overruled(), "Redis has not answered yet");
      assertEquals(2, b.provisionalAnswers());
      assertTrue(b.describe().contains("provisional answers=2 (timeouts=2, overruled=0)"), b.describe());
    } finally {
      redis.thaw();
    }

    Eventually.await(Duration.ofSeconds(5), () -> b.stats().overruled() == 1, b::describe);
    assertEquals("arm-a", b.peek("exp", "salt", "raced"), "the loser serves the winner's arm from now on");
    assertEquals("arm-b", b.peek("exp", "salt", "fresh"), "no one else claimed it: the provisional arm stands");
    assertEquals("arm-b", armIn(redis.call("GET", RedisKeys.sticky("exp", "salt", "fresh"))));
    assertEquals("arm-a", armIn(redis.call("GET", RedisKeys.sticky("exp", "salt", "raced"))));
    // replies come in order on the one connection: once this one is in, the frozen claims' replies were handled
    assertEquals(new Claim("probe", true), claim(b, "exp", "salt", "probe", "probe", null));
    assertEquals(1, b.stats().overruled(), b.stats().toString());
    assertEquals(0, a.stats().provisionalAnswers(), a.stats().toString());
    assertTrue(b.describe().contains("provisional answers=2 (timeouts=2, overruled=1)"), b.describe());
  }

  /** A unit served its hashed arm while Redis was down, which Redis had already assigned: drained, then overruled. */
  @Test
  void aQueuedClaimThatRedisAlreadyDecidedCountsAsOverruled() {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    redis.call("SET", RedisKeys.sticky("exp", "salt", "known"), "redis-arm");
    redis.call("SAVE");
    redis.stop();
    RedisStickyStore store = store(RedisSettings.defaults(redis.uri()).withCommandTimeout(TIMEOUT));
    assertEquals(new Claim("hashed", true), claim(store, "exp", "salt", "known", "hashed", null));
    assertEquals(new Claim("hashed", true), claim(store, "exp", "salt", "fresh", "hashed", null));
    assertEquals(2, store.stats().provisionalAnswers());

    redis.restart();
    Eventually.await(Duration.ofSeconds(5), () -> "redis-arm".equals(store.peek("exp", "salt", "known"))
        && "hashed".equals(armIn(redis.call("GET", RedisKeys.sticky("exp", "salt", "fresh")))), store::describe);
    // replies come in order on the one connection: once this one is in, both queued claims' replies were handled
    assertEquals(new Claim("probe", true), claim(store, "exp", "salt", "probe", "probe", null));
    assertEquals(1, store.stats().overruled(), store.stats().toString());
    assertEquals(0, store.stats().timeouts(), store.stats().toString());
  }

  @Test
  void startedOnceTheStartupGracePassesOnItsClockWithoutRedis() {
    int port = RedisServerProcess.freePort();
    AtomicLong now = new AtomicLong(1_000_000_000L);
    RedisStickyStore store = new RedisStickyStore(RedisSettings.defaults("redis://127.0.0.1:" + port)
        .withCommandTimeout(TIMEOUT).withStartupGrace(Duration.ofSeconds(10)), now::get);
    closeables.add(store);
    assertFalse(store.started());
    now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
    assertFalse(store.started(), "a nanosecond before the grace ends");
    assertTrue(store.describe().contains(" connecting "), store.describe());
    now.incrementAndGet();
    assertTrue(store.started(), "the grace has passed");
    assertFalse(store.healthy());
    assertTrue(store.describe().contains(" down "), store.describe());

    redis(RedisServerProcess.start(port));
    Eventually.await(Duration.ofSeconds(5), store::healthy, store::describe);
    assertTrue(store.started());
  }

  @Test
  void startedAsSoonAsRedisConnectsWithinTheGrace() {
    AtomicLong now = new AtomicLong();
    RedisStickyStore store = clocked(RedisSettings.defaults(shared.uri()).withStartupGrace(Duration.ofHours(1)), now);
    assertTrue(store.started(), "connected, with the store's clock still at its start");
    shared.call("CLIENT", "KILL", "TYPE", "normal");
    Eventually.await(Duration.ofSeconds(5), () -> !store.healthy() || store.stats().reconnects() > 0,
        store::describe);
    assertTrue(store.started(), "a lost connection does not make a store start again");
  }

  @Test
  void aZeroStartupGraceMeansStartedAtOnce() {
    RedisStickyStore store = store(RedisSettings.defaults("redis://127.0.0.1:" + RedisServerProcess.freePort())
        .withStartupGrace(Duration.ZERO));
    assertTrue(store.started());
    assertFalse(store.healthy());
  }

  @Test
  void theOutageQueueIsBoundedAndCountsWhatItDrops() {
    int port = RedisServerProcess.freePort();
    RedisStickyStore store = store(new RedisSettings("redis://127.0.0.1:" + port, Duration.ofHours(1), 10_000,
        Duration.ofMinutes(5), TIMEOUT, 100, true, Duration.ZERO));
    for (int u = 0; u < 150; u++) {
      assertEquals(new Claim("arm", true), claim(store, "exp", "salt", "user-" + u, "arm", null));
    }
    assertEquals(new Claim("arm", false), claim(store, "exp", "salt", "user-0", "other", null),
        "a unit served during the outage keeps its arm locally");
    assertEquals(100, store.pendingWrites());
    assertEquals(100, store.stats().queued());
    assertEquals(50, store.stats().dropped());
    assertTrue(store.describe().contains("pending writes=100/100, dropped=50"), store.describe());

    RedisServerProcess redis = redis(RedisServerProcess.start(port));
    Eventually.await(Duration.ofSeconds(5), store::healthy, store::describe);
    Eventually.await(Duration.ofSeconds(5), () -> store.pendingWrites() == 0, store::describe);
    Eventually.await(Duration.ofSeconds(2), () -> redis.callLong("DBSIZE") == 100,
        () -> "keys written: " + redis.callLong("DBSIZE"));
    assertEquals(0, store.stats().reconnects(), "a first connection is not a reconnect");
  }

  @Test
  void closesQuicklyWhenRedisNeverCameAndAnswersLocallyAfterwards() {
    RedisStickyStore store = new RedisStickyStore(
        RedisSettings.defaults("redis://127.0.0.1:" + RedisServerProcess.freePort()).withCommandTimeout(TIMEOUT));
    assertEquals(new Claim("arm", true), claim(store, "exp", "salt", "user-1", "arm", null));
    long start = System.nanoTime();
    store.close();
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMs < 3_000, "close took " + tookMs + " ms");
    assertFalse(store.healthy());
    assertEquals(new Claim("other", true), claim(store, "exp", "salt", "user-2", "other", null));
    store.close(); // idempotent
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
