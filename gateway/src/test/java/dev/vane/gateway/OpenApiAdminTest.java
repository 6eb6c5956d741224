package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.gateway.results.OpenApiResultsSchemaTestAccess;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin API's OpenAPI document against the implementation: every route the admin listener serves (read off its
 * router) is declared with its method, and real answers of a running gateway match the declared schemas.
 */
class OpenApiAdminTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();

  @Test
  void everyRouteOfTheAdminListenerIsDeclaredWithItsMethods() throws Exception {
    JsonNode paths = OpenApiResultsSchemaTestAccess.document().get("paths");
    List<String> missing = new ArrayList<>();
    List<String[]> routes = Gateway.adminRoutes();
    assertTrue(routes.size() > 20, "the admin router's routes were read: " + routes.size());
    for (String[] route : routes) {
      String path = route[1].replaceAll(":(\\w+)", "{$1}");
      JsonNode p = paths.get(path);
      String method = route[0].toLowerCase();
      if (p == null || !p.has(method) && !(method.equals("head") && p.has("get"))) {
        missing.add(route[0] + " " + path);
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void answersOfARunningGatewayMatchTheSchemas() throws Exception {
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    Gateway gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints: [ { id: a, url: "%s" }, { id: b, url: "%s" } ]
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments: [ { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 5 } } ]
        """.formatted(a.url(), b.url()));
    JsonNode doc = OpenApiResultsSchemaTestAccess.document();
    List<String> problems = new ArrayList<>();
    JsonObject written = h.send(gw.adminPort(), HttpMethod.POST, "/admin/v1/experiments/e/ramp", Map.of(),
        Buffer.buffer("{\"percent\": 25}")).json();
    OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/Written"), written, "$ramp", problems);
    JsonObject version = h.get(gw.adminPort(), "/admin/v1/config/versions/2").json();
    OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/ConfigVersion"), version, "$v2", problems);
    JsonObject history = h.get(gw.adminPort(), "/admin/v1/config/history").json();
    for (Object v : history.getJsonArray("versions")) {
      OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/ConfigVersion"), v, "$history", problems);
    }
    for (Object e : h.get(gw.adminPort(), "/admin/v1/audit").json().getJsonArray("entries")) {
      OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/AuditEntry"), e, "$audit", problems);
    }
    JsonObject invalid = h.send(gw.adminPort(), HttpMethod.PUT, "/admin/v1/config", Map.of("If-Match", "3"),
        Buffer.buffer("endpoints: []")).json();
    OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/InvalidConfig"), invalid, "$422", problems);
    assertTrue(history.getJsonArray("versions").size() >= 2);
    assertEquals(List.of(), problems);
  }
}
