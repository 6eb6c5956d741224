package dev.vane.gateway.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.Gateway;
import dev.vane.gateway.Main;
import dev.vane.gateway.SecretWatch;
import dev.vane.gateway.TestBackend;
import dev.vane.gateway.VaneFixtures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vane ctl rollout ...} in-process against a real gateway whose rollout holds in its first step (the step's
 * minimum exposures are far out of reach), so its state is stable while the commands act on it.
 */
class CtlRolloutTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");

  static final String OPS = SecretWatch.secret("ops");
  static final String VIEWER = SecretWatch.secret("viewer");

  @TempDir Path dir;
  Gateway gw;
  Path opsToken;

  static String yaml() {
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
          - { pathPrefix: /e/, experiment: e }
          - { pathPrefix: /p/, experiment: plain }
        experiments:
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 0 }
            rollout:
              steps: [ { percent: 20, minExposures: 100000 }, { percent: 100 } ]
              guardrails: [ { metric: errorRate, margin: 0.2 } ]
              analysisInterval: 200ms
          - { id: plain, champion: { endpoint: a }, canary: { endpoint: b, percent: 5 } }
        """.formatted(OPS, VIEWER, a.url(), b.url());
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

  void start() throws Exception {
    gw = fx.gateway(yaml());
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
    for (String secret : new String[] {OPS, VIEWER}) {
      assertFalse(r.out().contains(secret) || r.err().contains(secret), "a token was printed:\n" + r);
    }
    return r;
  }

  static Run expect(int code, Run r) {
    assertEquals(code, r.code(), r.toString());
    return r;
  }

  /** Runs {@code ctl args} until {@code done} holds of its answer (commands apply at the leader's next look). */
  Run await(Predicate<Run> done, String... args) throws InterruptedException {
    long end = System.currentTimeMillis() + 10_000;
    Run r = expect(0, ctl(args));
    while (!done.test(r)) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("not within 10 s:\n" + r);
      }
      Thread.sleep(100);
      r = expect(0, ctl(args));
    }
    return r;
  }

  static boolean analysed(Run json) {
    for (Object o : json.json().getJsonArray("history", new JsonArray())) {
      if (!((JsonObject) o).getJsonArray("guardrails", new JsonArray()).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  @Test
  void statusShowsTheStepThePlanAndTheDecisionsWithTheirGuardrails() throws Exception {
    start();
    JsonObject j = await(CtlRolloutTest::analysed, "rollout", "status", "e", "-o", "json").json();
    assertEquals("e", j.getString("experiment"));
    assertEquals("stepping", j.getJsonObject("state").getString("phase"));
    assertEquals(0, j.getJsonObject("state").getInteger("step"));
    assertEquals(2, j.getJsonObject("plan").getJsonArray("steps").size());

    Run r = expect(0, ctl("rollout", "status", "e"));
    String out = r.out();
    assertTrue(out.contains("rollout e: stepping, step 1 of 2 (20%), not paused"), r.toString());
    assertTrue(out.matches("(?s).*plan:\\s+\\[20%] (→|->) 100%\n.*"), r.toString());
    assertTrue(out.contains("canary:     20% of traffic now"), r.toString());
    assertTrue(out.contains("errorRate (margin 20%)"), r.toString());
    assertTrue(out.contains("by this instance"), r.toString());
    assertTrue(out.matches("(?s).*TIME\\s+TYPE\\s+PHASE\\s+STEP\\s+REASON\n.*"), r.toString());
    assertTrue(out.contains("rollout.started"), r.toString());
    // a decision's guardrails, indented below it
    assertTrue(out.matches("(?s).*\n    GUARDRAIL\\s+VERDICT\\s+HARM\\s+INTERVAL\\s+MARGIN\\s+P_VALUE\\s+CHAMPION_N"
        + "\\s+CANARY_N\n    errorRate\\s+not_enough_data\\s.*"), r.toString());
    // newest first: the start is the oldest decision, so the last one in the table
    assertTrue(out.indexOf("rollout.started") > out.indexOf("GUARDRAIL"), r.toString());

    JsonObject one = expect(0, ctl("-o", "json", "rollout", "status", "e", "--limit", "1")).json();
    assertEquals(1, one.getJsonArray("history").size());
    expect(2, ctl("rollout", "status", "e", "--limit", "x"));
    expect(2, ctl("rollout", "status", "e", "-o", "yaml"));
    expect(2, ctl("rollout"));
  }

  @Test
  void pauseResumeAndAbortAreAppliedAtTheNextLook() throws Exception {
    start();
    await(r -> r.json().containsKey("state"), "rollout", "status", "e", "-o", "json");

    Run paused = expect(0, ctl("rollout", "pause", "e", "--reason", "investigating"));
    assertTrue(paused.out().startsWith("pause e by ops: queued"), paused.toString());
    Run r = await(x -> x.out().contains(", paused\n"), "rollout", "status", "e");
    assertTrue(r.out().contains("pause by ops: investigating"), r.toString());

    JsonObject resumed = expect(0, ctl("rollout", "resume", "e", "-o", "json")).json();
    assertEquals("resume", resumed.getString("command"));
    assertEquals("ops", resumed.getString("by"));
    await(x -> x.out().contains(", not paused\n"), "rollout", "status", "e");

    expect(0, ctl("rollout", "abort", "e", "--reason", "bad canary"));
    r = await(x -> x.out().startsWith("rollout e: aborted"), "rollout", "status", "e");
    assertTrue(r.out().contains("abort by ops: bad canary"), r.toString());
    assertTrue(r.out().contains("plan:       20% "), "no step is current once aborted:\n" + r);
    // the canary is removed from the config right after
    await(x -> x.out().contains("canary:     none in the config"), "rollout", "status", "e");
  }

  @Test
  void aViewerMayReadButNotCommandAndUnknownExperimentsAreNotFound() throws Exception {
    start();
    Path viewer = token("viewer", VIEWER);
    expect(0, raw("ctl", "--url", url(), "--token-file", viewer.toString(), "rollout", "status", "e"));
    Run denied = expect(3, raw("ctl", "--url", url(), "--token-file", viewer.toString(), "rollout", "pause", "e"));
    assertTrue(denied.err().startsWith("vane ctl: 403"), denied.toString());

    Run missing = expect(5, ctl("rollout", "status", "nope"));
    assertTrue(missing.err().contains("404 not_found: no experiment nope"), missing.toString());
    expect(5, ctl("rollout", "abort", "nope"));
    // an experiment without a rollout: its status says so, commands are not found
    Run plain = expect(0, ctl("rollout", "status", "plain"));
    assertTrue(plain.out().startsWith("rollout plain: none declared"), plain.toString());
    assertTrue(expect(5, ctl("rollout", "approve", "plain")).err().contains("no rollout for experiment plain"));
  }
}
