package dev.vane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
  private final Experiment exp = Fixtures.canary("s", 500, true);
  private final RoutingTable table = new RoutingTable("v1", List.of(
      new Route("r-short", "/v2/", null, null, "fallback"),
      new Route("r-long", "/v2/models/fraud/", null, "exp", null),
      new Route("r-llm", null, "llama", null, "llm"),
      new Route("r-fraud-model", null, "fraud", null, "direct")),
      List.of(exp), "default");

  @Test
  void modelRoutesWinOverPathPrefixes() {
    assertEquals("r-fraud-model", table.resolve("/v2/models/fraud/infer", "fraud").id());
    assertEquals("r-llm", table.resolve("/v1/chat/completions", "llama").id());
  }

  @Test
  void theLongestPrefixWins() {
    assertEquals("r-long", table.resolve("/v2/models/fraud/infer", null).id());
    assertEquals("r-short", table.resolve("/v2/models/other/infer", "other").id());
  }

  /**
   * The trie agrees with the definition (the longest matching prefix, the first in configuration order among equal
   * prefixes) on random prefixes over a small alphabet, so they share and nest, and random paths.
   */
  @Test
  void theTrieFindsWhatAScanOfEveryPrefixFinds() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
    String alphabet = "/ab%é";
    for (int round = 0; round < 50; round++) {
      List<Route> routes = new java.util.ArrayList<>();
      int n = 1 + rnd.nextInt(60);
      for (int i = 0; i < n; i++) {
        routes.add(new Route("r" + i, randomString(rnd, alphabet, rnd.nextInt(6)), null, null, "e"));
      }
      RoutingTable t = new RoutingTable("v", routes, List.of(), null);
      for (int k = 0; k < 200; k++) {
        String path = randomString(rnd, alphabet, rnd.nextInt(9));
        Route expected = null;
        for (Route r : routes) {
          if (path.startsWith(r.pathPrefix())
              && (expected == null || r.pathPrefix().length() > expected.pathPrefix().length())) {
            expected = r;
          }
        }
        assertEquals(expected, t.resolve(path, null), "path " + path + " over " + routes);
      }
    }
  }

  private static String randomString(java.util.SplittableRandom rnd, String alphabet, int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  @Test
  void unknownRoutesResolveToNothing() {
    assertNull(table.resolve("/nothing", "unknown-model"));
    assertEquals("default", table.defaultEndpoint());
    assertTrue(table.hasModelRoutes());
  }

  @Test
  void routesMustNameKnownExperiments() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RoutingTable("v", List.of(
        new Route("r", "/", null, "missing", null)), List.of(), null));
    assertEquals("route r: unknown experiment missing", e.getMessage());
  }

  @Test
  void modelNamesComeFromKServeV2Paths() {
    assertEquals("fraud", ModelNames.fromPath("/v2/models/fraud/infer"));
    assertEquals("fraud", ModelNames.fromPath("/v2/models/fraud/versions/3/infer"));
    assertEquals("fraud", ModelNames.fromPath("/v2/models/fraud"));
    assertNull(ModelNames.fromPath("/v2/models/"));
    assertNull(ModelNames.fromPath("/v1/chat/completions"));
    assertTrue(ModelNames.modelInBody("/v1/chat/completions"));
    assertTrue(ModelNames.modelInBody("/v1/completions"));
    assertFalse(ModelNames.modelInBody("/v2/models/x/infer"));
  }

  @Test
  void unitIdsComeFromHeaderThenCookieThenQuery() {
    UnitIdSource src = new UnitIdSource("X-User-Id", "uid", "user");
    assertEquals("h", src.unitOf(TestRequest.of("/").header("x-user-id", "h").cookie("uid", "c").query("user", "q")));
    assertEquals("c", src.unitOf(TestRequest.of("/").header("x-user-id", "").cookie("uid", "c").query("user", "q")));
    assertEquals("q", src.unitOf(TestRequest.of("/").query("user", "q")));
    assertNull(src.unitOf(TestRequest.of("/")));
    assertNull(UnitIdSource.DEFAULT.unitOf(TestRequest.of("/").cookie("uid", "c")));
  }
}
