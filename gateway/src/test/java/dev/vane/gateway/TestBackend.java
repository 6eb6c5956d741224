package dev.vane.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP model server on loopback for tests. By default it echoes what it received as JSON; {@link #mode}
 * switches it to sleeping, failing, resetting, or answering a fixed KServe v2 body. Paths containing {@code /big/N}
 * stream N bytes back; paths containing {@code /raw} echo the body bytes.
 */
public final class TestBackend implements AutoCloseable {
  enum Mode { ECHO, SLEEP, STATUS, RESET, KSERVE }

  private static final int DEFAULT_STATUS = 500;
  private static final String DEFAULT_KSERVE_DATA = "[0.1,0.7,0.2]";

  final String name;
  private final Vertx vertx;
  private HttpServer server;
  volatile Mode mode = Mode.ECHO;
  volatile long sleepMs;
  volatile int status = DEFAULT_STATUS;
  volatile String kserveData = DEFAULT_KSERVE_DATA;
  final AtomicInteger hits = new AtomicInteger();
  /** Completing it lets the pending {@code /sse} response send its last event and end. */
  volatile io.vertx.core.Promise<Void> sseRelease = io.vertx.core.Promise.promise();

  public TestBackend(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
  }

  TestBackend start() {
    server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
    return this;
  }

  int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  TestBackend sleep(long ms) {
    mode = Mode.SLEEP;
    sleepMs = ms;
    return this;
  }

  /** Answers this share of requests (0..1, at random) with 500 whatever the mode; 0 by default. */
  volatile double errorRate;
  /** When set, every answer sends its head and the first bytes of a body, then nothing more (the connection stays). */
  volatile boolean stallBody;

  TestBackend failing(double share) {
    errorRate = share;
    return this;
  }

  /** Back to echoing: the mode, sleep, status and KServe body a new backend has ({@link #hits} keeps counting). */
  void reset() {
    errorRate = 0;
    stallBody = false;
    mode = Mode.ECHO;
    sleepMs = 0;
    status = DEFAULT_STATUS;
    kserveData = DEFAULT_KSERVE_DATA;
  }

  private void handle(HttpServerRequest req) {
    hits.incrementAndGet();
    if (mode == Mode.RESET) {
      req.connection().close();
      return;
    }
    if (stallBody) {
      req.response().setChunked(true).putHeader("Content-Type", "application/json").putHeader("X-Backend", name)
          .write("{\"outputs\":");
      return;
    }
    if (req.path().contains("/sse")) {
      // server-sent events: one event now, the second (and the end) only after the test releases it
      req.response().setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("X-Backend", name);
      req.response().write("data: one\n\n");
      sseRelease.future().onComplete(v -> req.response().end("data: two\n\n"));
      return;
    }
    if (req.path().contains("/truncated-big")) {
      // promises 1 MB (streamed through the gateway), sends 200 KB, then drops the connection
      req.response().putHeader("Content-Length", "1000000").putHeader("X-Backend", name)
          .write(Buffer.buffer(new byte[200_000]));
      vertx.setTimer(50, id -> req.connection().close());
      return;
    }
    if (req.path().contains("/truncated")) {
      // promises 1000 bytes, sends 10, then drops the connection
      req.response().putHeader("Content-Length", "1000").putHeader("X-Backend", name).write("0123456789");
      vertx.setTimer(50, id -> req.connection().close());
      return;
    }
    int big = req.path().indexOf("/big/");
    if (big >= 0) {
      long n = Long.parseLong(req.path().substring(big + 5));
      req.response().setChunked(true).putHeader("X-Backend", name);
      byte[] chunk = new byte[64 * 1024];
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (byte) (i * 31 + 7);
      }
      long sent = 0;
      while (sent < n) {
        int len = (int) Math.min(chunk.length, n - sent);
        req.response().write(Buffer.buffer(chunk).slice(0, len));
        sent += len;
      }
      req.response().end();
      return;
    }
    req.body().onSuccess(body -> {
      if (errorRate > 0 && java.util.concurrent.ThreadLocalRandom.current().nextDouble() < errorRate) {
        req.response().setStatusCode(500).putHeader("X-Backend", name).end("{\"error\":\"injected\"}");
        return;
      }
      switch (mode) {
        case SLEEP -> vertx.setTimer(sleepMs, id -> echo(req, body));
        case STATUS -> req.response().setStatusCode(status).putHeader("X-Backend", name)
            .end(new JsonObject().put("error", "status " + status).encode());
        case KSERVE -> req.response().putHeader("Content-Type", "application/json").putHeader("X-Backend", name)
            .end("{\"model_name\":\"" + name + "\",\"outputs\":[{\"name\":\"p\",\"datatype\":\"FP32\",\"shape\":[1,3],"
                + "\"data\":" + kserveData + "}]}");
        default -> echo(req, body);
      }
    });
  }

  private void echo(HttpServerRequest req, Buffer body) {
    if (req.response().closed()) {
      return;
    }
    if (req.path().contains("/raw")) {
      req.response().putHeader("X-Backend", name).end(body);
      return;
    }
    JsonObject headers = new JsonObject();
    req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
    JsonObject o = new JsonObject()
        .put("backend", name)
        .put("method", req.method().name())
        .put("uri", req.uri())
        .put("headers", headers)
        .put("bodyLength", body.length())
        .put("bodySha256", sha256(body.getBytes()));
    req.response().putHeader("Content-Type", "application/json").putHeader("X-Backend", name)
        .putHeader("Connection", "keep-alive").putHeader("Keep-Alive", "timeout=5")
        .putHeader("X-Upstream-Custom", "kept").end(o.encode());
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().await();
    }
  }
}
