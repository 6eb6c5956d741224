package dev.vane.gateway.state.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisTopologyTest {
  @Test
  void aServerASentinelSetupAndAClusterAreToldApartByTheScheme() {
    RedisTopology one = RedisTopology.parse("rediss://default:pw@cache.internal:6380/2");
    assertEquals(RedisTopology.Kind.STANDALONE, one.kind());
    assertTrue(one.single().isSsl());
    assertEquals(2, one.single().getDatabase());

    RedisTopology sentinel = RedisTopology.parse("redis-sentinel://app:pw@s1:26379,s2:26380/1#main");
    assertEquals(RedisTopology.Kind.SENTINEL, sentinel.kind());
    assertEquals("main", sentinel.single().getSentinelMasterId());
    assertEquals(List.of(26379, 26380), sentinel.single().getSentinels().stream().map(RedisURI::getPort).toList());

    RedisTopology cluster = RedisTopology.parse("rediss-cluster://app:pw@n1:7000,n2:7001,n3");
    assertEquals(RedisTopology.Kind.CLUSTER, cluster.kind());
    assertEquals(List.of("n1:7000", "n2:7001", "n3:6379"), cluster.nodes().stream()
        .map(u -> u.getHost() + ":" + u.getPort()).toList());
    for (RedisURI seed : cluster.nodes()) {
      assertTrue(seed.isSsl(), "TLS applies to every seed");
      assertEquals("app", seed.getCredentialsProvider().resolveCredentials().block().getUsername());
      assertEquals("pw", new String(seed.getCredentialsProvider().resolveCredentials().block().getPassword()));
    }
  }

  @Test
  void aClusterWithADatabaseIsRefusedWithoutShowingThePassword() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RedisTopology.parse("redis-cluster://:hunter2@n1:7000,n2:7001/3"));
    assertTrue(e.getMessage().contains("only database 0"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }
}
