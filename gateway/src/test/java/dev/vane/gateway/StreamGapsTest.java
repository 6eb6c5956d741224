package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A streamed response's endpoint timeout bounds each gap between its chunks, not the whole stream, on fresh and on
 * reused upstream connections alike: streams far longer than the timeout, with short gaps, pass whole, one after
 * the other over the same keep-alive connections; a stream that stalls longer than the timeout is cut short.
 */
class StreamGapsTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final AtomicInteger connections = new AtomicInteger();

  /** {@code /stream?n=N&gap=MS&stall=K}: N events MS apart; after event K (if given) a pause of 2 s. */
  static final class Streamer implements AutoCloseable {
    final HttpServer server = h.vertx.createHttpServer()
        .connectionHandler(c -> connections.incrementAndGet())
        .requestHandler(req -> req.body().onSuccess(b -> {
          int n = Integer.parseInt(req.getParam("n"));
          long gap = Long.parseLong(req.getParam("gap"));
          int stall = req.getParam("stall") == null ? -1 : Integer.parseInt(req.getParam("stall"));
          HttpServerResponse res = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
          send(res, 0, n, gap, stall);
        })).listen(0, "127.0.0.1").await();

    void send(HttpServerResponse res, int i, int n, long gap, int stall) {
      if (res.closed()) {
        return;
      }
      if (i == n) {
        res.end();
        return;
      }
      res.write("data: " + i + "\n\n");
      h.vertx.setTimer(i == stall ? 2000 : gap, t -> send(res, i + 1, n, gap, stall));
    }

    @Override
    public void close() {
      server.close().await();
    }
  }

  static final Streamer streamer = fx.own(new Streamer());

  static String expected(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("data: ").append(i).append("\n\n");
    }
    return sb.toString();
  }

  Gateway start() throws Exception {
    return fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints: [ { id: s, url: "http://127.0.0.1:%d", timeout: 300ms } ]
        routes: [ { pathPrefix: /, endpoint: s } ]
        """.formatted(streamer.server.actualPort()));
  }

  /** The body of one request on {@code client}, or the failure's message prefixed with "failed: ". */
  static String fetch(HttpClient client, int port, String uri) throws Exception {
    return h.onContext(() -> client.request(HttpMethod.GET, port, "127.0.0.1", uri)
        .compose(req -> req.send())
        .compose(resp -> {
          Promise<String> p = Promise.promise();
          StringBuilder all = new StringBuilder();
          resp.handler(b -> all.append(b.toString()));
          resp.exceptionHandler(t -> p.tryComplete("failed: " + all.length() + " chars, " + t));
          resp.endHandler(v -> p.tryComplete(all.toString()));
          return p.future();
        })
        .recover(t -> Future.succeededFuture("failed: " + t)));
  }

  @Test
  void streamsLongerThanTheTimeoutPassWholeOnReusedUpstreamConnections() throws Exception {
    Gateway gw = start();
    // one client connection to the gateway, so every request after the first reuses the gateway's upstream one
    HttpClient client = h.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1));
    int before = connections.get();
    for (int i = 0; i < 4; i++) {
      // 25 events 40 ms apart: about 1 s per stream, more than three times the 300 ms timeout
      assertEquals(expected(25), fetch(client, gw.port(), "/stream?n=25&gap=40"), "stream " + i);
    }
    assertEquals(1, connections.get() - before, "the four streams went over one reused upstream connection");
    client.close();
  }

  @Test
  void aStreamThatStallsLongerThanTheTimeoutIsCutShort() throws Exception {
    Gateway gw = start();
    HttpClient client = h.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1));
    // warm the upstream connection first, so the stall happens on a reused one too
    assertEquals(expected(3), fetch(client, gw.port(), "/stream?n=3&gap=10"));
    String cut = fetch(client, gw.port(), "/stream?n=10&gap=10&stall=4");
    assertTrue(cut.startsWith("failed: "), "a 2 s stall against a 300 ms timeout is not passed off as whole: " + cut);
    assertTrue(cut.contains(" " + expected(5).length() + " chars"), "the events before the stall arrived: " + cut);
    client.close();
    // and the gateway keeps serving
    HttpClient fresh = h.vertx.createHttpClient();
    assertEquals(expected(2), fetch(fresh, gw.port(), "/stream?n=2&gap=10"));
    fresh.close();
  }
}
