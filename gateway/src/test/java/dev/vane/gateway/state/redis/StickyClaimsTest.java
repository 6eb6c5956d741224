package dev.vane.gateway.state.redis;

import static dev.vane.gateway.state.StickyStoreContract.armIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.gateway.state.redis.StickyCache.CacheKey;
import dev.vane.router.StickyStore.Claim;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store's claims against real redis-server processes, through {@link StickyClaims}' own API: Redis's verdict,
 * local answers when Redis is down or stalled past the command timeout, and the outage queue.
 */
class StickyClaimsTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicBoolean drainOn = new AtomicBoolean(true);
  private StickyCache cache;
  private StickyConnection link;
  private StickyClaims claims;

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

  /** Claims on a started link; the outage queue drains while Redis is up and {@link #drainOn} is set. */
  private void start(RedisSettings settings) {
    cache = new StickyCache(settings.cacheSize(), settings.cacheStaleness(), settings.ttl(), System::nanoTime);
    link = new StickyConnection(settings, cache, System::nanoTime);
    closeables.add(link::close);
    claims = new StickyClaims(settings, cache, link, System::currentTimeMillis);
    link.start(() -> {
      if (drainOn.get()) {
        claims.drain();
      }
    });
  }

  private static RedisSettings settings(String uri) {
    return RedisSettings.defaults(uri).withCommandTimeout(Duration.ofSeconds(5)).withInvalidations(false);
  }

  private Claim claim(String key, String proposed, String replaceable) throws Exception {
    Claim c = claims.claim(key, CacheKey.of(key), proposed, replaceable).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    return new Claim(c.arm(), c.created()); // the arm and whether it was created; first exposures: ClaimScriptTest
  }

  /** The arm cached for {@code key}, or null; and whether it is provisional. */
  private String cachedArm(String key) {
    long entry = cache.live(CacheKey.of(key), System.nanoTime());
    return entry == 0 ? null : cache.arm(entry) + (StickyCache.provisional(entry) ? " (provisional)" : "");
  }

  private String counters() {
    return "claims=" + claims.claims() + " provisional=" + claims.provisionalAnswers() + " timeouts="
        + claims.timeouts() + " overruled=" + claims.overruled() + " queued=" + claims.queued() + " dropped="
        + claims.dropped() + " pending=" + claims.pendingWrites() + " lastError=" + link.lastError();
  }

  @Test
  void aClaimIsAnsweredByRedisWithTheFirstWriteAndCachedAsConfirmed() throws Exception {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    start(settings(redis.uri()));
    Eventually.await(WAIT, link::healthy, this::counters);

    assertEquals(new Claim("a", true), claim("k1", "a", null));
    assertEquals(new Claim("a", false), claim("k1", "b", null), "the first write wins");
    assertEquals(new Claim("c", true), claim("k1", "c", "a"), "a replaceable arm is overwritten");
    assertEquals("c", armIn(redis.call("GET", "k1")));
    assertEquals("c", cachedArm("k1"));
    assertEquals(3, claims.claims(), counters());
    assertEquals(0, claims.provisionalAnswers() + claims.queued() + claims.dropped(), counters());
  }

  @Test
  void aClaimWhileRedisIsDownIsAnsweredLocallyProvisionallyAndQueued() throws Exception {
    start(settings("redis://127.0.0.1:" + RedisServerProcess.freePort()));
    assertFalse(link.healthy());

    assertEquals(new Claim("a", true), claim("k1", "a", null));
    assertEquals(new Claim("a", false), claim("k1", "b", null), "the provisional answer stands for the unit");
    assertEquals("a (provisional)", cachedArm("k1"));
    assertEquals(2, claims.provisionalAnswers(), counters());
    assertEquals(1, claims.queued(), "one pending first-write per key: " + counters());
    assertEquals(1, claims.pendingWrites(), counters());
    assertEquals(0, claims.claims() + claims.timeouts() + claims.dropped(), counters());
  }

  @Test
  void aClaimAFrozenRedisDoesNotAnswerWithinTheCommandTimeoutIsAnsweredLocallyThenOverruledByRedis()
      throws Exception {
    RedisServerProcess redis = redis(RedisServerProcess.start());
    start(settings(redis.uri()).withCommandTimeout(Duration.ofMillis(200)));
    Eventually.await(WAIT, link::healthy, this::counters);
    redis.call("SET", "k1", "b"); // another instance's earlier assignment

    redis.freeze();
    Claim local;
    try {
      local = claim("k1", "a", null);
      assertEquals("a (provisional)", cachedArm("k1"));
      assertEquals(1, claims.timeouts(), counters());
      assertEquals(1, claims.provisionalAnswers(), counters());
    } finally {
      redis.thaw();
    }
    assertEquals(new Claim("a", true), local, "answered locally with the proposed arm");
    Eventually.await(WAIT, () -> claims.overruled() == 1, this::counters);
    assertEquals("b", cachedArm("k1"), "Redis's winner replaces the provisional entry");
    assertEquals(1, claims.claims(), counters());
    assertEquals(0, claims.queued() + claims.dropped(), "the command succeeded late: " + counters());
  }

  @Test
  void theOutageQueueHoldsAtMostMaxPendingWritesAndDropsAndCountsTheRest() throws Exception {
    start(settings("redis://127.0.0.1:" + RedisServerProcess.freePort()).withMaxPendingWrites(3));

    for (int u = 0; u < 5; u++) {
      assertEquals(new Claim("a", true), claim("k" + u, "a", null), "answered locally even when not queued");
    }
    claim("k0", "b", null); // a key already queued costs no slot and is no drop
    assertEquals(3, claims.pendingWrites(), counters());
    assertEquals(3, claims.queued(), counters());
    assertEquals(2, claims.dropped(), counters());
    assertEquals(6, claims.provisionalAnswers(), counters());
  }

  @Test
  void theOutageQueueDrainsOnceRedisIsUpAndTheFirstWriteWins() throws Exception {
    int port = RedisServerProcess.freePort();
    drainOn.set(false);
    start(settings("redis://127.0.0.1:" + port));
    assertEquals(new Claim("a", true), claim("k1", "a", null));
    assertEquals(new Claim("a", true), claim("k2", "a", null));
    assertEquals(2, claims.pendingWrites(), counters());

    RedisServerProcess redis = redis(RedisServerProcess.start(port));
    redis.call("SET", "k2", "b"); // written by another instance before this one's queue drains
    Eventually.await(WAIT, link::healthy, this::counters);
    assertEquals(2, claims.pendingWrites(), "held until the drain runs: " + counters());
    drainOn.set(true);

    Eventually.await(WAIT, () -> claims.pendingWrites() == 0 && claims.claims() == 2, this::counters);
    Eventually.await(WAIT, () -> "b".equals(cachedArm("k2")), this::counters);
    assertEquals("a", armIn(redis.call("GET", "k1")), "no earlier assignment: the provisional arm is kept");
    assertEquals("b", armIn(redis.call("GET", "k2")), "Redis's earlier assignment wins");
    assertEquals("a", cachedArm("k1"));
    assertEquals(1, claims.overruled(), counters());
    assertEquals(0, claims.dropped(), counters());
    assertTrue(redis.callLong("PTTL", "k1") > 0, "written with the TTL");
  }
}
