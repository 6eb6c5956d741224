package dev.vane.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (the Debian package's {@code /usr/bin/prometheus}) on a free loopback port, with a
 * generated config, and {@code promtool}; for the observability tests.
 */
final class PrometheusServer implements AutoCloseable {
  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static boolean installed() {
    return Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL);
  }

  /** Starts Prometheus with {@code config} (YAML) in {@code dir} and waits until it is ready (at most 30 s). */
  static PrometheusServer start(Path dir, String config) throws Exception {
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, config);
    int port = freePort();
    Process p = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + file,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer s = new PrometheusServer(p, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
      }
      try {
        if (s.get("/-/ready").statusCode() == 200) {
          return s;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    s.close();
    throw new IllegalStateException("prometheus not ready within 30 s: " + Files.readString(dir.resolve("prometheus.log")));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The result vector of an instant query ({@code data.result}); fails on an error answer. */
  JsonArray query(String promql) throws Exception {
    HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonObject o = new JsonObject(r.body());
    if (!"success".equals(o.getString("status"))) {
      throw new AssertionError(promql + ": " + r.body());
    }
    return o.getJsonObject("data").getJsonArray("result");
  }

  /** The value of a query that yields one sample, or NaN when it yields none. */
  double scalar(String promql) throws Exception {
    JsonArray res = query(promql);
    if (res.isEmpty()) {
      return Double.NaN;
    }
    if (res.size() != 1) {
      throw new AssertionError(promql + ": expected one sample, got " + res.encode());
    }
    return Double.parseDouble(res.getJsonObject(0).getJsonArray("value").getString(1));
  }

  /** The active targets' health, from {@code /api/v1/targets}. */
  JsonArray targets() throws Exception {
    return new JsonObject(get("/api/v1/targets").body()).getJsonObject("data").getJsonArray("activeTargets");
  }

  /** Runs {@code promtool} with {@code args} (stdin from {@code stdin} when not null); the exit code and output. */
  static Result promtool(List<String> args, String stdin) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(PROMTOOL.toString());
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool did not finish: " + cmd);
    }
    return new Result(p.exitValue(), out);
  }

  record Result(int exit, String output) {}

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
