package dev.vane.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdentifyUnitTest {
  static StepRunner run;

  @BeforeAll
  static void start() throws Exception {
    run = new StepRunner("""
        server: { unitId: { header: X-User-Id, cookie: uid, query: user } }
        endpoints: [ { id: a, url: "http://127.0.0.1:1" } ]
        routes:
          - { pathPrefix: /e/, experiment: e }
          - { pathPrefix: /plain/, endpoint: a }
        experiments: [ { id: e, champion: { endpoint: a } } ]
        """, r -> List.of(new ReadBody(r.vertx), new ResolveRoute(), new IdentifyUnit()));
  }

  @AfterAll
  static void stop() {
    run.close();
  }

  String unitOf(String uri, Map<String, String> headers) throws Exception {
    assertEquals(200, run.send(HttpMethod.GET, uri, headers, null).status());
    return run.last().unit;
  }

  @Test
  void theHeaderWinsThenTheCookieThenTheQuery() throws Exception {
    assertEquals("h", unitOf("/e/x?user=q", Map.of("X-User-Id", "h", "Cookie", "uid=c")));
    assertEquals("c", unitOf("/e/x?user=q", Map.of("Cookie", "a=1; uid=c")));
    assertEquals("q", unitOf("/e/x?user=q", Map.of()));
    assertNull(unitOf("/e/x", Map.of()), "none: assigned at random later");
  }

  @Test
  void aRouteToAnEndpointNeedsNoUnit() throws Exception {
    assertNull(unitOf("/plain/x", Map.of("X-User-Id", "h")));
  }
}
