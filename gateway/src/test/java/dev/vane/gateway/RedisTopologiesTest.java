package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.audit.AuditEntry;
import dev.vane.gateway.audit.RedisAuditLog;
import dev.vane.gateway.configstore.ConfigVersion;
import dev.vane.gateway.configstore.RedisConfigStore;
import dev.vane.gateway.configstore.StaleVersionException;
import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.Eventually;
import dev.vane.gateway.state.RedisClusterProcesses;
import dev.vane.gateway.state.RedisSentinelProcesses;
import dev.vane.gateway.state.StickyStoreContract;
import dev.vane.gateway.state.redis.RedisKeys;
import dev.vane.gateway.state.redis.RedisSettings;
import dev.vane.gateway.state.redis.RedisStickyStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Redis user of the gateway on a real Redis Cluster (3 primaries, 3 replicas) and a real Sentinel setup (1
 * primary, 1 replica, 3 sentinels): sticky claims and figures through two instances, feedback deduplication and
 * attribution across them, the config store's compare-and-set and change notification, the audit stream.
 */
class RedisTopologiesTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");
  static final RedisClusterProcesses cluster = fx.own(RedisClusterProcesses.start(3, 1));
  static final RedisSentinelProcesses sentinel = fx.own(RedisSentinelProcesses.start());

  static Stream<Arguments> topologies() {
    return Stream.of(Arguments.of("cluster", cluster.uri()), Arguments.of("sentinel", sentinel.uri()));
  }

  static void awaitReady(Gateway g) {
    Eventually.await(Duration.ofSeconds(15), () -> "ready".equals(h.get(g.port(), "/readyz").json()
        .getString("status")), () -> "not ready: " + h.get(g.port(), "/readyz").json());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topologies")
  void twoInstancesAgreeOnStickyArmsSumFiguresAndCountFeedbackOnce(String topology, String uri) throws Exception {
    String yaml = FeedbackTest.yaml(a.url(), b.url(), "state:\n  redis: { uri: \"" + uri
        + "\", flushInterval: 100ms, commandTimeout: 200ms }\n", 5000);
    Gateway g1 = fx.gateway(yaml, Stores::forConfig);
    Gateway g2 = fx.gateway(yaml, Stores::forConfig);
    awaitReady(g1);
    awaitReady(g2);
    String detail = h.get(g1.port(), "/readyz").json().getJsonObject("store").getString("detail");
    assertTrue(detail.contains("invalidations=on"), detail);

    Map<String, String> armOf = new HashMap<>();
    List<String> rids = new ArrayList<>();
    for (int u = 0; u < 200; u++) {
      Harness.Reply first = h.post((u % 2 == 0 ? g1 : g2).port(), "/v2/models/m/infer", topology + "-user-" + u, "{}");
      Harness.Reply second = h.post((u % 2 == 0 ? g2 : g1).port(), "/v2/models/m/infer", topology + "-user-" + u,
          "{}");
      assertEquals(200, first.status());
      assertEquals(first.header("X-Vane-Variant"), second.header("X-Vane-Variant"), "user " + u);
      armOf.put(first.header("X-Request-Id"), first.header("X-Vane-Variant"));
      rids.add(first.header("X-Request-Id"));
    }
    assertEquals(400, awaitRequests(g2, 400), "the figures of both instances, summed in Redis");

    Thread.sleep(300); // attributions reach Redis with the next flush
    JsonArray events = new JsonArray();
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < rids.size(); i += 2) {
      events.add(FeedbackTest.event(rids.get(i), "click-" + i, "click", 1));
      expected.merge(armOf.get(rids.get(i)), 1L, Long::sum);
    }
    JsonObject first = feedback(g1, events);
    assertEquals(100, first.getInteger("accepted"), first.encodePrettily());
    JsonObject again = feedback(g2, events);
    assertEquals(100, again.getInteger("duplicates"), again.encodePrettily());
    Map<String, Long> clicks = new HashMap<>();
    Eventually.await(Duration.ofSeconds(10), () -> {
      clicks.clear();
      clicks.putAll(TopologyFigures.clicks(h, g2));
      return clicks.values().stream().mapToLong(Long::longValue).sum() == 100;
    }, () -> "clicks " + clicks);
    assertEquals(expected, clicks, "each event joined to the arm that served its request, once");
  }

  JsonObject feedback(Gateway g, JsonArray events) {
    return h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
        Buffer.buffer(new JsonObject().put("events", events).encode())).json();
  }

  /** The requests summed over arms in Redis's figures once they reach {@code total} (or the last seen). */
  static long awaitRequests(Gateway g, long total) {
    long[] sum = new long[1];
    try {
      Eventually.await(Duration.ofSeconds(10), () -> {
        sum[0] = TopologyFigures.requests(h, g);
        return sum[0] >= total;
      }, () -> "requests " + sum[0]);
    } catch (AssertionError notReached) {
      return sum[0];
    }
    return sum[0];
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topologies")
  void theConfigStoreComparesAndSetsAndNotifiesAndTheAuditStreamReadsBack(String topology, String uri) {
    Clock clock = Clock.systemUTC();
    RedisConfigStore s1 = fx.own(RedisConfigStore.of(uri, 10, Duration.ofSeconds(2), Duration.ofHours(1), null,
        clock));
    RedisConfigStore s2 = fx.own(RedisConfigStore.of(uri, 10, Duration.ofSeconds(2), Duration.ofHours(1), null,
        clock));
    long latest = s1.current().toCompletableFuture().handle((v, e) -> v == null ? 0L : v.number()).join();
    List<ConfigVersion> seen = new CopyOnWriteArrayList<>();
    s2.watch(seen::add);
    Eventually.await(Duration.ofSeconds(10), s2::subscribed, () -> "not subscribed");

    List<CompletableFuture<ConfigVersion>> writes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      writes.add((i % 2 == 0 ? s1 : s2).write("a: " + i + "\n", latest, "w" + i, "", "").toCompletableFuture());
    }
    int ok = 0;
    for (CompletableFuture<ConfigVersion> w : writes) {
      try {
        assertEquals(latest + 1, w.join().number());
        ok++;
      } catch (CompletionException e) {
        assertEquals(latest + 1, assertInstanceOf(StaleVersionException.class, e.getCause()).latest());
      }
    }
    assertEquals(1, ok, "exactly one of ten writers with the same expected version wins");
    Eventually.await(Duration.ofSeconds(10), () -> seen.stream().anyMatch(v -> v.number() == latest + 1),
        () -> "change not delivered through pub/sub: " + seen);

    RedisAuditLog log = fx.own(RedisAuditLog.of(uri, 100, Duration.ofSeconds(2)));
    for (int i = 0; i < 3; i++) {
      log.append(new AuditEntry(null, Instant.now(), topology, null, "write", null, (long) i, 200, null, null))
          .toCompletableFuture().join();
    }
    List<AuditEntry> read = log.read(null, 3).toCompletableFuture().join();
    assertEquals(List.of(0L, 1L, 2L), read.stream().map(AuditEntry::version).toList());
  }

  @org.junit.jupiter.api.Test
  void anAclUserWithAPasswordWorksOnEveryClusterNodeAndAWrongPasswordIsNotShown() {
    for (var node : cluster.nodes()) { // ACL users are per node in a cluster
      node.call("ACL", "SETUSER", "vane", "on", ">s3cret-pw", "~*", "&*", "+@all");
    }
    String uri = cluster.uri().replace("redis-cluster://", "redis-cluster://vane:s3cret-pw@");
    RedisAuditLog log = fx.own(RedisAuditLog.of(uri, 100, Duration.ofSeconds(2)));
    log.append(new AuditEntry(null, Instant.now(), "acl", null, "write", null, 7L, 200, null, null))
        .toCompletableFuture().join();
    assertEquals(7L, log.read(null, 1).toCompletableFuture().join().get(0).version());
    assertTrue(log.describe().contains("vane:***@"), log.describe());

    RedisAuditLog wrong = fx.own(RedisAuditLog.of(uri.replace("s3cret-pw", "wrong-pw"), 100,
        Duration.ofSeconds(2)));
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> wrong.read(null, 1).toCompletableFuture().join());
    assertTrue(!String.valueOf(e.getCause().getMessage()).contains("wrong-pw"), e.getCause().getMessage());
  }

  @org.junit.jupiter.api.Test
  void aSentinelUriCarriesTheDataNodesPasswordAndNotTheSentinels() {
    RedisSentinelProcesses guarded = fx.own(RedisSentinelProcesses.start());
    guarded.requirePassword("data-pw");
    String uri = guarded.uri().replace("redis-sentinel://", "redis-sentinel://:data-pw@");
    RedisAuditLog log = fx.own(RedisAuditLog.of(uri, 100, Duration.ofSeconds(2)));
    log.append(new AuditEntry(null, Instant.now(), "pw", null, "write", null, 9L, 200, null, null))
        .toCompletableFuture().join();
    assertEquals(9L, log.read(null, 1).toCompletableFuture().join().get(0).version());
    assertTrue(log.describe().contains(":***@"), log.describe());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topologies")
  void anAssignmentChangedInRedisLeavesTheCacheAtOnce(String topology, String uri) {
    RedisStickyStore store = fx.own(new RedisStickyStore(RedisSettings.defaults(uri)
        .withCacheStaleness(Duration.ofHours(1)).withCommandTimeout(Duration.ofSeconds(2))));
    Eventually.await(Duration.ofSeconds(15), store::tracking, store::describe);
    List<String> units = new ArrayList<>();
    for (int u = 0; u < 30; u++) { // over every primary of the cluster
      units.add(topology + "-edited-" + u);
      assertEquals("arm-a", StickyStoreContract.claim(store, "exp", "salt", units.get(u), "arm-a", null).arm());
    }
    for (String unit : units) {
      assertEquals("arm-a", store.peek("exp", "salt", unit), "cached");
      String key = RedisKeys.sticky("exp", "salt", unit);
      if (topology.equals("cluster")) {
        cluster.call(key, "SET", key, "arm-b");
      } else {
        sentinel.primary().call("SET", key, "arm-b");
      }
    }
    for (String unit : units) {
      Eventually.await(Duration.ofSeconds(5), () -> store.peek("exp", "salt", unit) == null,
          () -> unit + " still cached after the edit: " + store.describe());
      assertEquals("arm-b", StickyStoreContract.claim(store, "exp", "salt", unit, "arm-a", null).arm());
    }
  }
}
