package dev.vane.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ResolveRouteTest {
  static final String YAML = """
      endpoints:
        - { id: a, url: "http://127.0.0.1:1" }
        - { id: b, url: "http://127.0.0.1:2" }
        - { id: llm, url: "http://127.0.0.1:3" }
      routes:
        - { pathPrefix: /v2/, endpoint: a }
        - { pathPrefix: /v2/models/fraud/, experiment: fraud }
        - { model: llama, endpoint: llm }
      experiments:
        - { id: fraud, champion: { endpoint: a }, canary: { endpoint: b, percent: 10 } }
      """;
  static StepRunner run;
  static StepRunner withDefault;

  @BeforeAll
  static void start() throws Exception {
    run = new StepRunner(YAML, r -> List.of(new ReadBody(r.vertx), new ResolveRoute()));
    withDefault = new StepRunner(YAML + "defaultEndpoint: b\n", r -> List.of(new ReadBody(r.vertx), new ResolveRoute()));
  }

  @AfterAll
  static void stop() {
    run.close();
    withDefault.close();
  }

  @Test
  void theLongestPrefixWinsAndAnExperimentRouteLeavesTheEndpointToTheArm() throws Exception {
    assertEquals(200, run.post("/v2/other", "{}").status());
    assertEquals("a", run.last().endpoint.id());
    assertNull(run.last().experiment);
    assertEquals(200, run.post("/v2/models/fraud/infer", "{}").status());
    assertEquals("fraud", run.last().experiment.id());
    assertNull(run.last().endpoint, "the arm decides the endpoint");
    assertEquals("fraud", run.last().counters.experimentId());
  }

  @Test
  void aModelNamedInAnOpenAiBodyIsRouted() throws Exception {
    assertEquals(200, run.post("/v1/chat/completions", "{\"model\":\"llama\",\"messages\":[]}").status());
    assertEquals("llm", run.last().endpoint.id());
    assertEquals("llama", run.last().view.model());
    StepRunner.Reply bad = run.post("/v1/chat/completions", "{\"model\": ");
    assertEquals(400, bad.status());
    assertTrue(bad.body().contains("request body is not valid JSON"), bad.body());
  }

  @Test
  void noRouteIs404UnlessThereIsADefaultEndpoint() throws Exception {
    int before = run.probedCount();
    StepRunner.Reply r = run.post("/nowhere", "{}");
    assertEquals(404, r.status());
    assertTrue(r.body().contains("no route for POST /nowhere"), r.body());
    assertEquals(before, run.probedCount());
    assertEquals(200, withDefault.post("/nowhere", "{}").status());
    assertEquals("b", withDefault.last().endpoint.id());
  }
}
