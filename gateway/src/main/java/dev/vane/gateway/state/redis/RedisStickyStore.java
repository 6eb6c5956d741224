package dev.vane.gateway.state.redis;

import dev.vane.gateway.state.redis.StickyCache.CacheKey;
import dev.vane.router.StickyStore;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Sticky assignments shared by several gateway instances through Redis (Lettuce), with a bounded local cache in
 * front and a gateway that keeps serving when Redis does not. This class answers from the cache and hands the rest
 * to its parts:
 * <ul>
 *   <li>{@link StickyCache}: a unit's arm as Redis last told it, or as this instance answered provisionally, for at
 *       most {@link RedisSettings#cacheStaleness()}; a warm unit costs no Redis round trip.</li>
 *   <li>{@link StickyClaims}: first write wins in Redis ({@link ClaimScript}), a local answer when Redis is down or
 *       late (a <i>provisional answer</i>), the outage queue drained once Redis is back, and the lazy TTL refresh.</li>
 *   <li>{@link StickyConnection}: connecting in the background, readiness ({@link #started()} once connected or after
 *       {@link RedisSettings#startupGrace()}), CLIENT TRACKING invalidations, and re-checking cached entries with
 *       Redis after a reconnect.</li>
 * </ul>
 *
 * <p><b>Key layout.</b> One string key per unit, {@link RedisKeys#sticky}, whose value is the arm id and which
 * expires {@link RedisSettings#ttl()} after it was written or last refreshed.
 *
 * <p><b>Threading.</b> All methods may be called from any thread and none blocks, except {@link #close()}.
 * {@link #peek} answers from the local cache (it may fire an asynchronous PEXPIRE). The stage returned by
 * {@link #claim} completes on the calling thread when it is answered locally, on a Lettuce I/O thread when Redis
 * answers, or on this store's timer thread ({@code vane-redis-sticky}) on timeout: callers on a Vert.x event loop
 * must hop back to their context (e.g. {@code Future.fromCompletionStage(stage, context)}) and must not block in
 * continuations. Commands share one connection and are pipelined: each is written without waiting for earlier
 * replies.
 */
public final class RedisStickyStore implements StickyStore {
  private final RedisSettings settings;
  private final LongSupplier nanoClock;
  private final StickyCache cache;
  private final StickyConnection connection;
  private final StickyClaims claims;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /** A store with the system nanosecond clock; connects in the background and returns at once. */
  public RedisStickyStore(RedisSettings settings) {
    this(settings, System::nanoTime);
  }

  /**
   * A store whose local cache expiry and TTL refresh bookkeeping read {@code nanoClock} (for tests); Redis's own
   * TTLs run on Redis's clock. Connects in the background and returns at once.
   */
  public RedisStickyStore(RedisSettings settings, LongSupplier nanoClock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.cache = new StickyCache(settings.cacheSize(), settings.cacheStaleness(), settings.ttl(), nanoClock);
    this.connection = new StickyConnection(settings, cache, nanoClock);
    this.claims = new StickyClaims(settings, cache, connection);
    connection.start(claims::drain);
  }

  @Override
  public String peek(String experiment, String salt, String unit) {
    long now = nanoClock.getAsLong();
    CacheKey ck = CacheKey.of(experiment, salt, unit);
    long entry = cache.live(ck, now);
    if (entry == 0) {
      misses.increment();
      return null;
    }
    if (cache.toVerify(entry)) {
      misses.increment(); // to be checked with Redis after a reconnect: the caller claims, with this arm
      return null;
    }
    hits.increment();
    if (!StickyCache.provisional(entry) && cache.refreshDue(entry, now)) {
      claims.refreshTtl(RedisKeys.sticky(experiment, salt, unit), ck, entry, now);
    }
    return cache.arm(entry);
  }

  @Override
  public CompletionStage<Claim> claim(String experiment, String salt, String unit, String candidate,
      String replaceable) {
    Objects.requireNonNull(candidate, "candidate");
    String key = RedisKeys.sticky(experiment, salt, unit);
    CacheKey ck = CacheKey.of(experiment, salt, unit);
    long cached = cache.live(ck, nanoClock.getAsLong());
    String cachedArm = cached == 0 ? null : cache.arm(cached);
    boolean verifying = false;
    if (cachedArm != null && !cachedArm.equals(replaceable)) {
      if (!cache.toVerify(cached)) {
        hits.increment();
        return CompletableFuture.completedFuture(new Claim(cachedArm, false));
      }
      verifying = true;
    }
    // cached before a reconnect: Redis's arm wins, and where Redis lost the key it gets the cached arm back
    return claims.claim(key, ck, verifying ? cachedArm : candidate, replaceable);
  }

  /**
   * True once the first connection to Redis succeeded (whatever happened to it since), or once
   * {@link RedisSettings#startupGrace()} has passed on this store's clock since it was created.
   */
  @Override
  public boolean started() {
    return connection.started();
  }

  /** True while the connection to Redis is established and usable. */
  @Override
  public boolean healthy() {
    return connection.healthy();
  }

  /** Whether Redis currently pushes invalidations to this store (tracking on for the live connection). */
  public boolean tracking() {
    return connection.tracking();
  }

  /** Keys dropped from the local cache because Redis said they changed, since this store was created. */
  public long invalidations() {
    return connection.invalidations();
  }

  @Override
  public String describe() {
    boolean up = healthy();
    StringBuilder sb = new StringBuilder("redis ").append(settings.redactedUri())
        .append(up ? " up" : started() ? " down" : " connecting")
        .append(" (pending writes=").append(claims.pendingWrites()).append('/').append(settings.maxPendingWrites())
        .append(", dropped=").append(claims.dropped())
        .append(", provisional answers=").append(claims.provisionalAnswers())
        .append(" (timeouts=").append(claims.timeouts()).append(", overruled=").append(claims.overruled())
        .append(')')
        .append(", cached=").append(cache.size())
        .append(", invalidations=")
        .append(tracking() ? "on" : connection.trackingRefused() ? "refused by Redis" : "off")
        .append(", staleness=").append(settings.cacheStaleness())
        .append(", ttl=").append(settings.ttl());
    String error = connection.lastError();
    if (!up && error != null) {
      sb.append(", last error: ").append(error);
    }
    return sb.append(')').toString();
  }

  /** Counters since this store was created. */
  public RedisStoreStats stats() {
    return new RedisStoreStats(hits.sum(), misses.sum(), claims.claims(), claims.provisionalAnswers(),
        claims.timeouts(), claims.overruled(), claims.queued(), claims.dropped(), connection.reconnects());
  }

  /** {@link RedisStoreStats#provisionalAnswers()}: claims answered without Redis's verdict since creation. */
  @Override
  public long provisionalAnswers() {
    return claims.provisionalAnswers();
  }

  /** Number of first-writes queued for Redis now, at most {@link RedisSettings#maxPendingWrites()}. */
  public int pendingWrites() {
    return claims.pendingWrites();
  }

  /**
   * Number of units in the local cache; entries past their staleness deadline or dropped by an invalidation count
   * until their generation goes, and a unit carried into a newer generation may count twice meanwhile.
   */
  public long cacheSize() {
    return cache.size();
  }

  public RedisSettings settings() {
    return settings;
  }

  /**
   * Closes the connection and releases the client's threads; blocks for up to a few seconds, so call it from a
   * worker or shutdown thread, not an event loop. Queued first-writes not yet written are lost.
   */
  @Override
  public void close() {
    if (connection.closed()) {
      return;
    }
    connection.close();
    claims.closed();
  }
}
