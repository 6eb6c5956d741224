package dev.vane.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;

/**
 * Where sticky assignments and figures live.
 *
 * @param store            {@code memory} or {@code redis}
 * @param memoryMaxEntries bound of the in-memory sticky store
 * @param ttl              assignments expire this long after a unit's last request
 * @param redis            Redis settings when {@code store} is {@code redis}, else null
 */
public record StateSettings(String store, long memoryMaxEntries, Duration ttl, Redis redis) {

  /** The settings of a config without a {@code state} section (memory): the defaults of {@code vane.schema.json}. */
  public static StateSettings defaults() {
    return ConfigAssembly.state(ConfigAssembly.bind(ConfigSchema.get().defaults("/properties/state",
        ConfigSpec.MAPPER.createObjectNode()), ConfigSpec.State.class));
  }

  public boolean isRedis() {
    return "redis".equals(store);
  }

  /**
   * @param uri              redis:// or rediss:// URI, with password if needed
   * @param cacheSize        local assignment cache entries
   * @param cacheStaleness   how long a locally cached assignment is served without re-reading Redis
   * @param commandTimeout   a request never waits on Redis longer than this
   * @param maxPendingWrites writes queued while Redis is unreachable; excess dropped and counted
   * @param flushInterval    how often figures are flushed to Redis
   * @param invalidations    whether Redis pushes the names of changed assignment keys to the local cache
   * @param startupGrace     how long after start {@code /readyz} answers 503 {@code starting} while Redis has not
   *                         been connected yet; after it, 200 {@code degraded} until Redis connects
   */
  public record Redis(String uri, long cacheSize, Duration cacheStaleness, Duration commandTimeout,
      int maxPendingWrites, Duration flushInterval, boolean invalidations, Duration startupGrace) {

    /**
     * The settings of {@code state: { redis: { uri: ... } }}: {@code uri} (not checked here) with the defaults of
     * {@code vane.schema.json}, what production runs with unless the file says otherwise.
     */
    public static Redis defaults(String uri) {
      ObjectNode section = ConfigSpec.MAPPER.createObjectNode().put("uri", uri);
      return ConfigAssembly.redis(ConfigAssembly.bind(
          ConfigSchema.get().defaults("/properties/state/properties/redis", section), ConfigSpec.Redis.class));
    }

    @Override
    public String toString() {
      return "Redis[uri=" + Redaction.uri(uri) + ", cacheSize=" + cacheSize + ", cacheStaleness=" + cacheStaleness
          + ", commandTimeout=" + commandTimeout + ", maxPendingWrites=" + maxPendingWrites + ", flushInterval="
          + flushInterval + ", invalidations=" + invalidations + ", startupGrace=" + startupGrace + "]";
    }
  }
}
