package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.RedisServerProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /readyz} and {@code /healthz} of a gateway whose sticky store is a real redis-server, started as users start
 * it: 503 {@code starting} until Redis first connects or {@code startupGrace} passes, then 200 {@code ready} or 200
 * {@code degraded}; provisional answers counted on {@code store.provisionalAnswers}.
 */
class RedisReadinessTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend backend = fx.backend("a");
  Gateway gw;
  RedisServerProcess redis;

  private Gateway start(String redisUri, String startupGrace) throws Exception {
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: a, url: "%s" }
        routes:
          - { pathPrefix: /v2/, experiment: e }
        experiments:
          - id: e
            variants:
              - { id: x, endpoint: a, weight: 5000 }
              - { id: y, endpoint: a, weight: 5000 }
        state:
          redis: { uri: "%s", commandTimeout: 50ms, flushInterval: 100ms, startupGrace: %s }
        """.formatted(backend.url(), redisUri, startupGrace), Stores::forConfig);
    return gw;
  }

  private Harness.Reply readyz() {
    return h.get(gw.port(), "/readyz");
  }

  private Harness.Reply awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    Harness.Reply r = readyz();
    while (!"ready".equals(r.json().getString("status"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not ready within 10 s: " + r.json());
      }
      Thread.sleep(20);
      r = readyz();
    }
    return r;
  }

  private void assertLive() {
    Harness.Reply health = h.get(gw.port(), "/healthz");
    assertEquals(200, health.status());
    assertEquals("up", health.json().getString("status"));
  }

  @Test
  void startingWhileRedisIsDownAnswers503StartingThenReadyOnceRedisComesUp() throws Exception {
    int port = RedisServerProcess.freePort();
    start("redis://127.0.0.1:" + port, "1h");

    Harness.Reply r = readyz();
    assertEquals(503, r.status(), r.json().encode());
    assertEquals("starting", r.json().getString("status"));
    JsonObject store = r.json().getJsonObject("store");
    assertFalse(store.getBoolean("up"));
    assertEquals(0L, store.getLong("provisionalAnswers"));
    assertTrue(store.getString("detail").contains(" connecting "), store.getString("detail"));
    assertLive();

    // a request sent anyway is served, on its hashed arm, and counted
    assertEquals(200, h.post(gw.port(), "/v2/models/m/infer", "early", "{}").status());
    assertEquals(1L, readyz().json().getJsonObject("store").getLong("provisionalAnswers"));
    assertEquals(503, readyz().status());

    redis = fx.redis(port);
    Harness.Reply ready = awaitReady();
    assertEquals(200, ready.status());
    assertTrue(ready.json().getJsonObject("store").getBoolean("up"));
    assertLive();
  }

  @Test
  void afterTheStartupGraceWithoutRedisReadyzAnswers200Degraded() throws Exception {
    start("redis://127.0.0.1:" + RedisServerProcess.freePort(), "0s");
    Harness.Reply r = readyz();
    assertEquals(200, r.status(), "degraded still takes traffic: Vane serves hashed arms");
    assertEquals("degraded", r.json().getString("status"));
    assertFalse(r.json().getJsonObject("store").getBoolean("up"));
    assertTrue(r.json().getJsonObject("store").getString("detail").contains(" down "), r.json().encode());
    assertLive();
    assertEquals(200, h.post(gw.port(), "/v2/models/m/infer", "u", "{}").status());
  }

  @Test
  void aClaimOutlastingTheCommandTimeoutIsServedAndCountedOnReadyz() throws Exception {
    redis = fx.redis();
    start(redis.uri(), "10s");
    awaitReady();
    redis.freeze();
    try {
      assertEquals(200, h.post(gw.port(), "/v2/models/m/infer", "new-user", "{}").status());
    } finally {
      redis.thaw();
    }
    Harness.Reply r = readyz();
    assertEquals(200, r.status());
    assertEquals("ready", r.json().getString("status"), "a slow Redis is still connected");
    JsonObject store = r.json().getJsonObject("store");
    assertEquals(1L, store.getLong("provisionalAnswers"), store.encode());
    assertTrue(store.getString("detail").contains("provisional answers=1 (timeouts=1, "), store.getString("detail"));
  }
}
