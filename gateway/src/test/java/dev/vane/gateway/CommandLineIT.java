package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fat jar, started as a user starts it. */
class CommandLineIT {
  static final Path JAR = Path.of("target", "vane.jar");

  static Process java(String... args) throws Exception {
    return java(List.of(), args);
  }

  static Process java(List<String> jvmOptions, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  static String run(int expectedExit, String... args) throws Exception {
    return run(List.of(), expectedExit, args);
  }

  static String run(List<String> jvmOptions, int expectedExit, String... args) throws Exception {
    Process p = java(jvmOptions, args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(expectedExit, p.exitValue(), out);
    return out;
  }

  @Test
  void demoDrivesUsersReportsAndKeepsServing() throws Exception {
    assertTrue(Files.exists(JAR), "build the jar first: mvn package");
    Process p = java("demo", "--port", "0", "--users", "300", "--requests-per-user", "3");
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder out = new StringBuilder();
      String url = null;
      String admin = null;
      String token = null;
      String dashboard = null;
      long deadline = System.currentTimeMillis() + 90_000;
      String line;
      while (System.currentTimeMillis() < deadline && (line = r.readLine()) != null) {
        out.append(line).append('\n');
        Matcher m = Pattern.compile("Vane is serving on (http://127\\.0\\.0\\.1:\\d+)").matcher(line);
        if (m.find()) {
          url = m.group(1);
        }
        Matcher a = Pattern.compile("export VANE_ADMIN_URL=(\\S+) VANE_TOKEN=(\\S+)").matcher(line);
        if (a.find()) {
          admin = a.group(1);
          token = a.group(2);
        }
        Matcher d = Pattern.compile("dashboard: (http://\\S+/ui/)").matcher(line);
        if (d.find()) {
          dashboard = d.group(1);
        }
        if (line.startsWith("Vane demo is serving")) {
          break;
        }
      }
      String text = out.toString();
      assertNotNull(url, text);
      assertTrue(text.contains("experiment fraud-canary"), text);
      assertTrue(text.contains("experiment ranker-abc"), text);
      assertTrue(text.contains("sticky check: 600 of 600 (user, experiment) pairs kept one arm"), text);
      assertTrue(text.contains("shadow fraud-v3: mirrored"), text);
      assertTrue(text.contains(", 0 transport failures"), text);
      assertTrue(text.contains("results ranker-abc (control a): click-through by arm"), text);
      assertTrue(text.contains("results reco-bandit (control reco-1)"), text);
      assertTrue(Pattern.compile("version \\d+ applied: experiment fraud-canary: canary 20% -> 25%").matcher(text).find(),
          text);
      assertTrue(text.contains("rollout summarizer: promoted"), text);
      assertTrue(text.contains("rollout embedder: rolled back"), text);
      assertTrue(text.contains("chat (OpenAI-style, half the requests streamed)"), text);
      assertTrue(Pattern.compile("  small +\\d").matcher(text).find(), text);
      assertTrue(text.contains("  answers without usage: 0 "), text);
      assertTrue(text.contains("bandit allocation now:"), text);
      assertTrue(text.contains("sample ratio check: ok"), text);

      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> infer = client.send(HttpRequest.newBuilder(URI.create(url + "/v2/models/fraud/infer"))
          .header("X-User-Id", "alice").POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, infer.statusCode(), infer.body());
      assertEquals("fraud-canary", infer.headers().firstValue("X-Vane-Experiment").orElse(null));
      assertTrue(infer.body().contains("\"outputs\""), infer.body());
      assertNotNull(admin, text);
      HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create(admin + "/v1/experiments"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, anonymous.statusCode(), "the demo's admin API wants its token");
      assertEquals(404, client.send(HttpRequest.newBuilder(URI.create(url + "/v1/experiments")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode(), "the traffic port proxies /v1/experiments");
      HttpResponse<String> exp = client.send(HttpRequest.newBuilder(URI.create(admin + "/v1/experiments"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, exp.statusCode());
      assertTrue(exp.body().contains("\"fraud-canary\""), exp.body());
      assertNotNull(dashboard, text);
      HttpResponse<String> ui = client.send(HttpRequest.newBuilder(URI.create(dashboard)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ui.statusCode(), "the dashboard's page needs no token");
      assertTrue(ui.body().contains("<title>Vane dashboard</title>"), ui.body());
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void validateExitsNonZeroWithEveryErrorAndItsPath(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        endpoints:
          - { id: a, url: "http://127.0.0.1:1" }
        experiments:
          - { id: e, champion: { endpoint: a }, canary: { endpoint: zz, percent: 140 } }
        """);
    String out = run(1, "validate", bad.toString());
    assertTrue(out.contains("experiments[0].canary.percent: 140 (expected: 0..100)"), out);
    assertTrue(out.contains("experiments[0].canary.endpoint: \"zz\" (expected: one of the endpoints [a])"), out);
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, "endpoints:\n  - { id: a, url: \"http://127.0.0.1:1\" }\n");
    assertTrue(run(0, "validate", good.toString()).contains("valid"));
  }

  @Test
  void validateAndServeRejectHostileConfigsInOneLineEachWithoutAStackTraceOrAPassword(@TempDir Path dir)
      throws Exception {
    Path huge = dir.resolve("huge.yaml");
    Files.writeString(huge, "server: { maxBodyBytes: \"99999999999999999999MB\" }\n"
        + "endpoints:\n  - { id: a, url: \"http://admin:hunter2@127.0.0.1:65536\" }\n");
    String out = run(1, "validate", huge.toString());
    assertTrue(out.contains("server.maxBodyBytes: 99999999999999999999MB (expected: 1..2147483647 bytes)"), out);
    assertTrue(out.contains("endpoints[0].url: \"http://admin:***@127.0.0.1:65536\" (expected: a port 1..65535, not "
        + "65536)"), out);
    assertFalse(out.contains("\tat ") || out.contains("Exception") || out.contains("hunter2"), out);
    Path redis = dir.resolve("redis.yaml");
    Files.writeString(redis, "server: { host: 127.0.0.1, port: 0, admin: { port: 0 } }\n"
        + "endpoints:\n  - { id: a, url: \"http://127.0.0.1:1\" }\n"
        + "state: { redis: { uri: \"redis://:hunter2@[::1:6379/0\" }, ttl: 1000000d }\n");
    out = run(2, "serve", "--config", redis.toString());
    assertTrue(out.contains("state.ttl: 1000000d (expected: 1s..3650d)"), out);
    assertTrue(out.contains("state.redis.uri: \"redis://:***@[::1:6379/0\" (expected: a URL: Expected closing bracket "
        + "for IPv6 address at index 26)"), out);
    assertFalse(out.contains("\tat ") || out.contains("hunter2"), out);
  }

  @Test
  void serveSaysWhyWhenItCannotStart(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Path cfg = dir.resolve("taken.yaml");
      Files.writeString(cfg, "server: { host: 127.0.0.1, port: %d, eventLoops: 1 }\n".formatted(taken.getLocalPort())
          + "endpoints:\n  - { id: a, url: \"http://127.0.0.1:1\" }\n");
      String out = run(1, "serve", "--config", cfg.toString());
      assertTrue(out.contains("vane: could not start: ") && out.toLowerCase().contains("address already in use"), out);
    }
    // an explicit native transport that cannot load stops startup with the setting's name
    Path cfg = dir.resolve("uring.yaml");
    Files.writeString(cfg, "server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1, transport: io_uring }\n"
        + "endpoints:\n  - { id: a, url: \"http://127.0.0.1:1\" }\n");
    String out = run(List.of("-Dio.netty.transport.noNative=true"), 1, "serve", "--config", cfg.toString());
    assertTrue(out.contains("vane: could not start: server.transport: io_uring is not available here"), out);
  }

  @Test
  void everyCommandHasHelp() throws Exception {
    assertTrue(run(0, "--help").contains("serve"));
    for (String c : new String[] {"serve", "validate", "demo", "ctl"}) {
      assertTrue(run(0, c, "--help").contains("Usage: vane " + c), c);
    }
    assertTrue(run(2, "serve", "--config", "/nonexistent.yaml").contains("cannot read file"));
  }

  /**
   * {@code --log-format json} wins over the config's text: every line the process prints is a JSON object, and with
   * the access log on a proxied request gets one {@code vane.access} line with its request id and status.
   */
  @Test
  void serveWithLogFormatJsonPrintsJsonLinesAndTheAccessLog(@TempDir Path dir) throws Exception {
    Path cfg = dir.resolve("vane.yaml");
    Files.writeString(cfg, """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints: [ { id: gone, url: "http://127.0.0.1:%d", timeout: 5s } ]
        defaultEndpoint: gone
        observability: { logs: { format: text, accessLog: true } }
        """.formatted(closedPort()));
    List<JsonObject> lines = new ArrayList<>();
    Process p = java("serve", "--config", cfg.toString(), "--log-format", "json");
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      JsonObject listening = readJsonUntil(r, lines, l -> l.getString("formattedMessage").startsWith("Vane listening"));
      assertEquals("INFO", listening.getString("level"));
      assertEquals("dev.vane.gateway.Gateway", listening.getString("loggerName"));
      assertNotNull(listening.getString("threadName"));
      assertNotNull(listening.getLong("timestamp"));
      Matcher m = Pattern.compile("Vane listening on 127\\.0\\.0\\.1:(\\d+)").matcher(
          listening.getString("formattedMessage"));
      assertTrue(m.find(), listening.encode());

      HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + m.group(1) + "/v1/chat")).header("X-Request-Id", "it-json-1").build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(502, res.statusCode(), res.body());
      JsonObject access = readJsonUntil(r, lines, l -> "vane.access".equals(l.getString("loggerName")));
      assertTrue(access.getJsonArray("kvpList").contains(new JsonObject().put("requestId", "it-json-1")),
          access.encode());
      assertTrue(access.getJsonArray("kvpList").contains(new JsonObject().put("status", "502")), access.encode());
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** Without {@code --log-format}, {@code observability.logs.format: json} makes the lines JSON. */
  @Test
  void serveWithTheConfigsJsonFormatPrintsJsonLines(@TempDir Path dir) throws Exception {
    Path cfg = dir.resolve("vane.yaml");
    Files.writeString(cfg, """
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints: [ { id: gone, url: "http://127.0.0.1:%d" } ]
        defaultEndpoint: gone
        observability: { logs: { format: json } }
        """.formatted(closedPort()));
    Process p = java("serve", "--config", cfg.toString());
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      readJsonUntil(r, new ArrayList<>(), l -> l.getString("formattedMessage").startsWith("Vane listening"));
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** Reads lines, each of which must be a JSON object, into {@code lines} until one matches (within 60 s). */
  static JsonObject readJsonUntil(BufferedReader r, List<JsonObject> lines, Predicate<JsonObject> wanted)
      throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    String line;
    while (System.currentTimeMillis() < deadline && (line = r.readLine()) != null) {
      JsonObject json;
      try {
        json = new JsonObject(line);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON line: " + line + "\nafter: " + lines, e);
      }
      lines.add(json);
      if (wanted.test(json)) {
        return json;
      }
    }
    throw new AssertionError("no such line in: " + lines);
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * SIGTERM under load: every request in flight finishes before the process exits, and the exposure events of all
   * of them are in the event files when it has exited (the writer drains its queue as the process stops).
   */
  @Test
  void sigtermDrainsRequestsInFlight(@TempDir Path dir) throws Exception {
    assertTrue(Files.exists(JAR), "build the jar first: mvn package");
    try (Harness h = new Harness()) {
      TestBackend slow = h.backend("slow").sleep(600);
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Path cfg = dir.resolve("vane.yaml");
      Files.writeString(cfg, """
          server: { host: 127.0.0.1, port: %d, eventLoops: 2, shutdownGrace: 30s }
          endpoints:
            - { id: slow, url: "%s", timeout: 20s }
          routes:
            - { pathPrefix: /m/, experiment: e }
          experiments:
            - { id: e, champion: { endpoint: slow } }
          events: { sinks: [ { type: jsonl, dir: "%s" } ] }
          """.formatted(port, slow.url(), dir.resolve("events")));
      Process p = java("serve", "--config", cfg.toString());
      try {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
          try {
            if (client.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode() == 200) {
              break;
            }
          } catch (java.io.IOException e) {
            assertTrue(System.currentTimeMillis() < deadline, "the gateway did not start");
            Thread.sleep(100);
          }
        }
        int n = 64;
        int before = slow.hits.get();
        List<java.util.concurrent.CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/m/" + i))
                  .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString())
              .thenApply(HttpResponse::statusCode).exceptionally(t -> -1));
        }
        while (slow.hits.get() - before < n && System.currentTimeMillis() < deadline) {
          Thread.sleep(10);
        }
        assertEquals(n, slow.hits.get() - before, "all in flight at the upstream");
        p.destroy(); // SIGTERM
        List<Integer> statuses = new ArrayList<>();
        for (var c : calls) {
          statuses.add(c.get(60, TimeUnit.SECONDS));
        }
        assertEquals(n, statuses.stream().filter(s -> s == 200).count(), "every in-flight request finished: " + statuses);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process exits after draining");
        List<String> lines = new ArrayList<>();
        try (var files = Files.list(dir.resolve("events"))) {
          for (Path f : files.toList()) {
            lines.addAll(Files.readAllLines(f));
          }
        }
        assertEquals(n, lines.stream().map(io.vertx.core.json.JsonObject::new)
            .filter(e -> e.getString("kind").equals("exposure")).count(), "one exposure event per request");
      } finally {
        p.destroyForcibly();
      }
    }
  }
}
