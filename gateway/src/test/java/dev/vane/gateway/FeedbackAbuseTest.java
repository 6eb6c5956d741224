package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.api.FeedbackEndpoint;
import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.state.RedisServerProcess;
import dev.vane.gateway.state.redis.RedisKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a hostile or careless feedback client can send, against a real gateway over real HTTP: every abusive event
 * or body gets a clear status and code, and afterwards the results (JSON and CSV) still answer with finite sums
 * equal to a BigDecimal reference of the values that were accepted. Also: huge batches, the shared body budget,
 * request ids on API answers, a 500 for corrupted shared sums, and memory and Redis agreeing on the same events.
 */
class FeedbackAbuseTest {
  private static final String RID = "abuse-request-1";
  private static final String MB = "x".repeat(1 << 20);

  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");
  static Gateway gw;
  /** The arm that served {@link #RID}. */
  static String arm;
  /** Revenue values the gateway accepted for {@link #RID}, in order. */
  static final List<Double> accepted = new ArrayList<>();
  static int eventSeq;

  static String yaml(String state) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2, maxBodyBytes: 32MB }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes:
          - { pathPrefix: /v2/, experiment: e }
        experiments:
          - id: e
            variants:
              - { id: a, endpoint: a, weight: 5000 }
              - { id: b, endpoint: b, weight: 5000 }
            metrics:
              - { name: click, kind: binary, primary: true }
              - { name: revenue, kind: continuous }
              - { name: rating, kind: continuous, min: 1, max: 5 }
            slices:
              - { name: region, header: X-Region, maxValues: 4 }
            attributionWindow: 1h
        """.formatted(a.url(), b.url()) + state;
  }

  @BeforeAll
  static void start() throws Exception {
    gw = fx.gateway(yaml(""));
    arm = expose(gw, RID, "alice");
  }

  /** One proxied request with the client's request id; returns the arm that served it. */
  static String expose(Gateway g, String requestId, String user) {
    Harness.Reply r = h.send(g.port(), HttpMethod.POST, "/v2/models/m/infer",
        Map.of("X-User-Id", user, "X-Request-Id", requestId, "X-Region", "=cmd|' /C calc'!A0"), Buffer.buffer("{}"));
    assertEquals(200, r.status());
    assertEquals(requestId, r.header("X-Request-Id"));
    return r.header("X-Vane-Variant");
  }

  static Harness.Reply post(Gateway g, String body) {
    return h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of("Content-Type", "application/json"),
        Buffer.buffer(body));
  }

  /** An event for {@link #RID} with a fresh event id, the value and extra fields as raw JSON text. */
  static String event(String metric, String valueJson, String extra) {
    return "{\"requestId\": \"" + RID + "\", \"eventId\": \"ev-" + (eventSeq++) + "\", \"metric\": \"" + metric
        + "\", \"value\": " + valueJson + extra + "}";
  }

  /**
   * One abusive single-event body.
   *
   * @param status   the HTTP status it must get
   * @param code     the per-event code ({@code invalid_value}, ...) or, for a whole-body error, the body's error
   * @param revenue  the revenue value counted when accepted, else null
   */
  record Case(String name, String body, int status, String code, Double revenue) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("1e200 (the issue's event)", event("revenue", "1e200", ""), 400, "invalid_value", null));
    c.add(new Case("1e308", event("revenue", "1e308", ""), 400, "invalid_value", null));
    c.add(new Case("-1e308", event("revenue", "-1e308", ""), 400, "invalid_value", null));
    c.add(new Case("1e400 (Jackson reads Infinity)", event("revenue", "1e400", ""), 400, "invalid_value", null));
    c.add(new Case("huge integer literal", event("revenue", "9".repeat(400), ""), 400, "invalid_value", null));
    c.add(new Case("NaN literal", event("revenue", "NaN", ""), 400, "bad_request", null));
    c.add(new Case("Infinity literal", event("revenue", "Infinity", ""), 400, "bad_request", null));
    c.add(new Case("-Infinity literal", event("revenue", "-Infinity", ""), 400, "bad_request", null));
    c.add(new Case("\"NaN\" as a string", event("revenue", "\"NaN\"", ""), 400, "invalid_value", null));
    c.add(new Case("a number as a string", event("revenue", "\"12.5\"", ""), 400, "invalid_value", null));
    c.add(new Case("true on a continuous metric", event("revenue", "true", ""), 400, "invalid_value", null));
    c.add(new Case("null value", event("revenue", "null", ""), 400, "invalid_value", null));
    c.add(new Case("nested junk as the value", event("revenue", "{\"a\": [[{\"b\": [1, {}]}]]}", ""), 400,
        "invalid_value", null));
    c.add(new Case("-0.0 counts as 0", event("revenue", "-0.0", ""), 200, null, 0.0));
    c.add(new Case("1e12, the default bound", event("revenue", "1e12", ""), 200, null, 1e12));
    c.add(new Case("-1e12, the default bound", event("revenue", "-1e12", ""), 200, null, -1e12));
    c.add(new Case("just above the default bound", event("revenue", "1.0000000001e12", ""), 400, "invalid_value",
        null));
    c.add(new Case("a small value next to huge ones", event("revenue", "0.125", ""), 200, null, 0.125));
    c.add(new Case("rating at min", event("rating", "1", ""), 200, null, null));
    c.add(new Case("rating at max", event("rating", "5", ""), 200, null, null));
    c.add(new Case("rating just below min", event("rating", "0.999", ""), 400, "invalid_value", null));
    c.add(new Case("rating just above max", event("rating", "5.000001", ""), 400, "invalid_value", null));
    c.add(new Case("2 on a binary metric", event("click", "2", ""), 400, "invalid_value", null));
    c.add(new Case("true on a binary metric", event("click", "true", ""), 200, null, null));
    c.add(new Case("timestamp year +300000000", event("revenue", "1",
        ", \"timestamp\": \"+300000000-01-01T00:00:00Z\""), 400, "invalid_event", null));
    c.add(new Case("timestamp year -300000000", event("revenue", "1",
        ", \"timestamp\": \"-300000000-01-01T00:00:00Z\""), 400, "invalid_event", null));
    c.add(new Case("timestamp 1e300 ms", event("revenue", "1", ", \"timestamp\": 1e300"), 400, "invalid_event",
        null));
    c.add(new Case("timestamp Long.MAX_VALUE ms", event("revenue", "1", ", \"timestamp\": 9223372036854775807"),
        400, "invalid_event", null));
    c.add(new Case("timestamp -1 ms", event("revenue", "1", ", \"timestamp\": -1"), 400, "invalid_event", null));
    c.add(new Case("timestamp not a date", event("revenue", "1", ", \"timestamp\": \"2026-13-45\""), 400,
        "invalid_event", null));
    c.add(new Case("timestamp an object", event("revenue", "1", ", \"timestamp\": {\"t\": 1}"), 400,
        "invalid_event", null));
    c.add(new Case("eventId of 1 MB", "{\"requestId\": \"" + RID + "\", \"eventId\": \"" + MB
        + "\", \"metric\": \"revenue\", \"value\": 1}", 400, "invalid_event", null));
    c.add(new Case("metric name of 1 MB", event(MB, "1", ""), 404, "unknown_metric", null));
    c.add(new Case("requestId of 1 MB", "{\"requestId\": \"" + MB
        + "\", \"eventId\": \"big-rid\", \"metric\": \"revenue\", \"value\": 1}", 404, "unknown_request", null));
    c.add(new Case("requestId as nested junk", "{\"requestId\": {\"a\": [1, [2, {\"b\": null}]]}, "
        + "\"eventId\": \"junk-rid\", \"metric\": \"revenue\", \"value\": 1}", 400, "invalid_event", null));
    c.add(new Case("nesting 100,000 deep", "[".repeat(100_000) + "]".repeat(100_000), 400, "bad_request", null));
    c.add(new Case("a bare number", "42", 400, "bad_request", null));
    c.add(new Case("events not a list", "{\"events\": {\"a\": 1}}", 400, "bad_request", null));
    c.add(new Case("not JSON", "{\"events\": [", 400, "bad_request", null));
    return c.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyAbusiveEventGetsAClearAnswerAndResultsKeepAnswering(Case c) {
    Harness.Reply r = post(gw, c.body());
    assertEquals(c.status(), r.status(), c.name() + ": " + clip(r.body().toString()));
    assertTrue(r.body().length() < 4096, "the answer echoes at most a short prefix: " + r.body().length() + " bytes");
    JsonObject body = r.json();
    if (c.status() == 200 || body.containsKey("results")) {
      JsonObject result = body.getJsonArray("results").getJsonObject(0);
      assertEquals(c.code(), result.getString("code"), c.name() + ": " + result);
      String eventId = result.getString("eventId");
      assertTrue(eventId == null || eventId.length() <= 129, "echoed event id cut: " + eventId.length());
    } else {
      assertEquals(c.code(), body.getString("error"), c.name() + ": " + body);
      assertNotNull(body.getString("requestId"));
    }
    if (c.revenue() != null) {
      accepted.add(c.revenue());
    }
    assertResultsAnswerWithTheReferenceSums();
  }

  /** Results JSON and CSV answer, and the served arm's revenue count and mean equal the exact reference. */
  static void assertResultsAnswerWithTheReferenceSums() {
    Harness.Reply json = h.get(gw.adminPort(), "/v1/experiments/e/results");
    assertEquals(200, json.status(), json.body().toString());
    Harness.Reply csv = h.get(gw.adminPort(), "/v1/experiments/e/results?format=csv");
    assertEquals(200, csv.status(), csv.body().toString());
    assertTrue(csv.body().toString().contains("'=cmd"), "slice values are neutralised in the CSV");
    JsonObject revenue = metric(json.json(), arm, "revenue");
    assertEquals(accepted.size(), revenue.getLong("count"));
    if (!accepted.isEmpty()) {
      BigDecimal sum = BigDecimal.ZERO;
      for (double v : accepted) {
        sum = sum.add(new BigDecimal(v));
      }
      double mean = sum.divide(BigDecimal.valueOf(accepted.size()), MathContext.DECIMAL128).doubleValue();
      // compensated sums: within a few ulps of the largest partial sum (1e12), i.e. 1e-3 absolute
      assertEquals(mean, revenue.getDouble("mean"), 1e-3, "mean of " + accepted);
    }
  }

  static JsonObject metric(JsonObject results, String armId, String name) {
    for (Object o : results.getJsonArray("arms")) {
      JsonObject x = (JsonObject) o;
      if (armId.equals(x.getString("arm"))) {
        for (Object m : x.getJsonArray("metrics")) {
          if (name.equals(((JsonObject) m).getString("metric"))) {
            return (JsonObject) m;
          }
        }
      }
    }
    throw new AssertionError("no metric " + name + " of arm " + armId + " in " + results);
  }

  private static String clip(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  @Test
  void aBatchOverTenThousandEventsIsRefusedWhole() {
    JsonArray events = new JsonArray();
    for (int i = 0; i <= 10_000; i++) {
      events.add(new JsonObject().put("requestId", RID).put("eventId", "over-" + i).put("metric", "click")
          .put("value", 1));
    }
    Harness.Reply r = post(gw, new JsonObject().put("events", events).encode());
    assertEquals(400, r.status());
    assertEquals("events: 10001 (expected: at most 10000)", r.json().getString("message"));
    assertEquals(200, h.get(gw.adminPort(), "/v1/experiments/e/results").status());
  }

  @Test
  void aBatchOfTenThousandWithOneBadEventCountsTheOthers() {
    String rid = "batch-request";
    String served = expose(gw, rid, "bob");
    long before = metric(h.get(gw.adminPort(), "/v1/experiments/e/results").json(), served, "rating").getLong("count");
    JsonArray events = new JsonArray();
    for (int i = 0; i < 10_000; i++) {
      events.add(new JsonObject().put("requestId", rid).put("eventId", "batch-" + i).put("metric", "rating")
          .put("value", i == 4321 ? 1e200 : 1 + i % 5));
    }
    String body = new JsonObject().put("events", events).encode();
    assertTrue(body.length() > FeedbackEndpoint.PARSE_ON_LOOP_BYTES, "parsed off the event loop");
    Harness.Reply r = post(gw, body);
    assertEquals(200, r.status());
    JsonObject answer = r.json();
    assertEquals(9_999, answer.getInteger("accepted"));
    assertEquals(1, answer.getInteger("rejected"));
    assertEquals("invalid_value", answer.getJsonArray("results").getJsonObject(4321).getString("code"));
    JsonObject rating = metric(h.get(gw.adminPort(), "/v1/experiments/e/results").json(), served, "rating");
    assertEquals(before + 9_999, rating.getLong("count"));
    assertEquals(200, h.get(gw.adminPort(), "/v1/experiments/e/results?format=csv").status());
  }

  @Test
  void apiAnswersCarryTheClientsSaneRequestIdOrANewOne() {
    Harness.Reply mine = h.send(gw.adminPort(), HttpMethod.GET, "/v1/experiments/nope", Map.of("X-Request-Id", "trace-42"),
        null);
    assertEquals(404, mine.status());
    assertEquals("trace-42", mine.header("X-Request-Id"));
    assertEquals("trace-42", mine.json().getString("requestId"));
    for (String insane : new String[] {"has space", "x".repeat(201), "tab\there", "\u00e9t\u00e9"}) {
      Harness.Reply r = h.send(gw.port(), HttpMethod.GET, "/healthz", Map.of("X-Request-Id", insane), null);
      assertTrue(r.header("X-Request-Id").matches("[0-9a-f]{32}"), insane + " -> " + r.header("X-Request-Id"));
    }
    Harness.Reply fb = post(gw, "{");
    assertEquals(fb.header("X-Request-Id"), fb.json().getString("requestId"));
  }

  @Test
  void bodiesBeyondTheSharedBudgetAreRefusedWith503AndTheBudgetIsGivenBackOnClose() throws Exception {
    long declared = 30_000_000; // two fit in 64 MiB, a third does not
    try (Socket s1 = open(declared); Socket s2 = open(declared)) {
      await(() -> held() == 2 * declared);
      try (Socket s3 = open(declared)) {
        String head = readHead(s3);
        assertTrue(head.startsWith("HTTP/1.1 503"), head);
        assertTrue(head.toLowerCase().contains("retry-after: 1"), head);
      }
      assertEquals(1, feedbackBodies().getLong("refused"));
      try (Socket big = open(40L << 20)) {
        assertTrue(readHead(big).startsWith("HTTP/1.1 413"), "over maxBodyBytes by Content-Length");
      }
      s1.close();
      await(() -> held() == declared);
      assertEquals(200, post(gw, event("click", "1", "")).status(), "room again");
    }
    await(() -> held() == 0);
  }

  private static Socket open(long contentLength) throws IOException {
    Socket s = new Socket("127.0.0.1", gw.adminPort());
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    out.write(("POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + contentLength + "\r\n\r\n{\"events\": [").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  private static String readHead(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    return sb.toString();
  }

  private static JsonObject feedbackBodies() {
    return h.get(gw.port(), "/readyz").json().getJsonObject("feedbackBodies");
  }

  private static long held() {
    return feedbackBodies().getLong("heldBytes");
  }

  /** Waits for a condition the gateway reaches asynchronously (at most 10 s). */
  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "condition not reached within 10 s: " + feedbackBodies());
      Thread.sleep(20);
    }
  }

  @Test
  void memoryAndRedisAgreeOnTheSameEventsAndCorruptSharedSumsAnswer500() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      Gateway mem = Harness.gateway(yaml(""));
      Gateway red = Gateway.start(Harness.parse(yaml("state:\n  redis: { uri: \"" + redis.uri()
          + "\", flushInterval: 50ms }\n")), Stores::forConfig).await();
      try {
        // until Redis answers, event ids cannot be checked across instances and events are refused for a retry
        await(() -> "ready".equals(h.get(red.port(), "/readyz").json().getString("status")));
        List<String> rids = new ArrayList<>();
        Map<String, String> armOf = new LinkedHashMap<>();
        for (int u = 0; u < 16; u++) {
          String rid = "agree-" + u;
          String x = expose(mem, rid, "user-" + u);
          assertEquals(x, expose(red, rid, "user-" + u), "same salt, same arm");
          rids.add(rid);
          armOf.put(rid, x);
        }
        SplittableRandom rng = new SplittableRandom(16);
        Map<String, List<Double>> reference = new LinkedHashMap<>();
        int seq = 0;
        for (int round = 0; round < 5; round++) { // several flushes: Redis adds the deltas of each
          JsonArray events = new JsonArray();
          for (int i = 0; i < 400; i++) {
            String rid = rids.get(rng.nextInt(rids.size()));
            double v = switch (rng.nextInt(6)) {
              case 0 -> 1e12;
              case 1 -> -1e12;
              case 2 -> -0.0;
              case 3 -> 1e200; // rejected by both
              default -> (rng.nextBoolean() ? 1 : -1) * Math.pow(10, rng.nextInt(-3, 12)) * rng.nextDouble();
            };
            events.add(new JsonObject().put("requestId", rid).put("eventId", "agree-" + seq++)
                .put("metric", "revenue").put("value", v));
            if (Math.abs(v) <= 1e12) {
              reference.computeIfAbsent(armOf.get(rid), k -> new ArrayList<>()).add(v);
            }
          }
          JsonObject m = post(mem, new JsonObject().put("events", events).encode()).json();
          JsonObject r = post(red, new JsonObject().put("events", events).encode()).json();
          assertEquals(m.getInteger("accepted"), r.getInteger("accepted"));
          assertEquals(m.getInteger("rejected"), r.getInteger("rejected"));
          int total = reference.values().stream().mapToInt(List::size).sum();
          long deadline = System.nanoTime() + 10_000_000_000L;
          while (count(red) != total) {
            assertTrue(System.nanoTime() < deadline, "Redis figures did not reach " + total);
            Thread.sleep(20);
          }
        }
        JsonObject memResults = h.get(mem.adminPort(), "/v1/experiments/e/results").json();
        JsonObject redResults = h.get(red.adminPort(), "/v1/experiments/e/results").json();
        assertEquals("redis", redResults.getString("figures"));
        for (var e : reference.entrySet()) {
          JsonObject mm = metric(memResults, e.getKey(), "revenue");
          JsonObject rm = metric(redResults, e.getKey(), "revenue");
          double[] want = meanAndSd(e.getValue());
          assertEquals(e.getValue().size(), mm.getLong("count"));
          assertEquals(e.getValue().size(), rm.getLong("count"));
          // relative 1e-12 of the sd: sums of squares near 1e26 with 53-bit (memory) and 64-bit (Redis) doubles
          for (JsonObject x : new JsonObject[] {mm, rm}) {
            assertEquals(want[0], x.getDouble("mean"), want[1] * 1e-12, "mean, arm " + e.getKey() + ": " + x);
            assertEquals(want[1], x.getDouble("sd"), want[1] * 1e-12, "sd, arm " + e.getKey() + ": " + x);
          }
        }

        // shared sums corrupted outside Vane: the results answer 500 with the request id, not silence
        String version = h.get(red.adminPort(), "/v1/experiments/e").json().getString("version");
        String key = RedisKeys.armOutcomes("e", version, armOf.get("agree-0"));
        redis.call("HSET", key, "revenue.sum", "Infinity");
        Harness.Reply broken = h.send(red.adminPort(), HttpMethod.GET, "/v1/experiments/e/results",
            Map.of("X-Request-Id", "corrupt-1"), null);
        assertEquals(500, broken.status());
        assertEquals("internal", broken.json().getString("error"));
        assertEquals("corrupt-1", broken.json().getString("requestId"));
        assertEquals("corrupt-1", broken.header("X-Request-Id"));
        assertNull(broken.json().getValue("stack"));
        assertTrue(broken.json().getString("message").length() < 100, broken.json().getString("message"));
        assertEquals(500, h.get(red.adminPort(), "/v1/experiments/e/results?format=csv").status());
        assertEquals(200, h.get(red.adminPort(), "/v1/experiments/e").status(), "figures without outcomes still answer");
      } finally {
        mem.close();
        red.close();
      }
    }
  }

  /** Revenue events over every arm, as summed in Redis; -1 while the results are this instance's only. */
  private static long count(Gateway g) {
    JsonObject res = h.get(g.adminPort(), "/v1/experiments/e/results").json();
    if (!"redis".equals(res.getString("figures"))) {
      return -1;
    }
    long n = 0;
    for (Object o : res.getJsonArray("arms")) {
      n += metric(res, ((JsonObject) o).getString("arm"), "revenue").getLong("count");
    }
    return n;
  }

  /** Mean and sample standard deviation, exactly (BigDecimal) and rounded once. */
  private static double[] meanAndSd(List<Double> xs) {
    BigDecimal s = BigDecimal.ZERO;
    BigDecimal q = BigDecimal.ZERO;
    for (double x : xs) {
      BigDecimal b = new BigDecimal(x);
      s = s.add(b);
      q = q.add(b.multiply(b));
    }
    BigDecimal n = BigDecimal.valueOf(xs.size());
    BigDecimal mean = s.divide(n, MathContext.DECIMAL128);
    BigDecimal var = q.subtract(s.multiply(mean)).divide(n.subtract(BigDecimal.ONE), MathContext.DECIMAL128);
    return new double[] {mean.doubleValue(), Math.sqrt(var.doubleValue())};
  }
}
