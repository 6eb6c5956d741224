package dev.vane.gateway.state.redis;

import dev.vane.config.Redaction;
import dev.vane.config.StateSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link RedisStickyStore}.
 *
 * @param uri              {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://…} for TLS, a
 *                         {@code redis[s]-sentinel://…#master} or a {@code redis[s]-cluster://host:port,…} URI
 *                         ({@link RedisTopology})
 * @param ttl              how long an assignment lives in Redis after it was written or last refreshed; refreshed
 *                         lazily, at most once per {@code ttl / 2} per unit, and only while the unit is active
 * @param cacheSize        maximum number of assignments held in the local cache
 * @param cacheStaleness   how long an instance may serve a locally cached assignment without asking Redis again:
 *                         with invalidations, the safety net; without, the bound on serving an assignment that
 *                         another instance or an operator changed in Redis
 * @param commandTimeout   how long a claim waits for Redis before it is answered with the caller's candidate
 * @param maxPendingWrites maximum number of first-writes kept for Redis while it is unreachable; excess is dropped
 *                         and counted
 * @param invalidations    whether Redis is asked to push the names of changed keys (CLIENT TRACKING, Redis 6+), so a
 *                         change reaches the local cache within a round trip
 * @param startupGrace     how long after its creation the store says it is still starting (not {@code started()})
 *                         while it has not connected to Redis yet; 0 for no starting phase
 */
public record RedisSettings(String uri, Duration ttl, long cacheSize, Duration cacheStaleness, Duration commandTimeout,
    int maxPendingWrites, boolean invalidations, Duration startupGrace) {

  public RedisSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(cacheStaleness, "cacheStaleness");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(startupGrace, "startupGrace");
    if (uri.isBlank()) {
      throw new IllegalArgumentException("uri: \"" + uri + "\" (expected: redis://host:port or rediss://host:port)");
    }
    RedisTopology.parse(uri); // its message shows the URI redacted: Lettuce's echoes the password
    if (ttl.toMillis() <= 0) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: >= 1 ms)");
    }
    if (cacheSize <= 0) {
      throw new IllegalArgumentException("cacheSize: " + cacheSize + " (expected: > 0)");
    }
    if (cacheStaleness.isNegative() || cacheStaleness.isZero()) {
      throw new IllegalArgumentException("cacheStaleness: " + cacheStaleness + " (expected: > 0)");
    }
    if (commandTimeout.isNegative() || commandTimeout.isZero()) {
      throw new IllegalArgumentException("commandTimeout: " + commandTimeout + " (expected: > 0)");
    }
    if (maxPendingWrites < 0) {
      throw new IllegalArgumentException("maxPendingWrites: " + maxPendingWrites + " (expected: >= 0)");
    }
    if (startupGrace.isNegative()) {
      throw new IllegalArgumentException("startupGrace: " + startupGrace + " (expected: >= 0)");
    }
  }

  /**
   * Settings for {@code uri} with the defaults production runs with: those of {@code state} and
   * {@code state.redis} in {@code vane.schema.json} (through {@link StateSettings}), the config's one source of them.
   */
  public static RedisSettings defaults(String uri) {
    return of(StateSettings.defaults().ttl(), StateSettings.Redis.defaults(uri));
  }

  /** The settings of a config's {@code state.redis} section, with the assignment {@code ttl} of its state. */
  public static RedisSettings of(Duration ttl, StateSettings.Redis r) {
    return new RedisSettings(r.uri(), ttl, r.cacheSize(), r.cacheStaleness(), r.commandTimeout(),
        r.maxPendingWrites(), r.invalidations(), r.startupGrace());
  }

  public RedisSettings withTtl(Duration value) {
    return new RedisSettings(uri, value, cacheSize, cacheStaleness, commandTimeout, maxPendingWrites, invalidations,
        startupGrace);
  }

  public RedisSettings withCacheSize(long value) {
    return new RedisSettings(uri, ttl, value, cacheStaleness, commandTimeout, maxPendingWrites, invalidations,
        startupGrace);
  }

  public RedisSettings withCacheStaleness(Duration value) {
    return new RedisSettings(uri, ttl, cacheSize, value, commandTimeout, maxPendingWrites, invalidations,
        startupGrace);
  }

  public RedisSettings withCommandTimeout(Duration value) {
    return new RedisSettings(uri, ttl, cacheSize, cacheStaleness, value, maxPendingWrites, invalidations,
        startupGrace);
  }

  public RedisSettings withMaxPendingWrites(int value) {
    return new RedisSettings(uri, ttl, cacheSize, cacheStaleness, commandTimeout, value, invalidations,
        startupGrace);
  }

  /** Whether the store asks Redis to push invalidations of changed keys (CLIENT TRACKING). */
  public RedisSettings withInvalidations(boolean value) {
    return new RedisSettings(uri, ttl, cacheSize, cacheStaleness, commandTimeout, maxPendingWrites, value,
        startupGrace);
  }

  public RedisSettings withStartupGrace(Duration value) {
    return new RedisSettings(uri, ttl, cacheSize, cacheStaleness, commandTimeout, maxPendingWrites, invalidations,
        value);
  }

  /** The URI without its password, for logs and {@code /readyz}. */
  public String redactedUri() {
    return Redaction.uri(uri);
  }

  @Override
  public String toString() {
    return "RedisSettings[uri=" + redactedUri() + ", ttl=" + ttl + ", cacheSize=" + cacheSize + ", cacheStaleness="
        + cacheStaleness + ", commandTimeout=" + commandTimeout + ", maxPendingWrites=" + maxPendingWrites + ", invalidations=" + invalidations
        + ", startupGrace=" + startupGrace + "]";
  }
}
