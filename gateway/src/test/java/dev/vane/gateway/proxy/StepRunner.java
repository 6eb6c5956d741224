package dev.vane.gateway.proxy;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.http.RequestTarget;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a few proxy steps alone, over real HTTP on loopback: a server whose handler puts each request through the
 * given steps and then a probe step, which captures the exchange as the steps left it and answers 200
 * {@code probe}. A step that answers the client itself never reaches the probe. Tests read the captured exchange
 * (and, for {@code onEnd}, the exchange after it ended).
 */
final class StepRunner implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final HttpClient client = vertx.createHttpClient();
  final GatewayCore core;
  private final HttpServer server;
  /** Exchanges that reached the probe, in arrival order. */
  final List<Exchange> probed = new ArrayList<>();
  /** Exchanges that ended (after every step's onEnd ran), in order. */
  final List<Exchange> ended = new ArrayList<>();

  /** What came back to the client. */
  record Reply(int status, String body, Map<String, String> headers) {}

  /** @param steps builds the steps under test, given the core and the server's event loop */
  StepRunner(String yaml, Function<StepRunner, List<ProxyStep>> steps) throws Exception {
    VaneConfig cfg = new ConfigLoader().parse(yaml, "test");
    core = new GatewayCore(vertx, cfg, Stores.memory(cfg), Stores.sharedFor(cfg), Clock.systemUTC(),
        () -> new SplittableRandom(7));
    List<ProxyStep> chain = new ArrayList<>(steps.apply(this));
    chain.add(new ProxyStep() {
      @Override
      public void onRequest(Exchange x) {
        synchronized (probed) {
          probed.add(x);
        }
        x.end(200, true); // before answering, so a test that has the answer sees the ended exchange
        x.req.response().end("probe");
      }

      @Override
      public void onEnd(Exchange x) {
        synchronized (ended) {
          ended.add(x);
        }
      }
    });
    ProxyStep[] array = chain.toArray(new ProxyStep[0]);
    server = vertx.createHttpServer().requestHandler(req -> {
      RequestTarget target = RequestTarget.parse(req.method().name(), req.uri());
      new Exchange(req, core.snapshot(), System.nanoTime(), target, "rid-" + probed.size(), array).proceed();
    }).listen(0, "127.0.0.1").await();
  }

  Reply send(HttpMethod method, String uri, Map<String, String> headers, String body) throws Exception {
    CompletableFuture<Reply> out = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> {
      RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(server.actualPort())
          .setURI(uri);
      headers.forEach(o::putHeader);
      client.request(o)
          .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
          .compose(r -> r.body().map(b -> {
            Map<String, String> h = new java.util.HashMap<>();
            r.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
            return new Reply(r.statusCode(), b.toString(), h);
          }))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              out.complete(ar.result());
            } else {
              out.completeExceptionally(ar.cause());
            }
          });
    });
    return out.get(10, TimeUnit.SECONDS);
  }

  Reply post(String uri, String body) throws Exception {
    return send(HttpMethod.POST, uri, Map.of(), body);
  }

  int port() {
    return server.actualPort();
  }

  /** The last exchange that reached the probe. */
  Exchange last() {
    synchronized (probed) {
      return probed.get(probed.size() - 1);
    }
  }

  int probedCount() {
    synchronized (probed) {
      return probed.size();
    }
  }

  /** A future on the runner's loop, for steps that need one. */
  <T> T await(Future<T> f) {
    return f.await();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
