package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin listener end to end on a real gateway: every endpoint against every kind of caller, If-Match races,
 * invalid configs, rollback, the kill switch, the audit log, and no token ever echoed in a response or a log line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminApiTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final String ADMIN = SecretWatch.secret("admin");
  static final String OPERATOR = SecretWatch.secret("operator");
  static final String VIEWER = SecretWatch.secret("viewer");
  static final String FEEDBACK = SecretWatch.secret("feedback");
  static final String WRONG = SecretWatch.secret("wrong");
  static final List<String> SECRETS = List.of(ADMIN, OPERATOR, VIEWER, FEEDBACK, WRONG);
  /** Every reply the tests saw, checked for secrets at the end. */
  static final ConcurrentLinkedQueue<Harness.Reply> replies = new ConcurrentLinkedQueue<>();
  static final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  static PrintStream stderr;
  static Gateway gw;
  static String yaml;

  @BeforeAll
  static void start() throws Exception {
    stderr = System.err;
    // the log console writes to whatever System.err is when it logs: keep a copy of everything logged meanwhile
    System.setErr(new PrintStream(new Tee(stderr, logs), true, StandardCharsets.UTF_8));
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    yaml = """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        admin:
          auth:
            tokens:
              - { name: alice, token: %s, roles: [admin] }
              - { name: oscar, token: "%s", roles: [operator] }
              - { name: vera, token: %s, roles: [viewer] }
              - { name: fred, token: %s, roles: [feedback] }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments:
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 10 }
            metrics: [ { name: click, kind: binary } ]
        """.formatted(ADMIN, OPERATOR, VIEWER, FEEDBACK, a.url(), b.url());
    gw = fx.gateway(yaml);
  }

  @AfterAll
  static void restoreStderr() {
    System.setErr(stderr);
  }

  static Harness.Reply call(String token, HttpMethod method, String path, String body, Map<String, String> more) {
    Map<String, String> headers = new HashMap<>(more);
    if (token != null) {
      headers.put("Authorization", "Bearer " + token);
    }
    Harness.Reply r = h.send(gw.adminPort(), method, path, headers, body == null ? null : Buffer.buffer(body));
    replies.add(r);
    return r;
  }

  static Harness.Reply call(String token, HttpMethod method, String path, String body) {
    return call(token, method, path, body, Map.of());
  }

  /** One admin endpoint and the status each caller gets: none, wrong, viewer, feedback, operator, admin. */
  record Row(HttpMethod method, String path, String body, int[] expected) {}

  static Row row(HttpMethod m, String path, String body, int... expected) {
    return new Row(m, path, body, expected);
  }

  @Test
  @Order(1)
  void everyEndpointAnswersEveryCallerWithItsRole() {
    HttpMethod get = HttpMethod.GET;
    HttpMethod post = HttpMethod.POST;
    // requests an authorized caller gets a deterministic answer to, whatever ran before: reads, and writes that are
    // refused after authorization (unknown experiment, no-op ramp, missing If-Match, unknown version)
    List<Row> rows = List.of(
        //                                                                  none wrong viewer feedback operator admin
        row(get, "/healthz", null, 200, 200, 200, 200, 200, 200),
        row(get, "/readyz", null, 200, 200, 200, 200, 200, 200),
        row(get, "/v1/experiments", null, 401, 401, 200, 403, 200, 200),
        row(get, "/v1/experiments/e", null, 401, 401, 200, 403, 200, 200),
        row(get, "/v1/experiments/e/results", null, 401, 401, 200, 403, 200, 200),
        row(post, "/v1/feedback", "{\"events\": 1}", 401, 401, 403, 400, 403, 400),
        row(get, "/admin/v1/config", null, 401, 401, 200, 403, 200, 200),
        row(HttpMethod.PUT, "/admin/v1/config", "endpoints: []", 401, 401, 403, 403, 403, 428),
        row(get, "/admin/v1/config/history", null, 401, 401, 200, 403, 200, 200),
        row(get, "/admin/v1/config/versions/1", null, 401, 401, 200, 403, 200, 200),
        row(get, "/admin/v1/config/diff?from=1&to=1", null, 401, 401, 200, 403, 200, 200),
        row(post, "/admin/v1/config/rollback", "{\"version\": 999}", 401, 401, 403, 403, 403, 404),
        row(post, "/admin/v1/experiments/e/ramp", "{\"percent\": 10}", 401, 401, 403, 403, 409, 409),
        row(post, "/admin/v1/experiments/nope/pause", "{}", 401, 401, 403, 403, 404, 404),
        row(post, "/admin/v1/experiments/e/resume", "{}", 401, 401, 403, 403, 409, 409),
        row(post, "/admin/v1/experiments/nope/promote", "{}", 401, 401, 403, 403, 404, 404),
        row(post, "/admin/v1/experiments/nope/rollback", "{}", 401, 401, 403, 403, 404, 404),
        row(get, "/admin/v1/audit", null, 401, 401, 200, 403, 200, 200),
        row(get, "/admin/v1/whoami", null, 401, 401, 200, 200, 200, 200));
    String[] callers = {null, WRONG, VIEWER, FEEDBACK, OPERATOR, ADMIN};
    String[] names = {"none", "wrong", "viewer", "feedback", "operator", "admin"};
    List<String> wrong = new ArrayList<>();
    for (Row r : rows) {
      for (int i = 0; i < callers.length; i++) {
        Harness.Reply reply = call(callers[i], r.method(), r.path(), r.body());
        if (reply.status() != r.expected()[i]) {
          wrong.add(r.method() + " " + r.path() + " as " + names[i] + ": " + reply.status() + " (expected "
              + r.expected()[i] + ") " + reply.body());
        }
        if (reply.status() == 401 || reply.status() == 403) {
          assertEquals(reply.status() == 401 ? "unauthorized" : "forbidden", reply.json().getString("error"));
          assertNotNull(reply.json().getString("requestId"));
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    assertTrue(gw.denials().unauthenticated() >= 2L * (rows.size() - 2));
    assertTrue(gw.denials().forbidden() > 0);
  }

  @Test
  @Order(2)
  void concurrentWritersWithTheSameIfMatchGetExactlyOneSuccess() throws Exception {
    Harness.Reply current = call(VIEWER, HttpMethod.GET, "/admin/v1/config", null);
    String etag = current.header("ETag");
    assertNotNull(etag);
    List<CompletableFuture<Harness.Reply>> writers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String doc = yaml.replace("percent: 10", "percent: " + (20 + i));
      writers.add(CompletableFuture.supplyAsync(() -> call(ADMIN, HttpMethod.PUT, "/admin/v1/config", doc,
          Map.of("If-Match", etag, "X-Vane-Message", "race"))));
    }
    Map<Integer, Integer> byStatus = new LinkedHashMap<>();
    for (CompletableFuture<Harness.Reply> w : writers) {
      byStatus.merge(w.get().status(), 1, Integer::sum);
    }
    assertEquals(Map.of(200, 1, 409, 7), byStatus);
    long version = call(VIEWER, HttpMethod.GET, "/admin/v1/config/history", null).json().getLong("applied");
    assertEquals(Long.parseLong(etag.replace("\"", "").split("\\.")[0]) + 1, version);
  }

  @Test
  @Order(3)
  void anInvalidConfigIs422WithEveryPathAndNothingChanges() {
    Harness.Reply before = call(VIEWER, HttpMethod.GET, "/admin/v1/config", null);
    String bad = yaml.replace("percent: 10", "percent: 140").replace("endpoint: a }", "endpoint: zz }");
    Harness.Reply r = call(ADMIN, HttpMethod.PUT, "/admin/v1/config", bad, Map.of("If-Match", before.header("ETag")));
    assertEquals(422, r.status(), r.body().toString());
    JsonArray errors = r.json().getJsonArray("errors");
    List<String> paths = new ArrayList<>();
    errors.forEach(e -> paths.add(((JsonObject) e).getString("path")));
    assertTrue(paths.contains("experiments[0].canary.percent"), paths.toString());
    assertTrue(paths.contains("experiments[0].champion.endpoint"), paths.toString());
    Harness.Reply after = call(VIEWER, HttpMethod.GET, "/admin/v1/config", null);
    assertEquals(before.header("ETag"), after.header("ETag"));
    assertEquals(before.body(), after.body());
  }

  @Test
  @Order(4)
  void rollbackMakesANewVersionWithTheTargetsContentHash() {
    JsonObject v1 = call(VIEWER, HttpMethod.GET, "/admin/v1/config/versions/1", null).json();
    Harness.Reply r = call(ADMIN, HttpMethod.POST, "/admin/v1/config/rollback",
        "{\"version\": 1, \"message\": \"back to the start\"}");
    assertEquals(200, r.status(), r.body().toString());
    assertEquals(v1.getString("hash"), r.json().getString("hash"));
    assertTrue(r.json().getLong("version") > 1);
    assertEquals("alice", r.json().getString("author"));
    assertTrue(r.json().getString("message").contains("rollback to version 1"), r.json().encode());
    assertEquals(1000, gw.config().routing().experiment("e").arm("canary").weightBps());
  }

  @Test
  @Order(5)
  void theKillSwitchSendsEveryoneToTheChampionAndResumeRestoresEachStickyArm() {
    Map<String, String> before = new HashMap<>();
    for (int u = 0; u < 200; u++) {
      before.put("u" + u, h.post(gw.port(), "/e/x", "u" + u, "{}").header("X-Vane-Variant"));
    }
    assertTrue(before.containsValue("canary"), "some users on the canary");
    Harness.Reply paused = call(OPERATOR, HttpMethod.POST, "/admin/v1/experiments/e/pause",
        "{\"reason\": \"drill\"}");
    assertEquals(200, paused.status(), paused.body().toString());
    assertNotNull(paused.json().getString("stickiness"));
    assertEquals("oscar", paused.json().getString("author"));
    for (int u = 0; u < 200; u++) {
      assertEquals("a", h.post(gw.port(), "/e/x", "u" + u, "{}").header("X-Backend"), "paused: champion only");
    }
    assertEquals(409, call(OPERATOR, HttpMethod.POST, "/admin/v1/experiments/e/pause", "{}").status());
    assertEquals(200, call(OPERATOR, HttpMethod.POST, "/admin/v1/experiments/e/resume", "{}").status());
    for (int u = 0; u < 200; u++) {
      assertEquals(before.get("u" + u), h.post(gw.port(), "/e/x", "u" + u, "{}").header("X-Vane-Variant"),
          "u" + u + " back on its arm");
    }
    Harness.Reply ramp = call(OPERATOR, HttpMethod.POST, "/admin/v1/experiments/e/ramp", "{\"percent\": 50}");
    assertEquals(200, ramp.status(), ramp.body().toString());
    assertEquals(5000, gw.config().routing().experiment("e").arm("canary").weightBps());
  }

  @Test
  @Order(6)
  void everyWriteAndRefusedWriteIsAudited() {
    JsonArray entries = call(VIEWER, HttpMethod.GET, "/admin/v1/audit?limit=1000", null).json()
        .getJsonArray("entries");
    List<String> actions = new ArrayList<>();
    entries.forEach(e -> actions.add(((JsonObject) e).getString("actor") + " " + ((JsonObject) e).getString("action")
        + " " + ((JsonObject) e).getInteger("status")));
    assertTrue(actions.contains("alice config.replace 200"), actions.toString());
    assertTrue(actions.contains("alice config.rollback 200"), actions.toString());
    assertTrue(actions.contains("oscar experiment.pause 200"), actions.toString());
    assertTrue(actions.contains("oscar experiment.ramp 200"), actions.toString());
    assertTrue(actions.stream().anyMatch(a -> a.startsWith("vera auth.denied POST /admin/v1/experiments/e/ramp 403")),
        actions.toString());
    assertTrue(actions.stream().anyMatch(a -> a.endsWith(" 401") && a.contains("auth.denied")), actions.toString());
    JsonObject ramp = null;
    for (Object o : entries) {
      if (((JsonObject) o).getString("action").equals("experiment.ramp")
          && ((JsonObject) o).getInteger("status") == 200) {
        ramp = (JsonObject) o;
      }
    }
    assertNotNull(ramp);
    assertTrue(ramp.getString("diff").contains("percent: 50"), ramp.getString("diff"));
    assertNotNull(ramp.getLong("version"));
  }

  @Test
  @Order(7)
  void theConfigAsShownHoldsNoTokenAndCannotBeWrittenBackWithARedactedOne() {
    Harness.Reply shown = call(VIEWER, HttpMethod.GET, "/admin/v1/config", null);
    String text = shown.body().toString();
    assertTrue(text.contains("<redacted>"), text);
    Harness.Reply back = call(ADMIN, HttpMethod.PUT, "/admin/v1/config", text, Map.of("If-Match",
        shown.header("ETag")));
    assertEquals(422, back.status());
    assertTrue(back.json().getJsonArray("errors").getJsonObject(0).getString("message").contains("redacted"));
  }

  @Test
  @Order(8)
  void readinessShowsTheAppliedVersionTheStoreAndTheRefusals() {
    JsonObject control = h.get(gw.port(), "/readyz").json().getJsonObject("control");
    long applied = call(VIEWER, HttpMethod.GET, "/admin/v1/config/history", null).json().getLong("applied");
    assertEquals(applied, control.getLong("appliedVersion"));
    assertTrue(control.getString("configStore").startsWith("memory"), control.encode());
    assertEquals(gw.denials().unauthenticated(), control.getLong("unauthenticated"));
    assertEquals(gw.denials().forbidden(), control.getLong("forbidden"));
    assertTrue(control.getLong("forbidden") > 0);
  }

  @Test
  @Order(100)
  void noSecretAppearsInAnyResponseOrLogLine() {
    System.err.flush();
    String logged = logs.toString(StandardCharsets.UTF_8);
    assertFalse(logged.isEmpty(), "the gateway logged something (refusals at least)");
    assertTrue(logged.contains("401"), "refusals are logged");
    for (String secret : SECRETS) {
      assertFalse(logged.contains(secret), "a log line holds a secret");
      for (Harness.Reply r : replies) {
        assertFalse(r.body().toString().contains(secret), "a response body holds a secret: " + r.body());
        r.headers().forEach(e -> assertFalse(e.getValue().contains(secret), "a header holds a secret"));
      }
    }
    assertNotEquals(0, replies.size());
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) {
      try {
        a.write(c);
      } catch (java.io.IOException e) {
        // the console only
      }
      synchronized (b) {
        try {
          b.write(c);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) {
      try {
        a.write(buf, off, len);
      } catch (java.io.IOException e) {
        // the console only
      }
      synchronized (b) {
        try {
          b.write(buf, off, len);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
  }
}
