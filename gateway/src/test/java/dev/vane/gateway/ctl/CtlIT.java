package dev.vane.gateway.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vane ctl} as a process against {@code vane serve} as a process, configured through the environment. */
class CtlIT {
  static final Path JAR = Path.of("target", "vane.jar");
  static final String TOKEN = "it-ops-token-0123456789abcdef";

  record Run(int code, String out) {}

  static ProcessBuilder java(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("VANE_ADMIN_URL");
    pb.environment().remove("VANE_TOKEN");
    pb.environment().putAll(env);
    return pb;
  }

  static Run ctl(Map<String, String> env, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("ctl"));
    all.addAll(List.of(args));
    Process p = java(env, all.toArray(String[]::new)).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertFalse(out.contains(TOKEN), "the token was printed:\n" + out);
    return new Run(p.exitValue(), out);
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void ctlTalksToServeThroughTheEnvironment(@TempDir Path dir) throws Exception {
    assertTrue(Files.exists(JAR), "build the jar first: mvn package");
    int admin = freePort();
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(TOKEN.getBytes(StandardCharsets.UTF_8)));
    Path cfg = dir.resolve("vane.yaml");
    Files.writeString(cfg, """
        server: { host: 127.0.0.1, port: 0, eventLoops: 1, admin: { host: 127.0.0.1, port: %d } }
        admin:
          auth:
            tokens:
              - { name: ops, tokenSha256: %s, roles: [admin] }
        endpoints:
          - { id: a, url: "http://127.0.0.1:1" }
          - { id: b, url: "http://127.0.0.1:2" }
        routes:
          - { pathPrefix: /fraud/, experiment: fraud }
        experiments:
          - { id: fraud, champion: { endpoint: a }, canary: { endpoint: b, percent: 5 } }
        """.formatted(admin, sha));
    Process serve = java(Map.of(), "serve", "--config", cfg.toString()).redirectOutput(dir.resolve("serve.log").toFile())
        .start();
    try {
      awaitReady(admin, serve, dir.resolve("serve.log"));
      Map<String, String> env = Map.of("VANE_ADMIN_URL", "http://127.0.0.1:" + admin, "VANE_TOKEN", TOKEN);

      Run status = ctl(env, "status");
      assertEquals(0, status.code(), status.out());
      assertTrue(status.out().contains("status:  ready"), status.out());
      assertTrue(status.out().matches("(?s).*fraud\\s+no\\s+champion 9500bps 0 exp  canary 500bps 0 exp.*"),
          status.out());

      Run denied = ctl(Map.of("VANE_ADMIN_URL", "http://127.0.0.1:" + admin), "status");
      assertEquals(3, denied.code(), "no token: 401\n" + denied.out());

      Run history = ctl(env, "history");
      Run ramp = ctl(env, "ramp", "fraud", "25", "--reason", "it");
      if (history.code() == 6 && history.out().contains("the config store is not attached yet")) {
        // serve without a config store (this branch): every /admin/v1 call is 503, and ctl says so with exit 6
        assertEquals(6, ramp.code(), ramp.out());
        assertTrue(ramp.out().contains("503 unavailable: the config store is not attached yet"), ramp.out());
      } else {
        // serve with a config store attached
        assertEquals(0, history.code(), history.out());
        assertEquals(0, ramp.code(), ramp.out());
        assertTrue(ramp.out().contains("experiment fraud: canary 5% -> 25%"), ramp.out());
        Run after = ctl(env, "history", "--limit", "1");
        assertEquals(0, after.code(), after.out());
        assertTrue(after.out().contains("ramp") || after.out().contains("25%"), after.out());
        assertTrue(ctl(env, "status").out().contains("canary 2500bps"));
      }
    } finally {
      serve.destroy();
      if (!serve.waitFor(15, TimeUnit.SECONDS)) {
        serve.destroyForcibly();
      }
    }
  }

  private static void awaitReady(int admin, Process serve, Path log) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI ready = URI.create("http://127.0.0.1:" + admin + "/readyz");
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      assertTrue(serve.isAlive(), () -> "serve exited:\n" + read(log));
      try {
        if (client.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("serve not ready within 60 s:\n" + read(log));
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
