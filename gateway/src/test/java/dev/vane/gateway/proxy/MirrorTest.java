package dev.vane.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.counters.ShadowCounters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MirrorTest {
  static StepRunner run;
  static Vertx shadowVertx;
  static HttpServer shadow;
  static final AtomicInteger shadowHits = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    shadowVertx = Vertx.vertx();
    shadow = shadowVertx.createHttpServer().requestHandler(req -> {
      shadowHits.incrementAndGet();
      req.response().end("probe"); // the same answer as the served one
    }).listen(0, "127.0.0.1").await();
    run = new StepRunner("""
        endpoints:
          - { id: a, url: "http://127.0.0.1:1" }
          - { id: s, url: "http://127.0.0.1:%d", maxShadowInFlight: 1000 }
          - { id: none, url: "http://127.0.0.1:%d" }
        routes:
          - { pathPrefix: /e/, experiment: e }
          - { pathPrefix: /half/, experiment: half }
          - { pathPrefix: /plain/, endpoint: a }
        experiments:
          - { id: e, champion: { endpoint: a }, shadows: [ { id: s1, endpoint: s, percent: 100 } ] }
          - { id: half, champion: { endpoint: a }, shadows: [ { id: s2, endpoint: none, percent: 0 } ] }
        """.formatted(shadow.actualPort(), shadow.actualPort()),
        r -> List.of(new ReadBody(r.vertx), new ResolveRoute(), new IdentifyUnit(),
            new Assign(r.core.assigner(), r.vertx.getOrCreateContext()), new Mirror(r.core)));
  }

  @AfterAll
  static void stop() {
    run.close();
    shadowVertx.close().await();
  }

  @Test
  void aMirroredRequestIsPlannedOnTheWayInAndSentOnceItEnded() throws Exception {
    ShadowCounters s1 = run.core.snapshot().counters().get("e").shadow("s1");
    long mirrored = s1.figures(false).mirrored();
    int hits = shadowHits.get();
    run.send(HttpMethod.POST, "/e/x", Map.of("X-User-Id", "u"), "{\"x\":1}");
    assertEquals(1, run.last().shadowCalls.size());
    assertEquals(mirrored + 1, s1.figures(false).mirrored());
    for (int i = 0; i < 200 && s1.figures(false).compared() == 0; i++) {
      Thread.sleep(10);
    }
    assertEquals(hits + 1, shadowHits.get(), "the copy went out after the exchange ended");
    assertEquals(1, s1.figures(false).compared());
    assertEquals(1, s1.figures(false).statusMatches());
    assertTrue(run.core.shadows().inFlight("s").get() == 0, "its in-flight slot came free");
  }

  @Test
  void noShadowsNoCopy() throws Exception {
    run.send(HttpMethod.GET, "/plain/x", Map.of(), null);
    assertNull(run.last().shadowCalls);
    run.send(HttpMethod.GET, "/half/x", Map.of(), null);
    assertNull(run.last().shadowCalls, "a 0% shadow gets nothing");
    assertEquals(0, run.core.snapshot().counters().get("half").shadow("s2").figures(false).mirrored());
  }
}
