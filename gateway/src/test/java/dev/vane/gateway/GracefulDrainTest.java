package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stopping under load: every request in flight when the gateway is told to stop finishes, /readyz says
 * {@code draining} meanwhile, new connections are refused, and the grace period bounds the wait.
 */
class GracefulDrainTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend slow = fx.backend("slow", b -> b.sleep(400));

  Gateway gateway(String grace) throws Exception {
    return fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2, shutdownGrace: %s }
        endpoints:
          - { id: slow, url: "%s", timeout: 5s }
        routes:
          - { pathPrefix: /m/, endpoint: slow }
        """.formatted(grace, slow.url()));
  }

  /** Sends {@code n} requests at once over separate connections and returns their statuses (-1: failed). */
  List<Future<Integer>> burst(int port, int n) {
    List<Future<Integer>> out = new ArrayList<>();
    h.onContext(() -> {
      for (int i = 0; i < n; i++) {
        out.add(h.client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI("/m/x"))
            .compose(req -> req.send(Buffer.buffer("{}")))
            .compose(r -> r.body().map(b -> r.statusCode()))
            .recover(t -> Future.succeededFuture(-1)));
      }
      return Future.succeededFuture();
    });
    return out;
  }

  @Test
  void requestsInFlightFinishWhenTheGatewayStops() throws Exception {
    Gateway gw = gateway("10s");
    int port = gw.port();
    int before = slow.hits.get();
    List<Future<Integer>> calls = burst(port, 48);
    for (int i = 0; i < 200 && slow.hits.get() - before < 48; i++) {
      Thread.sleep(10);
    }
    assertEquals(48, slow.hits.get() - before, "all 48 in flight at the upstream");
    long t0 = System.nanoTime();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> fx.close(gw));
    Thread.sleep(100);
    RawHttp.Exchange late;
    try {
      late = RawHttp.send(port, "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n", 1000);
    } catch (java.net.ConnectException e) {
      late = new RawHttp.Exchange("", true);
    }
    assertTrue(late.status() == -1 || late.status() == 503, "no longer accepting, or not ready: " + late.text());
    closing.get(30, java.util.concurrent.TimeUnit.SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    List<Integer> statuses = calls.stream().map(f -> f.toCompletionStage().toCompletableFuture().join()).toList();
    assertEquals(48, statuses.stream().filter(s -> s == 200).count(), "every in-flight request finished: " + statuses);
    assertTrue(ms < 5_000, "close returned once they finished, not at the grace period: " + ms + " ms");
  }

  @Test
  void theGracePeriodBoundsTheWait() throws Exception {
    slow.sleep(5_000);
    Gateway gw = gateway("300ms");
    List<Future<Integer>> calls = burst(gw.port(), 4);
    Thread.sleep(200);
    long t0 = System.nanoTime();
    fx.close(gw);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 3_000, "closed after the 300 ms grace, not after the 5 s upstream: " + ms + " ms");
    for (Future<Integer> f : calls) {
      assertEquals(-1, f.toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS),
          "cut at the end of the grace period");
    }
  }
}
