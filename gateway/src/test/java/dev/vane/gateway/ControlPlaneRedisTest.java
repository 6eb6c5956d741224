package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.ConfigLoader;
import dev.vane.gateway.control.Startup;
import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.RedisServerProcess;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code configSource: redis} with two real instances on one real Redis: config changes through one instance's admin
 * API reach the other (pub/sub, and the periodic check after a dropped connection), the kill switch crosses
 * instances, and with Redis down the data plane serves, admin writes answer 503 and a restarted instance starts from
 * its local copy.
 */
class ControlPlaneRedisTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final String TOKEN = SecretWatch.secret("redis-admin");
  @TempDir Path dir;

  private Path bootstrap(String name, RedisServerProcess redis, TestBackend a, TestBackend b) throws Exception {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        configSource: redis
        admin: { auth: { tokens: [ { name: ops, token: %s, roles: [admin] } ] } }
        state: { redis: { uri: "%s" } }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments:
          - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 0 } }
        """.formatted(TOKEN, redis.uri(), a.url(), b.url()));
    return file;
  }

  private Gateway serve(Path file) throws Exception {
    ConfigLoader loader = new ConfigLoader();
    Startup s = Startup.prepare(file, loader);
    Gateway g = fx.own(Gateway.start(s.config(), Stores::forConfig).await());
    g.attach(s.store(), s.audit(), loader, s.bootstrap(), s.runningHash(), s.runningDocument());
    return g;
  }

  private static Harness.Reply op(Gateway g, String path, String body) {
    return h.send(g.adminPort(), HttpMethod.POST, path, Map.of("Authorization", "Bearer " + TOKEN),
        Buffer.buffer(body));
  }

  private static int canaryBps(Gateway g) {
    return g.config().routing().experiment("e").arm("canary").weightBps();
  }

  private static long waitFor(BooleanSupplier done, long timeoutMs) throws InterruptedException {
    long t0 = System.nanoTime();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - t0 > timeoutMs * 1_000_000) {
        throw new AssertionError("not within " + timeoutMs + " ms");
      }
      Thread.sleep(1);
    }
    return (System.nanoTime() - t0) / 1000;
  }

  @Test
  void fiftyChangesThroughOneInstanceReachTheOtherAlsoAcrossADroppedConnection() throws Exception {
    RedisServerProcess redis = fx.redis();
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    Gateway g1 = serve(bootstrap("one", redis, a, b));
    Gateway g2 = serve(bootstrap("two", redis, a, b));
    List<Long> micros = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      if (i == 25) {
        // drop every client connection (g2's subscription too): Lettuce reconnects, the periodic check catches up
        redis.call("CLIENT", "KILL", "TYPE", "pubsub");
        redis.call("CLIENT", "KILL", "TYPE", "normal");
      }
      int percent = i % 2 == 0 ? 20 : 30;
      Harness.Reply r = op(g1, "/admin/v1/experiments/e/ramp", "{\"percent\": " + percent + "}");
      for (int retry = 0; r.status() == 503 && retry < 100; retry++) {
        Thread.sleep(20); // g1's own connection is being re-established: an operator retries
        r = op(g1, "/admin/v1/experiments/e/ramp", "{\"percent\": " + percent + "}");
      }
      assertEquals(200, r.status(), r.body().toString());
      micros.add(waitFor(() -> canaryBps(g2) == percent * 100, 10_000));
      assertEquals(percent * 100, canaryBps(g1), "the writer applies its own write at once");
    }
    Collections.sort(micros);
    System.out.printf("config propagation to the second instance over %d changes: p50 %.1f ms, p99 %.1f ms, "
        + "max %.1f ms%n", micros.size(), micros.get(micros.size() / 2) / 1000.0,
        micros.get((int) Math.ceil(micros.size() * 0.99) - 1) / 1000.0, micros.get(micros.size() - 1) / 1000.0);

    // the kill switch through g1 sends g2's traffic to the champion
    Harness.Reply paused = op(g1, "/admin/v1/experiments/e/pause", "{\"reason\": \"drill\"}");
    assertEquals(200, paused.status(), paused.body().toString());
    waitFor(() -> g2.config().routing().experiment("e").paused(), 1_000);
    for (int u = 0; u < 100; u++) {
      assertEquals("a", h.post(g2.port(), "/e/x", "u" + u, "{}").header("X-Backend"));
    }
    assertEquals(200, op(g1, "/admin/v1/experiments/e/resume", "{}").status());
  }

  @Test
  void withRedisDownTrafficFlowsWritesAre503AndARestartUsesTheLocalCopy() throws Exception {
    RedisServerProcess redis = fx.redis();
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    Path file = bootstrap("one", redis, a, b);
    Gateway g = serve(file);
    assertEquals(200, op(g, "/admin/v1/experiments/e/ramp", "{\"percent\": 40}").status());
    waitFor(() -> Files.exists(dir.resolve("one.yaml.applied.json")), 5_000);
    redis.stop();
    assertEquals(200, h.post(g.port(), "/e/x", "u1", "{}").status(), "the data plane serves");
    Harness.Reply write = op(g, "/admin/v1/experiments/e/ramp", "{\"percent\": 50}");
    assertEquals(503, write.status(), write.body().toString());
    assertEquals("unavailable", write.json().getString("error"));
    assertEquals(4000, canaryBps(g), "the last applied config keeps serving");
    g.close();

    Gateway again = serve(file);
    assertEquals(4000, canaryBps(again), "started from the local copy of the last applied version");
    assertTrue(again.config().source().contains("local copy"), again.config().source());
    assertEquals(200, h.post(again.port(), "/e/x", "u1", "{}").status());
    redis.restart();
    assertEquals(200, waitForStatus(again, 10_000), "writes work again once Redis is back");
  }

  private static int waitForStatus(Gateway g, long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    int status = 0;
    while (System.currentTimeMillis() < end) {
      status = op(g, "/admin/v1/experiments/e/ramp", "{\"percent\": 60}").status();
      if (status == 200) {
        return status;
      }
      Thread.sleep(100);
    }
    return status;
  }
}
