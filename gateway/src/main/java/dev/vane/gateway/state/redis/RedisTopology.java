package dev.vane.gateway.state.redis;

import dev.vane.config.Redaction;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import java.net.URI;
import java.util.List;

/**
 * What a configured Redis URI names, as Lettuce's clients take it: one server ({@code redis://}, {@code rediss://},
 * {@code redis-socket://}), a Sentinel-managed primary ({@code redis-sentinel://}, {@code rediss-sentinel://}:
 * Lettuce's own scheme, read by {@link RedisURI#create}, the standalone client asking the sentinels for the master
 * on every connect), or a Redis Cluster ({@code redis-cluster://}, {@code rediss-cluster://}: Vane's scheme, the
 * comma-separated seed nodes Lettuce's cluster client starts from; user info, TLS and the timeout apply to every
 * node).
 *
 * @param kind  which of the three
 * @param nodes the one {@link RedisURI} of a server or Sentinel setup; a cluster's seed nodes
 */
record RedisTopology(Kind kind, List<RedisURI> nodes) {
  enum Kind { STANDALONE, SENTINEL, CLUSTER }

  private static final String CLUSTER = "redis-cluster://";
  private static final String CLUSTER_TLS = "rediss-cluster://";

  /** Parses {@code uri}; fails with a message that shows it redacted (Lettuce's own messages echo passwords). */
  static RedisTopology parse(String uri) {
    try {
      if (uri.startsWith(CLUSTER) || uri.startsWith(CLUSTER_TLS)) {
        String plain = (uri.startsWith(CLUSTER) ? "redis://" : "rediss://")
            + uri.substring(uri.indexOf("://") + 3);
        if (RedisURI.create(plain).getDatabase() != 0) {
          throw new IllegalArgumentException("a Redis Cluster has only database 0");
        }
        List<RedisURI> seeds = RedisClusterURIUtil.toRedisURIs(URI.create(plain));
        return new RedisTopology(Kind.CLUSTER, List.copyOf(seeds));
      }
      RedisURI one = RedisURI.create(uri);
      return new RedisTopology(one.getSentinels().isEmpty() ? Kind.STANDALONE : Kind.SENTINEL, List.of(one));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("uri: \"" + Redaction.uri(uri) + "\" (expected: redis://host:port, "
          + "rediss://host:port, redis-sentinel://host:port,...#master or redis-cluster://host:port,...; "
          + Redaction.text(e.getMessage()) + ")");
    }
  }

  /** The one URI of a server or Sentinel setup. */
  RedisURI single() {
    return nodes.get(0);
  }
}
