package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.ConfigLoader;
import dev.vane.config.HostileConfigs;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The gateway's share of the hostile-config table: the real {@code vane validate} command and a running gateway
 * watching the same file reject each case with the same message (validate's output is what /readyz shows as
 * {@code config.lastReloadError}), and the old config keeps serving proxied requests throughout.
 */
class HostileConfigReloadTest {
  @TempDir Path dir;

  /** Runs {@code vane validate file} as the command line does; returns what it printed on stderr. */
  private static String validate(Path file) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute("validate", file.toString());
    assertEquals(1, code, "exit code; stdout: " + out + ", stderr: " + err);
    assertEquals("", out.toString());
    assertFalse(err.toString().contains("\tat "), "a stack trace: " + err);
    return err.toString().strip();
  }

  /** Polls /readyz until it reports {@code expected} as the last reload error (or 10 s pass); returns what it saw. */
  private static String lastReloadError(Harness h, int port, String expected) throws InterruptedException {
    String seen = null;
    for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end; Thread.sleep(10)) {
      Harness.Reply r = h.get(port, "/readyz");
      assertEquals(200, r.status());
      seen = r.json().getJsonObject("config").getString("lastReloadError");
      if (expected.equals(seen)) {
        break;
      }
    }
    return seen;
  }

  @Test
  void validateAndALiveGatewayRejectEachWithTheSameMessageWhileTheOldConfigServes() throws Exception {
    List<HostileConfigs.Case> cases = HostileConfigs.all().stream()
        .filter(c -> c.gateway() && c.env().isEmpty()).toList();
    assertTrue(cases.size() >= 20, "cases: " + cases.size());
    assertNull(System.getenv("VANE_HOSTILE_NOT_SET"));
    try (Harness h = new Harness(); TestBackend backend = h.backend("old")) {
      Path file = dir.resolve("vane.yaml");
      Files.writeString(file, """
          server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1, reloadInterval: 10ms }
          endpoints:
            - { id: old, url: "%s" }
          routes:
            - { pathPrefix: /, endpoint: old }
          """.formatted(backend.url()));
      ConfigLoader loader = new ConfigLoader();
      Gateway g = Gateway.start(loader.load(file)).await();
      try {
        g.watch(file, loader);
        String version = g.config().version();
        for (HostileConfigs.Case c : cases) {
          Files.write(file, c.bytes());
          String printed = validate(file);
          assertTrue(printed.contains("\n  " + c.expected()), c.name() + ": " + printed);
          assertFalse(printed.contains(HostileConfigs.SECRET), printed);
          assertEquals(printed, lastReloadError(h, g.port(), printed), c.name());
          Harness.Reply r = h.post(g.port(), "/v2/models/fraud/infer", "u-" + c.name().hashCode(), "{}");
          assertEquals(200, r.status(), c.name() + ": " + r.body());
          assertEquals("old", new JsonObject(r.body()).getString("backend"), c.name());
          assertEquals(version, g.config().version(), c.name());
        }
      } finally {
        g.close();
      }
    }
  }
}
