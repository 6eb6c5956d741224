package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Token usage of streams whose clients did not ask for it, against a loopback server that streams as OpenAI does
 * (usage only when {@code stream_options.include_usage} is true: then {@code "usage": null} on each chunk and a last
 * usage event with no choices). Vane asks for it when the answer is measured for tokens or cost, counts it, and
 * keeps the usage event from a client that did not ask; a client that asked, an endpoint that says
 * {@code streamUsage: leave}, and an unmeasured experiment get their bodies to the upstream byte for byte.
 */
class StreamUsageProxyTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final ObjectMapper JSON = new ObjectMapper();
  static final OpenAiLike model = fx.own(new OpenAiLike());

  /** Streams "Hel" "lo" "!" as OpenAI does, with 12 prompt and 3 completion tokens; keeps each body it receives. */
  static final class OpenAiLike implements AutoCloseable {
    final HttpServer server;
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    /** Sends the stream in one chunk per event when true, else all of it in one chunk. */
    volatile boolean perEvent = true;

    OpenAiLike() {
      server = h.vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
    }

    String url() {
      return "http://127.0.0.1:" + server.actualPort();
    }

    private void handle(HttpServerRequest req) {
      req.body().onSuccess(b -> {
        bodies.add(b.getBytes());
        JsonObject r = b.toJsonObject();
        boolean usage = r.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
        List<String> events = new ArrayList<>();
        String u = usage ? ",\"usage\":null" : "";
        events.add("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]" + u + "}");
        for (String t : new String[] {"Hel", "lo", "!"}) {
          events.add("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + t + "\"}}]" + u + "}");
        }
        if (usage) {
          events.add("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
              + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}");
        }
        events.add("[DONE]");
        HttpServerResponse res = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        if (perEvent) {
          events.forEach(e -> res.write("data: " + e + "\n\n"));
          res.end();
        } else {
          StringBuilder sb = new StringBuilder();
          events.forEach(e -> sb.append("data: ").append(e).append("\n\n"));
          res.end(sb.toString());
        }
      });
    }

    @Override
    public void close() {
      server.close().await();
    }
  }

  static String yaml(String endpointExtra, String metrics) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: m, url: "%s", timeout: 5s %s }
        routes:
          - { pathPrefix: /, experiment: e }
        experiments:
          - id: e
            champion: { id: control, endpoint: m }
            responseMetrics: %s
        """.formatted(model.url(), endpointExtra, metrics);
  }

  static final String TOKENS = "[ { name: tokens_in, builtin: usage.prompt_tokens }, "
      + "{ name: tokens_out, builtin: usage.completion_tokens } ]";
  static final String REQUEST = "{\"model\":\"gpt\",\"stream\":true,\"temperature\":0.70,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  Gateway gw;

  /** The data of each event of a server-sent-event body. */
  static List<String> data(String body) {
    List<String> out = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      if (event.startsWith("data: ")) {
        out.add(event.substring(6));
      }
    }
    return out;
  }

  JsonObject arm(String metric) {
    JsonObject r = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics");
    if (metric.equals("$cost")) {
      return r.getJsonObject("cost").getJsonArray("arms").getJsonObject(0);
    }
    for (Object o : r.getJsonArray("metrics")) {
      if (((JsonObject) o).getString("name").equals(metric)) {
        return ((JsonObject) o).getJsonArray("arms").getJsonObject(0);
      }
    }
    throw new AssertionError("no metric " + metric + " in " + r.encodePrettily());
  }

  @Test
  void aStreamWhoseClientDidNotAskForUsageIsAskedCountedAndTheUsageEventKeptFromTheClient() throws Exception {
    for (boolean perEvent : new boolean[] {true, false}) {
      model.perEvent = perEvent;
      model.bodies.clear();
      gw = fx.gateway(yaml(", price: { promptPer1k: 1, completionPer1k: 2 }", TOKENS));
      Harness.Reply r = h.post(gw.port(), "/v1/chat/completions", "u1", REQUEST);
      assertEquals(200, r.status());
      // upstream: the same request, asking for usage
      assertEquals(1, model.bodies.size());
      JsonNode sent = JSON.readTree(model.bodies.get(0));
      assertTrue(sent.at("/stream_options/include_usage").booleanValue(), new String(model.bodies.get(0)));
      assertTrue(new String(model.bodies.get(0), StandardCharsets.UTF_8).contains("\"temperature\":0.70"));
      ((ObjectNode) sent).remove("stream_options");
      assertEquals(JSON.readTree(REQUEST), sent);
      // the client: every content event and [DONE], not the usage event
      List<String> events = data(r.body().toString());
      assertEquals(5, events.size(), r.body().toString());
      assertEquals("[DONE]", events.get(4));
      for (String e : events.subList(0, 4)) {
        assertTrue(JSON.readTree(e).get("choices").size() == 1, e);
      }
      assertFalse(r.body().toString().contains("prompt_tokens"), r.body().toString());
      assertNull(r.headers().get("Content-Length"));
      // the figures: the usage Vane asked for
      assertEquals(12.0, arm("tokens_in").getDouble("mean"), 0);
      assertEquals(3.0, arm("tokens_out").getDouble("mean"), 0);
      assertEquals(12 / 1000.0 * 1 + 3 / 1000.0 * 2, arm("$cost").getDouble("mean"), 1e-12);
      fx.close(gw);
    }
  }

  @Test
  void aClientThatAskedGetsItsUsageAndItsBodyGoesUpstreamByteForByte() throws Exception {
    model.bodies.clear();
    gw = fx.gateway(yaml("", TOKENS));
    String asked = "{\"stream\":true, \"stream_options\": {\"include_usage\": true}, \"messages\": []}";
    Harness.Reply r = h.post(gw.port(), "/v1/chat/completions", "u1", asked);
    assertEquals(200, r.status());
    assertArrayEquals(asked.getBytes(StandardCharsets.UTF_8), model.bodies.get(0));
    List<String> events = data(r.body().toString());
    assertEquals(6, events.size(), "the client asked for the usage event: it gets it");
    assertEquals(15, JSON.readTree(events.get(4)).at("/usage/total_tokens").intValue());
    assertEquals(3.0, arm("tokens_out").getDouble("mean"), 0);
  }

  @Test
  void anEndpointThatLeavesStreamsAloneAndAnUnmeasuredExperimentSendTheBodyAsItCame() throws Exception {
    for (String[] c : new String[][] {{", streamUsage: leave", TOKENS}, {"", "[ { name: ttft, builtin: ttft } ]"}}) {
      model.bodies.clear();
      gw = fx.gateway(yaml(c[0], c[1]));
      Harness.Reply r = h.post(gw.port(), "/v1/chat/completions", "u1", REQUEST);
      assertEquals(200, r.status());
      assertArrayEquals(REQUEST.getBytes(StandardCharsets.UTF_8), model.bodies.get(0), c[0] + " " + c[1]);
      assertEquals(5, data(r.body().toString()).size());
      if (c[1].equals(TOKENS)) {
        assertEquals(1, arm("tokens_out").getJsonObject("skipped").getLong("usage_missing"));
      }
      fx.close(gw);
    }
  }

  @Test
  void aFallbackToAnEndpointThatLeavesStreamsAloneSendsTheBodyAsTheClientSentIt() throws Exception {
    int closed;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = free.getLocalPort(); // nothing listens here once it is closed: the canary's connect fails
    }
    model.bodies.clear();
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: m, url: "%s", timeout: 5s, streamUsage: leave }
          - { id: gone, url: "http://127.0.0.1:%d", timeout: 5s, price: { promptPer1k: 1, completionPer1k: 2 } }
        routes:
          - { pathPrefix: /, experiment: e }
        experiments:
          - id: e
            champion: { id: control, endpoint: m }
            canary: { id: canary, endpoint: gone, percent: 100 }
            fallbackToChampion: true
            responseMetrics: %s
        """.formatted(model.url(), closed, TOKENS));
    Harness.Reply r = h.post(gw.port(), "/v1/chat/completions", "u1", REQUEST);
    assertEquals(200, r.status());
    assertEquals("canary", r.headers().get("X-Vane-Fallback"), "the canary failed and the control answered");
    assertArrayEquals(REQUEST.getBytes(StandardCharsets.UTF_8), model.bodies.get(0),
        "asked for the canary's endpoint; the control's leaves it: it gets the client's body");
    assertEquals(5, data(r.body().toString()).size());
  }
}
