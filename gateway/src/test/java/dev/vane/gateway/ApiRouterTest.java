package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The API router's own answers: wrong methods, unknown paths under the API, request ids. */
class ApiRouterTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static Gateway gw;

  @BeforeAll
  static void start() throws Exception {
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints: [ { id: a, url: "http://127.0.0.1:1" } ]
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments: [ { id: e, champion: { endpoint: a } } ]
        """);
  }

  @Test
  void aMethodAnEndpointDoesNotTakeGets405() {
    Harness.Reply r = h.send(gw.port(), HttpMethod.POST, "/healthz", Map.of(), Buffer.buffer("{}"));
    assertEquals(405, r.status());
    assertEquals("method_not_allowed", r.json().getString("error"));
    assertEquals(r.header("X-Request-Id"), r.json().getString("requestId"));
    assertEquals(405, h.get(gw.adminPort(), "/v1/feedback").status());
  }

  @Test
  void anUnknownPathUnderTheApiGets404() {
    Harness.Reply r = h.get(gw.adminPort(), "/v1/experiments/e/nothing");
    assertEquals(404, r.status());
    assertTrue(r.json().getString("message").contains("/v1/experiments/e/nothing"), r.json().encode());
    assertEquals(404, h.get(gw.adminPort(), "/v1/experiments/zz").status(), "an unknown experiment");
  }

  @Test
  void headIsAnsweredLikeGetAndTheClientsRequestIdIsKept() {
    assertEquals(200, h.send(gw.port(), HttpMethod.HEAD, "/healthz", Map.of(), null).status());
    Harness.Reply r = h.send(gw.adminPort(), HttpMethod.GET, "/v1/experiments/e", Map.of("X-Request-Id", "abc-1"), null);
    assertEquals(200, r.status());
    assertEquals("abc-1", r.header("X-Request-Id"));
  }
}
