package dev.vane.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.counters.ArmCounters;
import dev.vane.gateway.counters.ExperimentCounters;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RecordTest {
  static StepRunner run;

  @BeforeAll
  static void start() throws Exception {
    run = new StepRunner("""
        endpoints: [ { id: a, url: "http://127.0.0.1:1" } ]
        routes: [ { pathPrefix: /e/, experiment: e }, { pathPrefix: /p/, experiment: p } ]
        experiments:
          - id: e
            champion: { endpoint: a }
            override: true
            targeting: { headers: { X-Region: [eu] } }
            metrics: [ { name: click, kind: binary } ]
            slices: [ { name: region, header: X-Region } ]
          - id: p
            paused: true
            champion: { endpoint: a }
            canary: { endpoint: a, percent: 50 }
        """, r -> List.of(new ReadBody(r.vertx), new ResolveRoute(), new IdentifyUnit(),
        new Assign(r.core.assigner(), r.vertx.getOrCreateContext()), new Record(r.core)));
  }

  @AfterAll
  static void stop() {
    run.close();
  }

  static ExperimentCounters counters() {
    return run.core.snapshot().counters().get("e");
  }

  @Test
  void exposuresAndMissesAreCountedOnTheWayInStatusAndLatencyAtTheEnd() throws Exception {
    ArmCounters arm = counters().arm("champion");
    long requests = arm.figures(false).requests();
    long exposures = arm.figures(false).exposures();
    long overrides = counters().figures(false).overrides();
    long notTargeted = counters().figures(false).notTargeted();
    run.send(HttpMethod.GET, "/e/x", Map.of("X-User-Id", "u1", "X-Region", "eu"), null);
    run.send(HttpMethod.GET, "/e/x", Map.of("X-User-Id", "u2", "X-Region", "us"), null);
    run.send(HttpMethod.GET, "/e/x", Map.of("X-User-Id", "u3", "X-Region", "eu", "X-Vane-Variant", "champion"), null);
    assertEquals(requests + 3, arm.figures(false).requests(), "every request of the arm");
    assertEquals(exposures + 1, arm.figures(false).exposures(), "only the targeted, unforced one is an exposure");
    assertEquals(notTargeted + 1, counters().figures(false).notTargeted());
    assertEquals(overrides + 1, counters().figures(false).overrides());
    assertTrue(run.ended.size() >= 3);
    Exchange x = run.ended.get(run.ended.size() - 1);
    assertEquals(200, x.status());
    long ofE;
    synchronized (run.probed) {
      ofE = run.probed.stream().filter(p -> p.experiment != null && p.experiment.id().equals("e")).count();
    }
    assertEquals(ofE, arm.latencyHistogram().getTotalCount(), "a latency per ended request of the experiment");
  }

  @Test
  void aPausedExperimentsRequestsCountForTheControlButAreNotExposures() throws Exception {
    ExperimentCounters p = run.core.snapshot().counters().get("p");
    ArmCounters champion = p.arm("champion");
    long requests = champion.figures(false).requests();
    long paused = p.figures(false).paused();
    for (int u = 0; u < 20; u++) {
      run.send(HttpMethod.GET, "/p/x", Map.of("X-User-Id", "u" + u), null);
      assertEquals("champion", run.last().assignment.arm().id());
    }
    assertEquals(requests + 20, champion.figures(false).requests());
    assertEquals(0, champion.figures(false).exposures());
    assertEquals(0, p.arm("canary").figures(false).requests());
    assertEquals(paused + 20, p.figures(false).paused());
    assertEquals(0, champion.figures(false).units(), "no unit is counted as exposed");
  }

  @Test
  void anExposureKeepsTheAttributionFeedbackJoinsTo() throws Exception {
    run.send(HttpMethod.GET, "/e/x", Map.of("X-User-Id", "u9", "X-Region", "eu"), null);
    Exchange x = run.last();
    var answer = run.core.feedback().ingest(new io.vertx.core.json.JsonObject()
        .put("requestId", x.requestId).put("eventId", "ev-1").put("metric", "click").put("value", 1))
        .toCompletableFuture().get();
    assertEquals("accepted", answer.get(0).status(), answer.toString());
  }
}
