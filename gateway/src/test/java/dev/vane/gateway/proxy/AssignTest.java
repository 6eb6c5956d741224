package dev.vane.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.router.Assignment;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AssignTest {
  static StepRunner run;

  @BeforeAll
  static void start() throws Exception {
    run = new StepRunner("""
        endpoints:
          - { id: a, url: "http://127.0.0.1:1" }
          - { id: b, url: "http://127.0.0.1:2" }
        routes:
          - { pathPrefix: /e/, experiment: e }
          - { pathPrefix: /qa/, experiment: qa }
          - { pathPrefix: /plain/, endpoint: a }
        experiments:
          - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 100 }, fallbackToChampion: true }
          - { id: qa, champion: { endpoint: a }, canary: { endpoint: b, percent: 50 }, override: true }
        """, r -> List.of(new ReadBody(r.vertx), new ResolveRoute(), new IdentifyUnit(),
        new Assign(r.core.assigner(), r.vertx.getOrCreateContext())));
  }

  @AfterAll
  static void stop() {
    run.close();
  }

  Exchange get(String uri, Map<String, String> headers) throws Exception {
    assertEquals(200, run.send(HttpMethod.GET, uri, headers, null).status());
    return run.last();
  }

  @Test
  void theArmDecidesTheEndpointAndWhetherAFailureMayFallBack() throws Exception {
    Exchange x = get("/e/x", Map.of("X-User-Id", "u1"));
    assertEquals("canary", x.assignment.arm().id());
    assertEquals(Assignment.Reason.ASSIGNED, x.assignment.reason());
    assertEquals("b", x.endpoint.id());
    assertTrue(x.mayFallback, "a canary failure falls back to the champion here");
    assertSame(x.counters.arm("canary"), x.armCounters);
    Exchange again = get("/e/x", Map.of("X-User-Id", "u1"));
    assertEquals(Assignment.Reason.STICKY, again.assignment.reason(), "the stored arm wins the second time");
  }

  @Test
  void anOverrideForcesTheArmWhereAllowedAndAnUnknownArmIs400() throws Exception {
    Exchange x = get("/qa/x", Map.of("X-User-Id", "u2", "X-Vane-Variant", "champion"));
    assertEquals(Assignment.Reason.OVERRIDE, x.assignment.reason());
    assertEquals("a", x.endpoint.id());
    assertFalse(x.mayFallback, "the control has nothing to fall back to");
    int before = run.probedCount();
    StepRunner.Reply bad = run.send(HttpMethod.GET, "/qa/x", Map.of("X-Vane-Variant", "nope"), null);
    assertEquals(400, bad.status());
    assertTrue(bad.body().contains("override arm: nope"), bad.body());
    assertEquals(before, run.probedCount());
  }

  @Test
  void aRouteToAnEndpointIsNotAssigned() throws Exception {
    Exchange x = get("/plain/x", Map.of("X-User-Id", "u3"));
    assertNull(x.assignment);
    assertEquals("a", x.endpoint.id());
  }
}
