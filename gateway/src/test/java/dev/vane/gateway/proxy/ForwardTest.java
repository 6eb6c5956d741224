package dev.vane.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The forward step alone: what reaches the endpoint, what comes back, and how the exchange ends. */
class ForwardTest {
  static Vertx upstreamVertx;
  static HttpServer upstream;
  static StepRunner run;

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = upstreamVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b ->
        req.response().putHeader("X-Seen", req.uri()).putHeader("X-Host", req.getHeader("Host"))
            .setStatusCode(req.path().endsWith("/teapot") ? 418 : 200).end("got:" + b)))
        .listen(0, "127.0.0.1").await();
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    run = new StepRunner("""
        endpoints:
          - { id: up, url: "http://127.0.0.1:%d/base", timeout: 2s }
          - { id: dead, url: "http://127.0.0.1:%d", timeout: 2s }
        routes:
          - { pathPrefix: /m/, endpoint: up }
          - { pathPrefix: /gone/, endpoint: dead }
        """.formatted(upstream.actualPort(), dead),
        r -> List.of(new ReadBody(r.vertx), new ResolveRoute(), new Forward(r.vertx)));
  }

  @AfterAll
  static void stop() {
    run.close();
    upstreamVertx.close().await();
  }

  @Test
  void theEndpointGetsOriginFormUnderItsBasePathAndItsOwnHost() throws Exception {
    int ended = endedCount();
    StepRunner.Reply r = run.send(HttpMethod.POST, "/m/x?q=1", Map.of("Host", "vane.local"), "hello");
    assertEquals(200, r.status());
    assertEquals("got:hello", r.body());
    assertEquals("/base/m/x?q=1", r.headers().get("x-seen"));
    assertEquals("127.0.0.1:" + upstream.actualPort(), r.headers().get("x-host"));
    Exchange x = lastEnded(ended);
    assertEquals(200, x.status());
    assertTrue(x.responded(), "the upstream answered");
    assertEquals(0, run.probedCount(), "forward is the last step: nothing after it runs on the way in");
  }

  @Test
  void theUpstreamsStatusIsPassedOnAndAFailureIsAnswered502() throws Exception {
    int teapot = endedCount();
    assertEquals(418, run.post("/m/teapot", "{}").status());
    assertEquals(418, lastEnded(teapot).status());
    int ended = endedCount();
    StepRunner.Reply r = run.post("/gone/x", "{}");
    assertEquals(502, r.status());
    assertTrue(r.body().contains("\"error\":\"bad_gateway\""), r.body());
    Exchange x = lastEnded(ended);
    assertEquals(502, x.status());
    assertFalse(x.responded(), "Vane answered for the upstream");
  }

  static int endedCount() {
    synchronized (run.ended) {
      return run.ended.size();
    }
  }

  /** The exchange that ended after {@code before} others had (the server ends it just after answering). */
  static Exchange lastEnded(int before) throws InterruptedException {
    for (int i = 0; i < 200 && endedCount() <= before; i++) {
      Thread.sleep(10);
    }
    synchronized (run.ended) {
      return run.ended.get(before);
    }
  }
}
