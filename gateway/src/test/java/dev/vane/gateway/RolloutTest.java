package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.ConfigLoader;
import dev.vane.gateway.control.Startup;
import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Role;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts end to end over HTTP with real backends and a compressed schedule: a good canary walks every step to
 * promotion, a canary whose backend starts failing in step 2 is rolled back and its users return to the champion,
 * a confirmPromotion webhook answering 500 holds the promotion while the events receiver gets every decision, and
 * with two instances on Redis the survivor of a killed leader finishes the rollout.
 */
class RolloutTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  @TempDir Path dir;

  static String yaml(String a, String b, String webhooks) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints: [ { id: a, url: "%s" }, { id: b, url: "%s" } ]
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments:
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 0 }
            rollout:
              steps:
                - { percent: 20, minExposures: 150 }
                - { percent: 50, minExposures: 300 }
                - { percent: 100 }
              guardrails: [ { metric: errorRate, margin: 0.2 }, { metric: latency, margin: 1.0 }, { srm: true } ]
              analysisInterval: 200ms
              maxStepDuration: 5m
        %s
        """.formatted(a, b, webhooks);
  }

  /** Sends requests from random users until stopped. */
  static final class Traffic implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();
    final AtomicInteger sent = new AtomicInteger();

    Traffic(int port) {
      for (int t = 0; t < 2; t++) {
        int seed = t;
        Thread th = new Thread(() -> {
          java.util.Random rnd = new java.util.Random(seed);
          while (running.get()) {
            try {
              h.post(port, "/e/x", "u" + rnd.nextInt(1_000_000), "{}");
              sent.incrementAndGet();
            } catch (RuntimeException e) {
              // the gateway may be closing
            }
          }
        });
        th.setDaemon(true);
        th.start();
        threads.add(th);
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }
  }

  static Arm canary(Gateway g) {
    Experiment e = g.config().routing().experiment("e");
    for (Arm a : e.arms()) {
      if (a.role() == Role.CANARY) {
        return a;
      }
    }
    return null;
  }

  static void await(BooleanSupplier done, long timeoutMs, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("not within " + timeoutMs + " ms: " + what.get());
      }
      Thread.sleep(50);
    }
  }

  static JsonObject status(Gateway g) {
    return h.get(g.adminPort(), "/admin/v1/experiments/e/rollout?limit=200").json();
  }

  static List<String> types(JsonObject status) {
    List<String> out = new ArrayList<>();
    for (Object o : status.getJsonArray("history")) {
      out.add(0, ((JsonObject) o).getString("type"));
    }
    return out;
  }

  @Test
  void aGoodCanaryWalksEveryStepToPromotion() throws Exception {
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    Gateway g = fx.gateway(yaml(a.url(), b.url(), ""));
    try (Traffic t = new Traffic(g.port())) {
      await(() -> canary(g) == null, 60_000, () -> status(g).encodePrettily());
    }
    Experiment e = g.config().routing().experiment("e");
    assertEquals("b", e.control().endpoint(), "the canary's endpoint is the champion now");
    List<String> seen = types(status(g));
    assertTrue(seen.contains("rollout.started") && seen.contains("rollout.advance") && seen.contains("rollout.promote"),
        seen.toString());
    assertEquals("promoted", status(g).getJsonObject("state").getString("phase"));
    assertTrue(status(g).getJsonObject("state").getBoolean("current"), "a finished rollout is still the current one");
    JsonArray audit = h.get(g.adminPort(), "/admin/v1/audit?limit=1000").json().getJsonArray("entries");
    assertTrue(audit.stream().anyMatch(x -> ((JsonObject) x).getString("action").equals("rollout.promote")
        && ((JsonObject) x).getString("actor").equals("rollout")), audit.encodePrettily());
  }

  /** The driver lists the experiments with a rollout once per config: a rollout that a config change adds starts. */
  @Test
  void aRolloutDeclaredByAConfigChangeStarts() throws Exception {
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    String full = yaml(a.url(), b.url(), "");
    String without = full.substring(0, full.indexOf("    rollout:\n")) + "\n";
    Gateway g = fx.gateway(without);
    Thread.sleep(300); // the driver ticks every 100 ms: it has listed this config's rollouts (none)
    Harness.Reply current = h.get(g.adminPort(), "/admin/v1/config");
    Harness.Reply put = h.send(g.adminPort(), HttpMethod.PUT, "/admin/v1/config",
        Map.of("If-Match", current.header("ETag"), "Content-Type", "application/yaml"), Buffer.buffer(full));
    assertEquals(200, put.status(), put.body().toString());
    try (Traffic t = new Traffic(g.port())) {
      await(() -> types(status(g)).contains("rollout.started"), 30_000, () -> status(g).encodePrettily());
    }
  }

  @Test
  void aCanaryThatStartsFailingInStepTwoIsRolledBackAndItsUsersReturnToTheChampion() throws Exception {
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    Gateway g = fx.gateway(yaml(a.url(), b.url(), ""));
    try (Traffic t = new Traffic(g.port())) {
      await(() -> canary(g) != null && canary(g).weightBps() == 5000, 60_000, () -> status(g).encodePrettily());
      b.failing(0.05);
      await(() -> canary(g) == null, 60_000, () -> status(g).encodePrettily());
    }
    assertEquals("a", g.config().routing().experiment("e").control().endpoint(), "the champion stays");
    JsonObject s = status(g);
    assertEquals("rolled_back", s.getJsonObject("state").getString("phase"), s.encodePrettily());
    JsonObject rollback = null;
    for (Object o : s.getJsonArray("history")) {
      if (((JsonObject) o).getString("type").equals("rollout.rollback")) {
        rollback = (JsonObject) o;
      }
    }
    assertNotNull(rollback, s.encodePrettily());
    assertTrue(rollback.getString("reason").contains("errorRate"), rollback.encodePrettily());
    JsonObject errorRate = rollback.getJsonArray("guardrails").getJsonObject(0);
    assertEquals("harm", errorRate.getString("verdict"));
    assertTrue(errorRate.getDouble("lower") > 0.2, errorRate.encode());
    for (int u = 0; u < 50; u++) {
      assertEquals("a", h.post(g.port(), "/e/x", "u" + u, "{}").header("X-Backend"), "everyone on the champion");
    }
  }

  @Test
  void aRefusingPromotionGateHoldsAndTheEventsReceiverGetsEveryDecision() throws Exception {
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    Vertx vertx = fx.harness().vertx;
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    AtomicInteger confirmations = new AtomicInteger();
    HttpServer receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      if (req.path().equals("/confirm")) {
        confirmations.incrementAndGet();
        req.response().setStatusCode(500).end();
      } else {
        events.add(body.toJsonObject());
        req.response().end();
      }
    })).listen(0, "127.0.0.1").await();
    try {
      String hooks = "      webhooks:\n"
          + "        confirmPromotion: \"http://127.0.0.1:" + receiver.actualPort() + "/confirm\"\n"
          + "        events: \"http://127.0.0.1:" + receiver.actualPort() + "/events\"\n"
          + "        secret: \"" + SecretWatch.secret("hook") + "\"\n"
          + "        timeout: 1s\n";
      Gateway g = fx.gateway(yaml(a.url(), b.url(), "").replace("      maxStepDuration: 5m\n",
          "      maxStepDuration: 5m\n" + hooks));
      try (Traffic t = new Traffic(g.port())) {
        await(() -> confirmations.get() >= 3, 60_000, () -> status(g).encodePrettily());
        Thread.sleep(500);
      }
      assertEquals(2000, canary(g).weightBps(), "still in the first step: its advance to 50% was not confirmed");
      List<String> seen = types(status(g));
      assertTrue(seen.contains("rollout.hold"), seen.toString());
      assertTrue(events.stream().anyMatch(ev -> ev.getString("type").equals("rollout.started")), events.toString());
      assertTrue(events.stream().anyMatch(ev -> ev.getString("reason").contains("confirmPromotion did not confirm")),
          events.toString());
    } finally {
      receiver.close().await();
    }
  }

  @Test
  void withTwoInstancesTheSurvivorOfAKilledLeaderFinishesTheRollout() throws Exception {
    RedisServerProcess redis = fx.redis();
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    String text = yaml(a.url(), b.url(), "").replace("endpoints:", "configSource: redis\nstate: { redis: { uri: \""
        + redis.uri() + "\" } }\nendpoints:");
    Gateway one = serve(text, "one");
    Gateway two = serve(text, "two");
    Gateway survivor;
    try (Traffic t2 = new Traffic(two.port()); Traffic t1 = new Traffic(one.port())) {
      await(() -> canary(two) != null && canary(two).weightBps() > 0
          && (one.rollouts().leads("e") || two.rollouts().leads("e")), 60_000, () -> status(two).encodePrettily());
      assertTrue(one.rollouts().leads("e") ^ two.rollouts().leads("e"), "exactly one instance drives the rollout");
      Gateway leader = one.rollouts().leads("e") ? one : two;
      survivor = leader == one ? two : one;
      Gateway s = survivor;
      leader.close(); // its lease runs out (3 analysis intervals, at least 1 s); the survivor takes over
      await(() -> canary(s) == null, 90_000, () -> status(s).encodePrettily());
      assertTrue(survivor.rollouts().leads("e"));
    }
    assertEquals("b", survivor.config().routing().experiment("e").control().endpoint());
    assertEquals("promoted", status(survivor).getJsonObject("state").getString("phase"));
  }

  @Test
  void aRestartedSingleInstanceContinuesItsRolloutWhereItWas() throws Exception {
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    Path file = dir.resolve("vane.yaml");
    Files.writeString(file, yaml(a.url(), b.url(), "").replace("{ percent: 50, minExposures: 300 }",
        "{ percent: 50, minExposures: 1000000 }"));
    Gateway first = start(file);
    try (Traffic t = new Traffic(first.port())) {
      await(() -> canary(first) != null && canary(first).weightBps() == 5000, 60_000,
          () -> status(first).encodePrettily());
    }
    JsonObject before = status(first).getJsonObject("state");
    first.close();
    Gateway again = start(file);
    assertEquals(5000, canary(again).weightBps(), "the config file holds the step's split");
    JsonObject after = status(again).getJsonObject("state");
    assertEquals("stepping", after.getString("phase"));
    assertEquals(1, after.getInteger("step"), "still in the second step, not started afresh");
    assertEquals(before.getString("stepStartedAt"), after.getString("stepStartedAt"));
    assertTrue(after.getBoolean("current"));
  }

  private Gateway start(Path file) throws Exception {
    ConfigLoader loader = new ConfigLoader();
    Startup s = Startup.prepare(file, loader);
    Gateway g = fx.own(Gateway.start(s.config(), Stores::forConfig).await());
    g.attach(s.store(), s.audit(), loader, s.bootstrap(), s.runningHash(), s.runningDocument()).toCompletableFuture()
        .join();
    g.startRollouts(file.resolveSibling(file.getFileName() + ".rollouts.json"));
    return g;
  }

  private Gateway serve(String text, String name) throws Exception {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, text);
    ConfigLoader loader = new ConfigLoader();
    Startup s = Startup.prepare(file, loader);
    Gateway g = fx.own(Gateway.start(s.config(), Stores::forConfig).await());
    g.attach(s.store(), s.audit(), loader, s.bootstrap(), s.runningHash(), s.runningDocument()).toCompletableFuture()
        .join();
    g.startRollouts(null);
    return g;
  }

  @Test
  void aShadowStageThatAgreesStartsTheFirstStepAndOneThatDisagreesRollsBack() throws Exception {
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    a.mode = TestBackend.Mode.KSERVE;
    b.mode = TestBackend.Mode.KSERVE;
    String shadowed = yaml(a.url(), b.url(), "")
        .replace("    canary: { endpoint: b, percent: 0 }\n",
            "    canary: { endpoint: b, percent: 0 }\n    shadows: [ { endpoint: b, tolerance: 0.001 } ]\n")
        .replace("      steps:\n", "      shadowFirst: { minCompared: 100, minAgreement: 0.95, maxLatencyRatio: 1000 }\n"
            + "      steps:\n");
    // the latency bar is wide open: a copy's latency includes the shadow loop's queueing, which on a loaded CI
    // machine is many times the served request's; this test is about agreement
    Gateway g = fx.gateway(shadowed);
    try (Traffic t = new Traffic(g.port())) {
      await(() -> canary(g) != null && canary(g).weightBps() == 2000, 60_000, () -> status(g).encodePrettily());
    }
    assertTrue(types(status(g)).contains("rollout.start_canary"), status(g).encodePrettily());

    b.kserveData = "[0.9,0.05,0.05]"; // the candidate now answers differently
    Gateway g2 = fx.gateway(shadowed);
    try (Traffic t = new Traffic(g2.port())) {
      await(() -> canary(g2) == null, 60_000, () -> status(g2).encodePrettily());
    }
    assertEquals("rolled_back", status(g2).getJsonObject("state").getString("phase"));
  }

  @Test
  void operatorsPauseAndAbortThroughTheApi() throws Exception {
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    Gateway g = fx.gateway(yaml(a.url(), b.url(), ""));
    await(() -> status(g).containsKey("state"), 10_000, () -> status(g).encodePrettily());
    Harness.Reply paused = h.send(g.adminPort(), HttpMethod.POST, "/admin/v1/experiments/e/rollout/pause", Map.of(),
        Buffer.buffer("{\"reason\": \"investigating\"}"));
    assertEquals(202, paused.status(), paused.body().toString());
    await(() -> status(g).getJsonObject("state").getBoolean("paused"), 10_000, () -> status(g).encodePrettily());
    assertEquals(202, h.send(g.adminPort(), HttpMethod.POST, "/admin/v1/experiments/e/rollout/abort", Map.of(),
        null).status());
    await(() -> canary(g) == null, 10_000, () -> status(g).encodePrettily());
    assertEquals("aborted", status(g).getJsonObject("state").getString("phase"));
    assertEquals(404, h.send(g.adminPort(), HttpMethod.POST, "/admin/v1/experiments/nope/rollout/abort", Map.of(),
        null).status());
    assertNull(canary(g));
  }
}
