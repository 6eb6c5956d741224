package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.gateway.state.redis.StickyCache.CacheKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store's link to real redis-server processes, through {@link StickyConnection}'s own API: readiness, CLIENT
 * TRACKING invalidations reaching the cache, and the re-check of cached entries after a reconnect.
 */
class StickyConnectionTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private StickyCache cache;
  private StickyConnection link;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private RedisServerProcess redis(RedisServerProcess process) {
    closeables.add(process);
    return process;
  }

  private void start(RedisSettings settings, LongSupplier clock) {
    cache = new StickyCache(settings.cacheSize(), settings.cacheStaleness(), settings.ttl(), clock);
    link = new StickyConnection(settings, cache, clock);
    closeables.add(link::close);
    link.start(() -> {});
  }

  private String state() {
    return "started=" + link.started() + " healthy=" + link.healthy() + " tracking=" + link.tracking()
        + " refused=" + link.trackingRefused() + " invalidations=" + link.invalidations() + " reconnects="
        + link.reconnects() + " lastError=" + link.lastError();
  }

  /** Caches {@code arm} for {@code key} as confirmed by Redis, and reads the key on the link so Redis tracks it. */
  private long cacheAndTrack(String key, String arm) throws Exception {
    long entry = cache.confirmed(arm, -1, arm, null);
    cache.put(CacheKey.of(key), entry);
    assertEquals(arm, link.usable().commands().get(key).toCompletableFuture().get(10, TimeUnit.SECONDS));
    return entry;
  }

  private boolean cached(String key) {
    return cache.live(CacheKey.of(key), System.nanoTime()) != 0;
  }

  @Test
  void notStartedBeforeTheFirstConnectAndStartedAfterItEvenOnceTheLinkIsLost() {
    int port = RedisServerProcess.freePort();
    start(RedisSettings.defaults("redis://127.0.0.1:" + port).withStartupGrace(Duration.ofHours(1)),
        System::nanoTime);
    Eventually.await(WAIT, () -> link.lastError() != null, this::state);
    assertFalse(link.started(), state());
    assertFalse(link.healthy(), state());

    RedisServerProcess redis = redis(RedisServerProcess.start(port));
    Eventually.await(WAIT, link::healthy, this::state);
    assertTrue(link.started(), state());

    redis.stop();
    Eventually.await(WAIT, () -> !link.healthy(), this::state);
    assertTrue(link.started(), "started stays true once connected: " + state());
  }

  @Test
  void startedOnceTheStartupGraceHasPassedOnItsClockWithoutAConnection() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    start(RedisSettings.defaults("redis://127.0.0.1:" + RedisServerProcess.freePort())
        .withStartupGrace(Duration.ofSeconds(5)), now::get);
    now.addAndGet(Duration.ofSeconds(5).toNanos() - 1);
    assertFalse(link.started(), state());
    now.addAndGet(1);
    assertTrue(link.started(), state());
    assertFalse(link.healthy(), state());
  }

  @Test
  void aZeroStartupGraceMeansStartedAtOnce() {
    start(RedisSettings.defaults("redis://127.0.0.1:" + RedisServerProcess.freePort())
        .withStartupGrace(Duration.ZERO), System::nanoTime);
    assertTrue(link.started(), state());
  }

  @Test
  void aKeyAnotherClientChangesIsDroppedFromTheCache() throws Exception {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    start(RedisSettings.defaults(redis.uri()), System::nanoTime);
    Eventually.await(WAIT, link::tracking, this::state);
    redis.call("SET", "k1", "a");
    redis.call("SET", "k2", "a");
    cacheAndTrack("k1", "a");
    cacheAndTrack("k2", "a");

    redis.call("SET", "k1", "b");
    Eventually.await(WAIT, () -> !cached("k1"), this::state);
    assertEquals(1, link.invalidations(), state());
    assertTrue(cached("k2"), "an unchanged key stays cached");

    redis.call("FLUSHALL");
    Eventually.await(WAIT, () -> !cached("k2"), this::state);
    assertEquals(2, link.invalidations(), "a flush counts once: " + state());
  }

  @Test
  void withoutInvalidationsTrackingStaysOffAndChangesAreNotPushed() throws Exception {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    start(RedisSettings.defaults(redis.uri()).withInvalidations(false), System::nanoTime);
    Eventually.await(WAIT, link::healthy, this::state);
    redis.call("SET", "k1", "a");
    cacheAndTrack("k1", "a");
    redis.call("SET", "k1", "b");
    assertEquals("b", link.usable().commands().get("k1").toCompletableFuture().get(10, TimeUnit.SECONDS),
        "a round trip after the change: a push would have arrived before this reply");
    assertTrue(cached("k1"), state());
    assertFalse(link.tracking(), state());
    assertEquals(0, link.invalidations(), state());
  }

  @Test
  void afterAReconnectTrackingIsOnAgainAndConfirmedEntriesAreToBeVerified() throws Exception {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    start(RedisSettings.defaults(redis.uri()), System::nanoTime);
    Eventually.await(WAIT, link::tracking, this::state);
    redis.call("SET", "k1", "a");
    long before = cacheAndTrack("k1", "a");
    long provisional = cache.live(CacheKey.of("p1"), System.nanoTime());
    assertEquals(0, provisional);
    cache.provisional(CacheKey.of("p1"), "a", null, System.currentTimeMillis());
    assertFalse(cache.toVerify(before), "confirmed since the last connect");

    redis.stop();
    Eventually.await(WAIT, () -> !link.healthy() && !link.tracking(), this::state);
    redis.restart();
    Eventually.await(WAIT, () -> link.tracking() && link.reconnects() == 1, this::state);

    assertTrue(cache.toVerify(before), "invalidations sent while down are lost: re-check with Redis");
    long p1 = cache.live(CacheKey.of("p1"), System.nanoTime());
    assertNotEquals(0, p1);
    assertFalse(cache.toVerify(p1), "provisional entries wait for their queued write");

    // tracking works on the new connection
    redis.call("SET", "k2", "a");
    cacheAndTrack("k2", "a");
    redis.call("SET", "k2", "b");
    Eventually.await(WAIT, () -> !cached("k2"), this::state);
  }
}
