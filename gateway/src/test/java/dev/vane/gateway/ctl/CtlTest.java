package dev.vane.gateway.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.Gateway;
import dev.vane.gateway.Main;
import dev.vane.gateway.TestBackend;
import dev.vane.gateway.control.ControlPlane;
import dev.vane.gateway.VaneFixtures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vane ctl} run in-process, as picocli runs it from {@code main}, against a real gateway on loopback. */
class CtlTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");

  static final String OPS = dev.vane.gateway.SecretWatch.secret("ops");
  static final String VIEWER = dev.vane.gateway.SecretWatch.secret("viewer");

  @TempDir Path dir;
  Gateway gw;
  Path opsToken;

  static String yaml(int canaryPercent) {
    return """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        admin:
          auth:
            tokens:
              - { name: ops, token: "%s", roles: [admin] }
              - { name: viewer, token: "%s", roles: [viewer] }
        endpoints:
          - { id: a, url: "%s" }
          - { id: b, url: "%s" }
        routes:
          - { pathPrefix: /fraud/, experiment: canary }
          - { pathPrefix: /v2/, experiment: ab }
        experiments:
          - { id: canary, champion: { endpoint: a }, canary: { endpoint: b, percent: %d } }
          - id: ab
            variants:
              - { id: a, endpoint: a, weight: 5000 }
              - { id: b, endpoint: b, weight: 5000 }
        """.formatted(OPS, VIEWER, a.url(), b.url(), canaryPercent);
  }

  record Run(int code, String out, String err) {
    JsonObject json() {
      return new JsonObject(out);
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  /** The document as the API shows it: literal tokens redacted. */
  static String shown(int canaryPercent) {
    return ControlPlane.redact(yaml(canaryPercent));
  }

  void start() throws Exception {
    gw = fx.gateway(yaml(5));
    opsToken = token("ops", OPS);
  }

  Path token(String name, String value) throws Exception {
    Path p = dir.resolve(name + ".token");
    Files.writeString(p, value + "\n");
    return p;
  }

  String url() {
    return "http://127.0.0.1:" + gw.adminPort();
  }

  /** {@code vane ctl --url <gateway> --token-file <ops> args...}. */
  Run ctl(String... args) {
    List<String> all = new ArrayList<>(List.of("ctl", "--url", url(), "--token-file", opsToken.toString()));
    all.addAll(List.of(args));
    return raw(all.toArray(String[]::new));
  }

  /** {@code vane args...}, checking that no token is ever printed. */
  static Run raw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    Run r = new Run(cmd.execute(args), out.toString(), err.toString());
    for (String secret : new String[] {OPS, VIEWER, dev.vane.gateway.SecretWatch.secret("wrong")}) {
      assertFalse(r.out().contains(secret) || r.err().contains(secret), "a token was printed:\n" + r);
    }
    return r;
  }

  static Run expect(int code, Run r) {
    assertEquals(code, r.code(), r.toString());
    return r;
  }

  Path file(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void statusShowsReadinessTheConfigAndEachExperimentsArms() throws Exception {
    start();
    Run r = expect(0, ctl("status"));
    assertTrue(r.out().contains("status:  ready"), r.toString());
    assertTrue(r.out().matches("(?s).*canary\\s+no\\s+champion 9500bps 0 exp  canary 500bps 0 exp.*"), r.toString());
    assertTrue(r.out().matches("(?s).*ab\\s+no\\s+a 5000bps 0 exp  b 5000bps 0 exp.*"), r.toString());
    JsonObject j = expect(0, ctl("status", "-o", "json")).json();
    assertEquals("ready", j.getJsonObject("readyz").getString("status"));
    assertEquals(2, j.getJsonObject("experiments").getJsonArray("experiments").size());
  }

  @Test
  void getConfigPrintsTheDocumentAsYamlOrAsJson() throws Exception {
    start();
    assertEquals(shown(5), expect(0, ctl("get", "config")).out());
    assertEquals(shown(5), expect(0, ctl("get", "config", "-o", "yaml")).out());
    JsonObject j = expect(0, ctl("-o", "json", "get", "config")).json();
    assertEquals(1, j.getInteger("version"));
    assertEquals(shown(5), j.getString("content"));
    assertTrue(j.getString("content").contains("token: \"<redacted>\""));
  }

  @Test
  void applyShowsTheDiffThenReplacesTheConfigWithItsMessage() throws Exception {
    start();
    Path next = file("next.yaml", yaml(10));
    Run r = expect(0, ctl("apply", "-f", next.toString(), "--message", "canary to 10", "--yes"));
    assertTrue(r.out().startsWith("--- version 1\n+++ " + next + "\n@@ "), r.toString());
    assertTrue(r.out().contains("\n-  - { id: canary, champion: { endpoint: a }, canary: { endpoint: b, percent: 5 } }\n"
        + "+  - { id: canary, champion: { endpoint: a }, canary: { endpoint: b, percent: 10 } }\n"), r.toString());
    assertTrue(r.out().contains("version 2 applied: "), r.toString());
    assertEquals(shown(10), expect(0, ctl("get", "config")).out());
    JsonObject v2 = expect(0, ctl("history", "-o", "json")).json().getJsonArray("versions").getJsonObject(0);
    assertEquals("canary to 10", v2.getString("message"));
    assertEquals("ops", v2.getString("author"));
    // the same file again: nothing to apply
    assertTrue(expect(0, ctl("apply", "-f", next.toString(), "--yes")).out().startsWith("no changes"));
  }

  @Test
  void applyAsksAndOnlyAYesApplies() throws Exception {
    start();
    Path next = file("next.yaml", yaml(20));
    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream("n\n".getBytes(StandardCharsets.UTF_8)));
      Run no = expect(1, ctl("apply", "-f", next.toString()));
      assertTrue(no.out().endsWith("Apply? [y/N] "), no.toString());
      assertTrue(no.err().contains("not applied"), no.toString());
      assertEquals(shown(5), expect(0, ctl("get", "config")).out());
      System.setIn(new ByteArrayInputStream("y\n".getBytes(StandardCharsets.UTF_8)));
      assertTrue(expect(0, ctl("apply", "-f", next.toString())).out().contains("version 2 applied"));
    } finally {
      System.setIn(stdin);
    }
    assertEquals(shown(20), expect(0, ctl("get", "config")).out());
  }

  @Test
  void anInvalidFileChangesNothingAndEachErrorIsPrintedWithItsPath() throws Exception {
    start();
    Path bad = file("bad.yaml", yaml(140).replace("endpoint: b, percent", "endpoint: zz, percent"));
    Run r = expect(5, ctl("apply", "-f", bad.toString(), "--yes"));
    assertTrue(r.err().contains("vane ctl: 422 invalid_config: 2 error(s); nothing changed (request id "), r.toString());
    assertTrue(r.err().contains("\n  experiments[0].canary.percent: 140 (expected: 0..100)\n"), r.toString());
    assertTrue(r.err().contains("\n  experiments[0].canary.endpoint: \"zz\" (expected: one of the endpoints [a, b])\n"),
        r.toString());
    assertEquals(shown(5), expect(0, ctl("get", "config")).out());
  }

  @Test
  void diffIsComputedHereAndChangesNothing() throws Exception {
    start();
    Path next = file("next.yaml", yaml(50));
    Run r = expect(0, ctl("diff", "-f", next.toString()));
    assertTrue(r.out().startsWith("--- version 1\n+++ " + next + "\n"), r.toString());
    assertTrue(r.out().contains("\n+  - { id: canary, champion: { endpoint: a }, canary: { endpoint: b, percent: 50 } }\n"),
        r.toString());
    assertEquals("", expect(0, ctl("diff", "-f", file("same.yaml", yaml(5)).toString())).out());
    assertEquals(1, expect(0, ctl("history", "-o", "json")).json().getJsonArray("versions").size());
  }

  @Test
  void experimentOperationsEachWriteAVersionAndSayWhatHappensToStickyUnits() throws Exception {
    start();
    Run ramp = expect(0, ctl("ramp", "canary", "25", "--reason", "looks good"));
    assertTrue(ramp.out().startsWith("version 2 applied: "), ramp.toString());
    assertTrue(ramp.out().contains("experiment canary: canary 5% -> 25%"), ramp.toString());
    assertEquals(2, ramp.out().lines().count(), "the summary and the stickiness sentence: " + ramp);
    Run weights = expect(0, ctl("ramp", "ab", "--weights", "a=7000,b=3000"));
    assertTrue(weights.out().startsWith("version 3 applied: "), weights.toString());
    expect(0, ctl("pause", "ab", "--reason", "incident 42"));
    assertTrue(expect(0, ctl("status")).out().matches("(?s).*ab\\s+yes\\s+a 7000bps.*"));
    Run again = expect(4, ctl("pause", "ab"));
    assertTrue(again.err().startsWith("vane ctl: 409 conflict: "), again.toString());
    expect(0, ctl("resume", "ab"));
    JsonObject promoted = expect(0, ctl("promote", "ab", "b", "-o", "json")).json();
    assertEquals(6, promoted.getInteger("version"));
    assertTrue(promoted.getBoolean("applied"));
    expect(0, ctl("promote", "canary"));

    Run history = expect(0, ctl("history", "--limit", "3"));
    assertTrue(history.out().startsWith("applied: version 7 (store: "), history.toString());
    assertTrue(history.out().lines().skip(2).findFirst().orElseThrow().startsWith("7 *"), history.toString());
    assertEquals(5, history.out().lines().count(), history.toString());

    JsonArray audit = expect(0, ctl("audit", "-o", "json")).json().getJsonArray("entries");
    assertTrue(audit.stream().map(JsonObject.class::cast)
        .anyMatch(e -> "experiment.pause".equals(e.getString("action")) && e.getString("message").endsWith(": incident 42")),
        audit.encodePrettily());
    Run table = expect(0, ctl("audit", "--since", "2000-01-01T00:00:00Z", "--limit", "2"));
    assertTrue(table.out().contains("TIME") && table.out().contains("ACTION"), table.toString());
    assertEquals(4, table.out().lines().count(), table.toString());
  }

  @Test
  void rollbackMakesAnEarlierVersionCurrentAsANewOne() throws Exception {
    start();
    expect(0, ctl("ramp", "canary", "30"));
    Run r = expect(0, ctl("rollback", "--to", "1", "--message", "back"));
    assertTrue(r.out().startsWith("version 3 applied: "), r.toString());
    assertEquals(shown(5), expect(0, ctl("get", "config")).out());
    assertEquals(5, expect(5, ctl("rollback", "--to", "99")).code());
  }

  @Test
  void resultsAsATableAsJsonAndAsCsv() throws Exception {
    start();
    Run t = expect(0, ctl("results", "ab"));
    assertTrue(t.out().startsWith("results ab (version "), t.toString());
    assertTrue(t.out().matches("(?s).*\\na\\s+control\\s+5000\\s+0.*\\nb\\s+treatment\\s+5000\\s+0.*"), t.toString());
    assertEquals("ab", expect(0, ctl("results", "ab", "-o", "json")).json().getString("experiment"));
    String csv = expect(0, ctl("results", "ab", "--csv")).out();
    assertTrue(csv.lines().findFirst().orElseThrow().contains(","), csv);
    assertTrue(expect(5, ctl("results", "zz")).err().contains("404 not_found: no experiment zz"));
  }

  @Test
  void authenticationAndAuthorizationFailuresExit3WithoutPrintingTheToken() throws Exception {
    start();
    Path wrong = token("wrong", dev.vane.gateway.SecretWatch.secret("wrong"));
    Run r = expect(3, raw("ctl", "--url", url(), "--token-file", wrong.toString(), "history"));
    assertTrue(r.err().startsWith("vane ctl: 401 "), r.toString());
    assertEquals(3, raw("ctl", "--url", url(), "history").code(), "no token at all");
    Path viewer = token("viewer", VIEWER);
    expect(0, raw("ctl", "--url", url(), "--token-file", viewer.toString(), "status"));
    Run denied = expect(3, raw("ctl", "--url", url(), "--token-file", viewer.toString(), "ramp", "canary", "10"));
    assertTrue(denied.err().contains("403 forbidden: viewer may not do this (needs the operator role)"),
        denied.toString());
  }

  @Test
  void conflictsInvalidRequestsAndUnknownExperimentsHaveTheirExitCodes() throws Exception {
    start();
    AdminClient client = new AdminClient(URI.create(url() + "/"), OPS, Duration.ofSeconds(5));
    CtlException stale = assertThrows(CtlException.class, () -> client.put("admin/v1/config", yaml(7),
        "application/yaml", Map.of("If-Match", "\"0.abc\"")));
    assertEquals(ExitCodes.CONFLICT, stale.exitCode(), stale.getMessage());
    assertTrue(stale.getMessage().startsWith("409 conflict: "), stale.getMessage());
    CtlException missing = assertThrows(CtlException.class, () -> client.put("admin/v1/config", yaml(7),
        "application/yaml", Map.of()));
    assertEquals(ExitCodes.CONFLICT, missing.exitCode(), missing.getMessage());
    assertTrue(missing.getMessage().startsWith("428 "), missing.getMessage());

    assertTrue(expect(5, ctl("pause", "zz")).err().startsWith("vane ctl: 404 "));
    assertTrue(expect(2, ctl("ramp", "canary", "140")).err().startsWith("vane ctl: 400 "));
    assertTrue(expect(2, ctl("ramp", "canary")).err().contains("give either PERCENT or --weights"));
    assertTrue(expect(2, ctl("status", "-o", "yaml")).err().contains("-o: yaml (expected: table or json)"));
    assertEquals(2, ctl("history", "--limit", "x").code());
    assertEquals(1, ctl("apply", "-f", dir.resolve("missing.yaml").toString(), "--yes").code());
  }

  @Test
  void anUnreachableOrSilentAdminApiExits6() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Run r = expect(6, raw("ctl", "--url", "http://127.0.0.1:" + port, "status"));
    assertTrue(r.err().startsWith("vane ctl: cannot reach the admin API at http://127.0.0.1:" + port), r.toString());
    // accepts the connection, never answers
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run slow = expect(6, raw("ctl", "--url", "http://127.0.0.1:" + silent.getLocalPort(), "--timeout", "300ms",
          "history"));
      assertTrue(slow.err().contains("within 300 ms (--timeout)"), slow.toString());
    }
  }

  @Test
  void everyStatusMapsToOneExitCode() {
    assertEquals(0, ExitCodes.forStatus(200));
    assertEquals(2, ExitCodes.forStatus(400));
    assertEquals(3, ExitCodes.forStatus(401));
    assertEquals(3, ExitCodes.forStatus(403));
    assertEquals(5, ExitCodes.forStatus(404));
    assertEquals(4, ExitCodes.forStatus(409));
    assertEquals(4, ExitCodes.forStatus(412));
    assertEquals(4, ExitCodes.forStatus(428));
    assertEquals(5, ExitCodes.forStatus(422));
    assertEquals(1, ExitCodes.forStatus(413));
    assertEquals(6, ExitCodes.forStatus(500));
    assertEquals(6, ExitCodes.forStatus(503));
  }
}
