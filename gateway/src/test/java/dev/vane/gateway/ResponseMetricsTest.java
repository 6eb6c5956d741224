package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.gateway.results.OpenApiResultsSchemaTestAccess;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Response metrics against real model servers on loopback: each body shape Vane reads (KServe v2, OpenAI JSON, OpenAI
 * server-sent events with and without a usage chunk, vectors with max and argmax) and each one it skips (missing
 * pointer, non-JSON, oversized), read back from the results API; and a stream still reaches its client chunk by
 * chunk while it is measured.
 */
class ResponseMetricsTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  /** Gap between a stream's events, ms. */
  static final long GAP_MS = 40;
  static final ModelServer model = fx.own(new ModelServer());

  /** Answers by path; {@code /gated-sse} sends its first event and holds the rest until {@link #release}. */
  static final class ModelServer implements AutoCloseable {
    final HttpServer server;
    volatile Promise<Void> release = Promise.promise();

    ModelServer() {
      server = h.vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
    }

    String url() {
      return "http://127.0.0.1:" + server.actualPort();
    }

    private void handle(HttpServerRequest req) {
      String p = req.path();
      req.body().onSuccess(b -> {
        var res = req.response();
        if (p.endsWith("/kserve")) {
          res.putHeader("Content-Type", "application/json").end("{\"model_name\":\"m\",\"outputs\":[{\"name\":\"p\","
              + "\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[0.25,0.7,0.05]}]}");
        } else if (p.endsWith("/openai")) {
          res.putHeader("Content-Type", "application/json").end("{\"id\":\"c1\",\"object\":\"chat.completion\","
              + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"}}],"
              + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":40,\"total_tokens\":140}}");
        } else if (p.endsWith("/sse") || p.endsWith("/sse-nousage")) {
          List<String> events = new ArrayList<>(List.of(
              "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}",
              "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}",
              "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}",
              "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]}"));
          if (p.endsWith("/sse")) {
            events.add("{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}");
          }
          events.add("[DONE]");
          res.setChunked(true).putHeader("Content-Type", "text/event-stream");
          sendSpaced(res, events, 0);
        } else if (p.endsWith("/sse-differs")) {
          // the served answer "The cat sat on the mat", the shadow's "the Cat sat on the hat!", in other pieces
          List<String> pieces = req.getHeader("X-Vane-Shadow") == null ? List.of("The cat", " sat on", " the mat")
              : List.of("the Cat sat", " on the ", "hat!");
          List<String> events = new ArrayList<>();
          for (String piece : pieces) {
            events.add(new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                .put("delta", new JsonObject().put("content", piece)))).encode());
          }
          events.add("[DONE]");
          res.setChunked(true).putHeader("Content-Type", "text/event-stream");
          sendSpaced(res, events, 0);
        } else if (p.endsWith("/gated-sse")) {
          res.setChunked(true).putHeader("Content-Type", "text/event-stream");
          res.write("data: {\"choices\":[{\"delta\":{\"content\":\"first\"}}]}\n\n");
          release.future().onComplete(v -> res.end("data: {\"choices\":[{\"delta\":{\"content\":\"second\"}}]}\n\n"
              + "data: [DONE]\n\n"));
        } else if (p.endsWith("/notjson")) {
          res.putHeader("Content-Type", "text/plain").end("positive");
        } else if (p.endsWith("/large")) {
          StringBuilder sb = new StringBuilder("{\"pad\":\"");
          sb.append("x".repeat(8000)).append("\",\"outputs\":[{\"data\":[0.5]}]}");
          res.putHeader("Content-Type", "application/json").end(sb.toString());
        } else if (p.endsWith("/error")) {
          res.setStatusCode(503).end("{\"outputs\":[{\"data\":[0.5]}]}");
        } else {
          res.setStatusCode(404).end();
        }
      });
    }

    private void sendSpaced(io.vertx.core.http.HttpServerResponse res, List<String> events, int i) {
      if (i == events.size()) {
        res.end();
        return;
      }
      h.vertx.setTimer(GAP_MS, id -> {
        res.write("data: " + events.get(i) + "\n\n");
        sendSpaced(res, events, i + 1);
      });
    }

    @Override
    public void close() {
      server.close().await();
    }
  }

  static String yaml(String metrics, String price) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints:
          - { id: m, url: "%s", timeout: 5s %s }
        routes:
          - { pathPrefix: /, experiment: e }
        experiments:
          - id: e
            champion: { id: control, endpoint: m }
            metrics: [ { name: converted, kind: binary } ]
            responseMetrics: %s
        """.formatted(model.url(), price, metrics);
  }

  Gateway gw;

  JsonObject metric(String name) throws Exception {
    JsonObject r = h.get(gw.adminPort(), "/v1/experiments/e/results").json();
    JsonNode doc = OpenApiResultsSchemaTestAccess.document();
    List<String> problems = new ArrayList<>();
    OpenApiResultsSchemaTestAccess.check(doc, doc.at("/components/schemas/ExperimentResults"), r, "$", problems);
    assertEquals(List.of(), problems, "the results match openapi.yaml");
    for (Object o : r.getJsonObject("responseMetrics").getJsonArray("metrics")) {
      JsonObject m = (JsonObject) o;
      if (m.getString("name").equals(name)) {
        return m.getJsonArray("arms").getJsonObject(0);
      }
    }
    throw new AssertionError("no response metric " + name + " in " + r.encodePrettily());
  }

  void send(String path, int times) {
    for (int i = 0; i < times; i++) {
      Harness.Reply r = h.post(gw.port(), path, null, "{}");
      assertTrue(r.status() == 200 || r.status() == 503, path + ": " + r.status());
    }
  }

  @Test
  void kserveOutputsAreReadAtThePointerFirstMaxAndArgmax() throws Exception {
    gw = fx.gateway(yaml("""
        [ { name: first, pointer: /outputs/0/data/0 }, { name: top, pointer: /outputs/0/data, aggregate: max },
          { name: label, pointer: /outputs/0/data, aggregate: argmax }, { name: whole, pointer: /outputs/0/data } ]""",
        ""));
    send("/v2/models/m/kserve", 5);
    assertEquals(5, metric("first").getLong("n"));
    assertEquals(0.25, metric("first").getDouble("mean"), 1e-12);
    assertEquals(0.7, metric("top").getDouble("mean"), 1e-12);
    assertEquals(0.7, metric("top").getDouble("p50"), 0.7 * 0.01, "the sketch: within 1%");
    assertEquals(1.0, metric("label").getDouble("mean"), 0);
    assertEquals(0.25, metric("whole").getDouble("mean"), 1e-12, "an array with the default aggregate: its first");
    assertEquals(0.0, metric("first").getDouble("sd"), 1e-12);
  }

  @Test
  void openAiJsonUsageIsReadAndPricedPerRequest() throws Exception {
    gw = fx.gateway(yaml("""
        [ { name: tokens_in, builtin: usage.prompt_tokens }, { name: tokens_out, builtin: usage.completion_tokens },
          { name: tokens, builtin: usage.total_tokens }, { name: ttft, builtin: ttft } ]""",
        ", price: { promptPer1k: 0.5, completionPer1k: 1.5 }"));
    send("/v1/chat/openai", 4);
    assertEquals(100.0, metric("tokens_in").getDouble("mean"), 0);
    assertEquals(40.0, metric("tokens_out").getDouble("mean"), 0);
    assertEquals(140.0, metric("tokens").getDouble("mean"), 0);
    assertEquals(4, metric("ttft").getJsonObject("skipped").getLong("not_stream"), "not a stream: no TTFT");
    JsonObject cost = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics")
        .getJsonObject("cost").getJsonArray("arms").getJsonObject(0);
    // 100/1000 x 0.5 + 40/1000 x 1.5 = 0.05 + 0.06 = 0.11 per request
    assertEquals(0.11, cost.getDouble("mean"), 1e-12);
    assertEquals(0.44, cost.getDouble("total"), 1e-12);
    assertEquals(0, cost.getLong("conversions"));
    assertNull(cost.getValue("perConversion"), "no conversions: no cost per conversion");
    String csv = h.get(gw.adminPort(), "/v1/experiments/e/results?format=csv").body().toString();
    assertTrue(csv.contains("\r\nresponse,all,control,control,tokens_out,response,,,,,4,,40,,,0,40."),
        csv);
    assertTrue(csv.contains("\r\nresponse,all,control,control,$cost,response,,,,,4,,0.11,"), csv);
  }

  /**
   * Cost per conversion with conversions: two arms on endpoints priced differently, each answer 100 prompt and 40
   * completion tokens; positive feedback for every third request, an explicit 0 for the next one (not a conversion).
   * Per arm, from the tokens and prices here: total = its requests x (100/1000 x prompt price + 40/1000 x completion
   * price), conversions = the positives posted for its requests, perConversion = total / conversions (to 1e-12).
   */
  @Test
  void costPerConversionIsTheArmsTotalCostOverItsPositiveFeedback() throws Exception {
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints:
          - { id: cheap, url: "%1$s", timeout: 5s, price: { promptPer1k: 0.5, completionPer1k: 1.5 } }
          - { id: dear, url: "%1$s", timeout: 5s, price: { promptPer1k: 2, completionPer1k: 4 } }
        routes:
          - { pathPrefix: /, experiment: e }
        experiments:
          - id: e
            variants: [ { id: a, endpoint: cheap, weight: 5000 }, { id: b, endpoint: dear, weight: 5000 } ]
            metrics: [ { name: converted, kind: binary } ]
        """.formatted(model.url()));
    Map<String, Double> perRequest = Map.of("a", 100 / 1000.0 * 0.5 + 40 / 1000.0 * 1.5,
        "b", 100 / 1000.0 * 2 + 40 / 1000.0 * 4);
    Map<String, Integer> requests = new java.util.HashMap<>();
    Map<String, Integer> conversions = new java.util.HashMap<>();
    JsonArray events = new JsonArray();
    int n = 30;
    for (int i = 0; i < n; i++) {
      Harness.Reply r = h.send(gw.port(), HttpMethod.POST, "/v1/chat/openai", Map.of("X-User-Id", "u" + i),
          Buffer.buffer("{}"));
      assertEquals(200, r.status());
      String arm = r.header("X-Vane-Variant");
      requests.merge(arm, 1, Integer::sum);
      if (i % 3 == 0) {
        conversions.merge(arm, 1, Integer::sum);
        events.add(new JsonObject().put("requestId", r.header("X-Request-Id")).put("eventId", "pos-" + i)
            .put("metric", "converted").put("value", true));
      } else if (i % 3 == 1) {
        events.add(new JsonObject().put("requestId", r.header("X-Request-Id")).put("eventId", "neg-" + i)
            .put("metric", "converted").put("value", false));
      }
    }
    assertTrue(conversions.getOrDefault("a", 0) > 0 && conversions.getOrDefault("b", 0) > 0,
        "both arms convert: " + conversions);
    for (Object o : h.send(gw.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of("Content-Type", "application/json"),
        Buffer.buffer(new JsonObject().put("events", events).encode())).json().getJsonArray("results")) {
      assertEquals("accepted", ((JsonObject) o).getString("status"), o.toString());
    }
    // the cost is counted just after the client's last byte: wait until every request's is
    JsonObject cost = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      cost = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics")
          .getJsonObject("cost");
      long measured = 0;
      for (Object o : cost.getJsonArray("arms")) {
        measured += ((JsonObject) o).getLong("n");
      }
      if (measured == n) {
        break;
      }
      assertTrue(System.currentTimeMillis() < deadline, "measured " + measured + " of " + n);
      Thread.sleep(20);
    }
    assertEquals("converted", cost.getString("conversionMetric"));
    for (Object o : cost.getJsonArray("arms")) {
      JsonObject arm = (JsonObject) o;
      String id = arm.getString("arm");
      double total = requests.get(id) * perRequest.get(id);
      assertEquals((long) requests.get(id), arm.getLong("n"), id);
      assertEquals(total, arm.getDouble("total"), 1e-12, id);
      assertEquals((long) conversions.get(id), arm.getLong("conversions"), id);
      assertEquals(total / conversions.get(id), arm.getDouble("perConversion"), 1e-12, id);
    }
  }

  @Test
  void aStreamWithAUsageChunkGivesTokensTimeToFirstTokenAndInterTokenTime() throws Exception {
    gw = fx.gateway(yaml("""
        [ { name: tokens_out, builtin: usage.completion_tokens }, { name: tokens_in, builtin: usage.prompt_tokens },
          { name: ttft, builtin: ttft }, { name: gap, builtin: inter_token }, { name: score, pointer: /x } ]""",
        ", price: { promptPer1k: 1, completionPer1k: 2 }"));
    Harness.Reply r = h.post(gw.port(), "/v1/chat/sse", null, "{\"stream\":true}");
    assertEquals(200, r.status());
    assertTrue(r.body().toString().endsWith("data: [DONE]\n\n"), "the client gets the whole stream");
    assertEquals(3.0, metric("tokens_out").getDouble("mean"), 0);
    assertEquals(12.0, metric("tokens_in").getDouble("mean"), 0);
    // the first content event is the second event, sent two gaps after the request arrived upstream
    double ttft = metric("ttft").getDouble("mean");
    assertTrue(ttft >= 2 * GAP_MS - 1, "ttft " + ttft + " ms");
    double gap = metric("gap").getDouble("mean");
    assertTrue(gap >= GAP_MS - 1, "inter-token " + gap + " ms");
    assertEquals(1, metric("score").getJsonObject("skipped").getLong("not_json"), "a pointer does not read a stream");
    JsonObject cost = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics")
        .getJsonObject("cost").getJsonArray("arms").getJsonObject(0);
    assertEquals(12 / 1000.0 * 1 + 3 / 1000.0 * 2, cost.getDouble("mean"), 1e-12);
  }

  @Test
  void aStreamWithoutUsageCountsUsageMissingAndStillTimesTokens() throws Exception {
    gw = fx.gateway(yaml("[ { name: tokens_out, builtin: usage.completion_tokens }, { name: ttft, builtin: ttft } ]",
        ""));
    send("/v1/chat/sse-nousage", 2);
    JsonObject tokens = metric("tokens_out");
    assertEquals(0, tokens.getLong("n"));
    assertEquals(2, tokens.getJsonObject("skipped").getLong("usage_missing"));
    assertEquals(2, metric("ttft").getLong("n"));
  }

  @Test
  void missingPointersNonJsonBodiesOversizedBodiesAndErrorsAreCountedNeverFailed() throws Exception {
    gw = fx.gateway(yaml("""
        [ { name: score, pointer: /outputs/0/data/0, maxBodyBytes: 4KB }, { name: nothing, pointer: /predictions/0 },
          { name: label, pointer: /model_name } ]""", ""));
    send("/v2/models/m/kserve", 1);
    send("/v2/models/m/notjson", 2);
    send("/v2/models/m/large", 3);
    send("/v2/models/m/error", 1);
    JsonObject score = metric("score");
    assertEquals(1, score.getLong("n"));
    assertEquals(Map.of("not_json", 2, "too_large", 3, "status", 1), score.getJsonObject("skipped").getMap());
    // /predictions/0 is absent from KServe v2 bodies; the large bodies are read (no limit below theirs) and lack it
    assertEquals(1 + 3, metric("nothing").getJsonObject("skipped").getLong("missing"));
    assertEquals(1, metric("label").getJsonObject("skipped").getLong("not_numeric"), "a string is not a number");
  }

  @Test
  void aMeasuredStreamReachesTheClientChunkByChunk() throws Exception {
    List<Double> firstByteMs = new ArrayList<>();
    for (String metrics : new String[] {"[]", "[ { name: ttft, builtin: ttft }, { name: n, builtin: usage.completion_tokens } ]"}) {
      gw = fx.gateway(yaml(metrics, ""));
      for (int round = 0; round < 5; round++) {
        model.release = Promise.promise();
        List<String> chunks = new CopyOnWriteArrayList<>();
        Promise<Void> first = Promise.promise();
        Promise<Void> ended = Promise.promise();
        long t0 = System.nanoTime();
        long[] firstAt = {0};
        h.context.runOnContext(v -> h.client.request(new RequestOptions().setMethod(HttpMethod.POST)
                .setHost("127.0.0.1").setPort(gw.port()).setURI("/v1/chat/gated-sse"))
            .compose(req -> req.send(Buffer.buffer("{}")))
            .onSuccess(res -> {
              res.handler(b -> {
                if (chunks.isEmpty()) {
                  firstAt[0] = System.nanoTime();
                }
                chunks.add(b.toString());
                first.tryComplete();
              });
              res.endHandler(x -> ended.tryComplete());
            }).onFailure(first::tryFail));
        // the upstream holds the rest of the stream until the client has its first event: no buffering anywhere
        first.future().await(10, TimeUnit.SECONDS);
        assertTrue(String.join("", chunks).contains("first") && !String.join("", chunks).contains("second"));
        firstByteMs.add((firstAt[0] - t0) / 1e6);
        model.release.complete();
        ended.future().await(10, TimeUnit.SECONDS);
        assertTrue(String.join("", chunks).endsWith("data: [DONE]\n\n"), "round " + round + ": " + chunks);
      }
      fx.close(gw);
    }
    System.err.println("first byte ms, without response metrics: " + firstByteMs.subList(0, 5)
        + "; with ttft and usage measured: " + firstByteMs.subList(5, 10));
  }

  /** One champion on the model server and shadow {@code s1} mirroring every request to it, with these metrics. */
  static String shadowed(String responseMetrics) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints:
          - { id: m, url: "%1$s", timeout: 5s }
          - { id: copy, url: "%1$s", timeout: 5s }
        routes:
          - { pathPrefix: /, experiment: e }
        experiments:
          - id: e
            champion: { id: control, endpoint: m }
            shadows: [ { id: s1, endpoint: copy, percent: 100 } ]
            responseMetrics: %2$s
        """.formatted(model.url(), responseMetrics);
  }

  @Test
  void mirroredResponsesAreMeasuredPerShadow() throws Exception {
    gw = fx.gateway(shadowed(
        "[ { name: tokens_out, builtin: usage.completion_tokens }, { name: ttft, builtin: ttft } ]"));
    send("/v1/chat/sse", 3);
    JsonObject ttft = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject r = h.get(gw.adminPort(), "/v1/experiments/e/results").json();
      ttft = r.getJsonObject("responseMetrics").getJsonArray("metrics").getJsonObject(1).getJsonArray("shadows")
          .getJsonObject(0);
      if (ttft.getLong("n") == 3) {
        break;
      }
      Thread.sleep(50);
    }
    assertEquals("s1", ttft.getString("shadow"));
    assertEquals(3, ttft.getLong("n"));
    assertTrue(ttft.getDouble("mean") >= 2 * GAP_MS - 1, "a shadow's stream is timed as it arrives: " + ttft);
    assertEquals(3.0, metric("tokens_out").getDouble("mean"), 0, "the served responses, per arm");
    assertEquals(3, metric("ttft").getJsonObject("skipped").getLong("buffered"),
        "a mirrored request's served stream is read whole for the comparison: no chunk times, no TTFT");
    JsonObject text = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics")
        .getJsonArray("textSimilarity").getJsonObject(0);
    // the same stream from both: the assembled texts ("Hello!") are equal
    assertEquals(3, text.getJsonObject("editSimilarity").getLong("n"));
    assertEquals(1.0, text.getJsonObject("editSimilarity").getDouble("mean"), 0);
    assertEquals(1.0, text.getJsonObject("tokenOverlap").getDouble("mean"), 0);
    String csv = h.get(gw.adminPort(), "/v1/experiments/e/results?format=csv").body().toString();
    assertTrue(csv.contains("\r\nresponse,all," + text.getString("shadow") + ",shadow,text_edit_similarity,response,,,,,3,,1,"),
        csv);
    assertTrue(csv.contains("\r\nresponse,all," + text.getString("shadow") + ",shadow,text_token_overlap,response,,,,,3,,1,"),
        csv);
  }

  /**
   * A shadow whose stream differs from the served one: the results' text similarity is that of the assembled texts,
   * served "The cat sat on the mat" (22 characters) against the shadow's "the Cat sat on the hat!" (23). By hand:
   * the edit distance is 4 (T to t, c to C, m to h, insert !; a memoised recursive Levenshtein in Python agrees), so
   * the edit similarity is 1 - 4/23 = 19/23; the lower-cased token sets {the, cat, sat, on, mat} and
   * {the, cat, sat, on, hat!} share 4 of 6, so the overlap is 2/3. Every mirrored pair scores the same: the means
   * to 1e-12.
   */
  @Test
  void aShadowStreamThatDiffersIsScoredOnTheAssembledTexts() throws Exception {
    gw = fx.gateway(shadowed("[]"));
    int n = 3;
    for (int i = 0; i < n; i++) {
      Harness.Reply r = h.post(gw.port(), "/v1/chat/sse-differs", null, "{\"stream\":true}");
      assertEquals(200, r.status());
      assertTrue(r.body().toString().contains("\"The cat\"") && !r.body().toString().contains("hat!"),
          "the client gets the served stream: " + r.body());
    }
    JsonObject text = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      JsonObject r = h.get(gw.adminPort(), "/v1/experiments/e/results").json().getJsonObject("responseMetrics");
      text = r == null ? null : r.getJsonArray("textSimilarity").getJsonObject(0);
      if (text != null && text.getJsonObject("editSimilarity").getLong("n") == n
          && text.getJsonObject("tokenOverlap").getLong("n") == n) {
        break;
      }
      assertTrue(System.currentTimeMillis() < deadline, "compared: " + text);
      Thread.sleep(20);
    }
    assertEquals("s1", text.getString("shadow"));
    JsonObject edit = text.getJsonObject("editSimilarity");
    JsonObject tokens = text.getJsonObject("tokenOverlap");
    assertEquals(19 / 23.0, edit.getDouble("mean"), 1e-12, edit.encode());
    assertEquals(2 / 3.0, tokens.getDouble("mean"), 1e-12, tokens.encode());
    assertTrue(edit.getDouble("mean") < 1 && tokens.getDouble("mean") < 1);
    assertEquals(Map.of(), edit.getJsonObject("skipped").getMap());
  }
}
