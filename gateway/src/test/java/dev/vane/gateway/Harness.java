package dev.vane.gateway;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Test helpers: a client Vert.x, backends, and gateways started from YAML text. */
public final class Harness implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final io.vertx.core.Context context = vertx.getOrCreateContext();
  final HttpClient client = vertx.httpClientBuilder()
      .with(new HttpClientOptions().setKeepAlive(true).setMaxChunkSize(64 * 1024))
      .with(new PoolOptions().setHttp1MaxSize(64)).build();

  /** A response read whole. */
  record Reply(int status, io.vertx.core.MultiMap headers, Buffer body, long micros) {
    JsonObject json() {
      if (body.length() == 0) {
        throw new AssertionError("empty body, status " + status + ", headers " + headers.entries());
      }
      return body.toJsonObject();
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  public TestBackend backend(String name) {
    return new TestBackend(vertx, name).start();
  }

  static VaneConfig parse(String yaml) throws Exception {
    return new ConfigLoader().parse(yaml, "test");
  }

  public static Gateway gateway(String yaml) throws Exception {
    return Gateway.start(parse(yaml)).await();
  }

  public Reply send(int port, HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    long t0 = System.nanoTime();
    RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(o::putHeader);
    Reply reply = onContext(() -> client.request(o).compose(req -> body == null ? req.send() : req.send(body))
        .compose(r -> r.body().map(b -> new Reply(r.statusCode(), r.headers(), b, (System.nanoTime() - t0) / 1000))));
    SecretWatch.checkReply(reply, method + " " + uri);
    return reply;
  }

  /**
   * Runs a client chain on the harness's event loop and waits for it (at most 30 s). Chains must start on a Vert.x
   * context: started from a test thread, a response can arrive before its body handler is set, and its body is lost.
   */
  <T> T onContext(java.util.function.Supplier<io.vertx.core.Future<T>> chain) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    context.runOnContext(v -> chain.get().onComplete(p));
    return p.future().timeout(30, java.util.concurrent.TimeUnit.SECONDS).await();
  }

  public Reply post(int port, String uri, String user, String body) {
    return send(port, HttpMethod.POST, uri, user == null ? Map.of() : Map.of("X-User-Id", user),
        Buffer.buffer(body));
  }

  public Reply get(int port, String uri) {
    return send(port, HttpMethod.GET, uri, Map.of(), null);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
