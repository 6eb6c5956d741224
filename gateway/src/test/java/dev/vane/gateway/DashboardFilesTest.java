package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's files on the admin listener without a browser: served without a token, with a strict
 * Content-Security-Policy and revalidation, Chart.js from its WebJar, 404 for other names; and {@code whoami} for any
 * authenticated role. {@link DashboardBrowserTest} runs the pages themselves.
 */
class DashboardFilesTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final String FEEDBACK = SecretWatch.secret("feedback");

  @Test
  void theStaticFilesNeedNoTokenAndCarryStrictHeaders() throws Exception {
    TestBackend a = fx.backend("a");
    Gateway gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        admin: { auth: { tokens: [ { name: fred, token: %s, roles: [feedback] } ] } }
        endpoints: [ { id: a, url: "%s" } ]
        """.formatted(FEEDBACK, a.url()));
    Harness.Reply page = h.get(gw.adminPort(), "/ui/");
    assertEquals(200, page.status());
    assertTrue(page.header("Content-Type").startsWith("text/html"));
    String csp = page.header("Content-Security-Policy");
    assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"),
        csp);
    assertEquals("nosniff", page.header("X-Content-Type-Options"));
    assertEquals("no-cache", page.header("Cache-Control"));
    Harness.Reply chart = h.get(gw.adminPort(), "/ui/vendor/chart.umd.js");
    assertEquals(200, chart.status());
    assertTrue(chart.body().toString().contains("Chart"), "Chart.js's UMD build");
    assertEquals(304, h.send(gw.adminPort(), HttpMethod.GET, "/ui/app.js", Map.of("If-None-Match",
        h.get(gw.adminPort(), "/ui/app.js").header("ETag")), null).status());
    assertEquals(404, h.get(gw.adminPort(), "/ui/nope.js").status());
    assertEquals(301, h.get(gw.adminPort(), "/ui").status());
    assertEquals(401, h.get(gw.adminPort(), "/admin/v1/whoami").status());
    JsonObject me = h.send(gw.adminPort(), HttpMethod.GET, "/admin/v1/whoami",
        Map.of("Authorization", "Bearer " + FEEDBACK), null).json();
    assertEquals(new JsonObject().put("name", "fred").put("roles", new JsonArray().add("feedback")).put("scheme", "token"),
        me);
  }

  @Test
  void withoutAuthenticationTheLoopbackCallerIsLocalWithEveryRole() throws Exception {
    TestBackend a = fx.backend("b");
    Gateway gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints: [ { id: a, url: "%s" } ]
        """.formatted(a.url()));
    assertEquals(new JsonObject().put("name", "local")
        .put("roles", new JsonArray().add("viewer").add("feedback").add("operator").add("admin")).put("scheme", "none"),
        h.get(gw.adminPort(), "/admin/v1/whoami").json());
  }
}
