package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Split ratios, stickiness and hot reload through the running gateway over real HTTP. */
class StickyRoutingTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");
  static final TestBackend c = fx.backend("c");
  Gateway gw;
  @TempDir Path dir;

  String yaml(String experiment) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2, reloadInterval: 100ms }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
          - { id: c, url: "%s" }
        routes:
          - { pathPrefix: /v2/, experiment: e }
        experiments:
        """.formatted(a.url(), b.url(), c.url()) + experiment;
  }

  /** Sends one request per user, 64 in flight, and returns each user's arm. */
  Map<String, String> armsOf(List<String> users) {
    Map<String, String> out = new HashMap<>();
    for (int from = 0; from < users.size(); from += 64) {
      List<Future<String[]>> batch = new ArrayList<>();
      for (String u : users.subList(from, Math.min(users.size(), from + 64))) {
        batch.add(Future.succeededFuture(new String[] {u, null}));
      }
      List<String[]> got = h.onContext(() -> {
        List<Future<String[]>> fs = new ArrayList<>();
        for (Future<String[]> f : batch) {
          String u = f.result()[0];
          fs.add(h.client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                  .setPort(gw.port()).setURI("/v2/models/m/infer").putHeader("X-User-Id", u))
              .compose(req -> req.send(Buffer.buffer("{}")))
              .compose(r -> r.body().map(x -> new String[] {u, r.getHeader("X-Vane-Variant")})));
        }
        return Future.all(fs).map(cf -> {
          List<String[]> l = new ArrayList<>();
          for (int i = 0; i < cf.size(); i++) {
            l.add(cf.resultAt(i));
          }
          return l;
        });
      });
      for (String[] r : got) {
        assertNotNull(r[1], "variant header for " + r[0]);
        out.put(r[0], r[1]);
      }
    }
    return out;
  }

  static List<String> users(int from, int to) {
    List<String> l = new ArrayList<>();
    for (int i = from; i < to; i++) {
      l.add("user-" + i);
    }
    return l;
  }

  /**
   * 20,000 users over 50/30/20; Pearson chi-square with 2 df under 13.8155, the 0.999 quantile of chi-square(2)
   * (scipy.stats.chi2.ppf(0.999, 2) = 13.815510557964274).
   */
  @Test
  void splitRatiosOverTwentyThousandUsersMatchTheWeights() throws Exception {
    gw = fx.gateway(yaml("""
          - id: e
            variants:
              - { id: a, endpoint: a, weight: 5000 }
              - { id: b, endpoint: b, weight: 3000 }
              - { id: c, endpoint: c, weight: 2000 }
        """));
    Map<String, String> arms = armsOf(users(0, 20_000));
    Map<String, Integer> counts = new HashMap<>();
    arms.values().forEach(v -> counts.merge(v, 1, Integer::sum));
    double chi2 = 0;
    Map<String, Double> expected = Map.of("a", 10_000.0, "b", 6_000.0, "c", 4_000.0);
    for (var e : expected.entrySet()) {
      double d = counts.getOrDefault(e.getKey(), 0) - e.getValue();
      chi2 += d * d / e.getValue();
    }
    assertTrue(chi2 < 13.815510557964274, "chi2 " + chi2 + " counts " + counts);
    JsonObject fig = h.get(gw.adminPort(), "/v1/experiments/e").json();
    long exposures = 0;
    for (Object o : fig.getJsonArray("arms")) {
      JsonObject arm = (JsonObject) o;
      assertEquals(counts.get(arm.getString("id")).longValue(), arm.getLong("exposures"));
      assertEquals(counts.get(arm.getString("id")).longValue(), arm.getLong("units"));
      exposures += arm.getLong("exposures");
    }
    assertEquals(20_000, exposures);
  }

  @Test
  void aThousandRepeatRequestsPerUserKeepTheSameVariant() throws Exception {
    gw = fx.gateway(yaml("""
          - id: e
            variants:
              - { id: a, endpoint: a, weight: 3400 }
              - { id: b, endpoint: b, weight: 3300 }
              - { id: c, endpoint: c, weight: 3300 }
        """));
    List<String> us = users(0, 12);
    Map<String, String> first = armsOf(us);
    List<String> repeated = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      repeated.addAll(us);
    }
    for (int from = 0; from < repeated.size(); from += 1200) {
      List<String> slice = repeated.subList(from, from + 1200);
      // armsOf keeps the last answer per user; check every answer by sending per user in order
      for (int k = 0; k < slice.size(); k += us.size()) {
        Map<String, String> again = armsOf(slice.subList(k, k + us.size()));
        assertEquals(first, again);
      }
    }
    assertTrue(first.values().stream().distinct().count() > 1, "users spread over arms: " + first);
  }

  private Gateway serveFile(Path file) throws Exception {
    ConfigLoader loader = new ConfigLoader();
    Gateway g = fx.own(Gateway.start(loader.load(file)).await());
    g.watch(file, loader);
    return g;
  }

  private void rewrite(Path file, String yaml, String expectVersionChangeFrom) throws Exception {
    Files.writeString(file, yaml);
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      if (expectVersionChangeFrom == null) {
        String err = h.get(gw.port(), "/readyz").json().getJsonObject("config").getString("lastReloadError");
        if (err != null) {
          return;
        }
      } else if (!gw.config().version().equals(expectVersionChangeFrom)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the reload was not picked up");
  }

  @Test
  void usersKeepTheirVariantAcrossReloadsThatChangeWeightsAndAddAVariant() throws Exception {
    Path file = dir.resolve("vane.yaml");
    Files.writeString(file, yaml("""
          - id: e
            variants:
              - { id: a, endpoint: a, weight: 5000 }
              - { id: b, endpoint: b, weight: 5000 }
        """));
    gw = serveFile(file);
    List<String> old = users(0, 3000);
    Map<String, String> before = armsOf(old);

    rewrite(file, yaml("""
          - id: e
            variants:
              - { id: a, endpoint: a, weight: 1000 }
              - { id: b, endpoint: b, weight: 9000 }
        """), gw.config().version());
    assertEquals(before, armsOf(old), "weights changed: everybody keeps their arm");

    rewrite(file, yaml("""
          - id: e
            variants:
              - { id: a, endpoint: a, weight: 3400 }
              - { id: b, endpoint: b, weight: 3300 }
              - { id: c, endpoint: c, weight: 3300 }
        """), gw.config().version());
    assertEquals(before, armsOf(old), "variant added: everybody keeps their arm");
    long onC = armsOf(users(3000, 6000)).values().stream().filter("c"::equals).count();
    assertTrue(onC > 800, "new users reach the new variant: " + onC);
  }

  @Test
  void growingACanaryByReloadOnlyMovesUsersFromChampionToCanary() throws Exception {
    Path file = dir.resolve("vane.yaml");
    String tpl = """
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: %d }
        """;
    Files.writeString(file, yaml(tpl.formatted(5)));
    gw = serveFile(file);
    List<String> us = users(0, 4000);
    Map<String, String> prev = armsOf(us);
    for (int pct : new int[] {20, 50}) {
      rewrite(file, yaml(tpl.formatted(pct)), gw.config().version());
      Map<String, String> now = armsOf(us);
      long canary = 0;
      for (String u : us) {
        if (prev.get(u).equals("canary")) {
          assertEquals("canary", now.get(u), u + " left the canary at " + pct + "%");
        }
        if (now.get(u).equals("canary")) {
          canary++;
        }
      }
      assertEquals(4000 * pct / 100.0, canary, 4000 * 0.04, "canary share at " + pct + "%");
      prev = now;
    }
  }

  @Test
  void anInvalidReloadIsRejectedAndTheOldConfigKeepsServing() throws Exception {
    Path file = dir.resolve("vane.yaml");
    String good = yaml("""
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 10 }
        """);
    Files.writeString(file, good);
    gw = serveFile(file);
    String version = gw.config().version();
    Map<String, String> before = armsOf(users(0, 500));
    rewrite(file, good.replace("percent: 10", "percent: 140"), null);
    assertEquals(version, gw.config().version());
    String err = h.get(gw.port(), "/readyz").json().getJsonObject("config").getString("lastReloadError");
    assertTrue(err.contains("experiments[0].canary.percent: 140 (expected: 0..100)"), err);
    assertEquals(before, armsOf(users(0, 500)), "still serving the old config");
  }
}
