package dev.vane.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vane.gateway.logs.LogSetup;
import io.vertx.core.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The access log's lines, caught on the {@value LogSetup#ACCESS_LOGGER} logger as the step logs them. */
class AccessLogTest {
  static final String CONFIG = """
      endpoints: [ { id: a, url: "http://127.0.0.1:1" }, { id: b, url: "http://127.0.0.1:2" } ]
      routes: [ { id: chat, pathPrefix: /e/, experiment: e } ]
      defaultEndpoint: b
      experiments:
        - id: e
          champion: { endpoint: a }
      observability: { logs: { accessLog: %s, accessLogSampleRatio: %s } }
      """;

  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger access = LogSetup.context().getLogger(LogSetup.ACCESS_LOGGER);

  @BeforeEach
  void listen() {
    lines.start();
    access.addAppender(lines);
  }

  @AfterEach
  void stopListening() {
    access.detachAppender(lines);
  }

  static StepRunner runner(boolean on, double ratio) throws Exception {
    return new StepRunner(CONFIG.formatted(on, ratio), r -> List.of(new ReadBody(r.vertx), new ResolveRoute(),
        new IdentifyUnit(), new Assign(r.core.assigner(), r.vertx.getOrCreateContext()),
        new AccessLog(new SplittableRandom(11))));
  }

  static Map<String, String> fields(ILoggingEvent e) {
    Map<String, String> m = new LinkedHashMap<>();
    for (KeyValuePair p : e.getKeyValuePairs()) {
      m.put(p.key, String.valueOf(p.value));
    }
    return m;
  }

  @Test
  void onItWritesOneLinePerRequestWithItsFields() throws Exception {
    try (StepRunner run = runner(true, 1.0)) {
      run.send(HttpMethod.POST, "/e/x", Map.of("X-User-Id", "u1",
          "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "{}");
      run.send(HttpMethod.GET, "/other", Map.of(), null);
      assertEquals(2, lines.list.size(), "one line per request");

      ILoggingEvent first = lines.list.get(0);
      assertEquals("request", first.getFormattedMessage());
      Map<String, String> f = fields(first);
      assertEquals(List.of("requestId", "method", "route", "experiment", "arm", "status", "upstream", "latencyMs",
          "traceId"), List.copyOf(f.keySet()));
      assertEquals("rid-0", f.get("requestId"));
      assertEquals("POST", f.get("method"));
      assertEquals("chat", f.get("route"));
      assertEquals("e", f.get("experiment"));
      assertEquals("champion", f.get("arm"));
      assertEquals("200", f.get("status"));
      assertEquals("a", f.get("upstream"));
      assertTrue(Double.parseDouble(f.get("latencyMs")) >= 0, f.toString());
      assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", f.get("traceId"));

      // the default endpoint: no route, experiment or arm
      Map<String, String> g = fields(lines.list.get(1));
      assertEquals(List.of("requestId", "method", "status", "upstream", "latencyMs"), List.copyOf(g.keySet()));
      assertEquals("b", g.get("upstream"));
    }
  }

  @Test
  void offItWritesNothing() throws Exception {
    try (StepRunner run = runner(false, 1.0)) {
      for (int i = 0; i < 5; i++) {
        run.send(HttpMethod.GET, "/e/x", Map.of("X-User-Id", "u" + i), null);
      }
      assertEquals(5, run.ended.size(), "the requests ended (and the step's onEnd ran) before the answer");
      assertEquals(List.of(), lines.list);
    }
  }

  @Test
  void sampledItWritesAboutTheRatioOfRequests() throws Exception {
    try (StepRunner run = runner(true, 0.25)) {
      int n = 200;
      for (int i = 0; i < n; i++) {
        run.send(HttpMethod.GET, "/e/x", Map.of("X-User-Id", "u" + i), null);
      }
      // binomial(200, 0.25): mean 50, sd 6.1; 25..75 is beyond 4 sd either side
      int logged = lines.list.size();
      assertTrue(logged >= 25 && logged <= 75, logged + " of " + n);
    }
  }
}
