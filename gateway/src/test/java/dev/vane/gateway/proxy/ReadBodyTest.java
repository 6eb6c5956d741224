package dev.vane.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReadBodyTest {
  static StepRunner run;

  @BeforeAll
  static void start() throws Exception {
    run = new StepRunner("""
        server: { maxBodyBytes: 1000 }
        endpoints: [ { id: e, url: "http://127.0.0.1:1" } ]
        """, r -> List.of(new ReadBody(r.vertx)));
  }

  @AfterAll
  static void stop() {
    run.close();
  }

  @Test
  void aBodyIsReadWholeBeforeTheNextStep() throws Exception {
    assertEquals(200, run.post("/x", "y".repeat(1000)).status(), "at the limit is fine");
    assertEquals("y".repeat(1000), run.last().body.toString());
    assertEquals(200, run.send(HttpMethod.GET, "/x", Map.of(), null).status());
    assertEquals(0, run.last().body.length(), "no body: an empty one");
  }

  @Test
  void aChunkedBodyIsAggregated() throws Exception {
    int before = run.probedCount();
    var done = new java.util.concurrent.CompletableFuture<Integer>();
    run.vertx.getOrCreateContext().runOnContext(v -> run.client.request(new RequestOptions()
            .setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port()).setURI("/x"))
        .compose(req -> {
          req.setChunked(true);
          req.write("ab");
          req.write("cd");
          return req.end().compose(x -> req.response());
        }).onSuccess(r -> done.complete(r.statusCode())).onFailure(done::completeExceptionally));
    assertEquals(200, done.get(5, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(before + 1, run.probedCount());
    assertEquals("abcd", run.last().body.toString());
  }

  @Test
  void aBodyOverTheLimitGets413AndGoesNoFurther() throws Exception {
    int before = run.probedCount();
    StepRunner.Reply r = run.post("/x", "y".repeat(1001));
    assertEquals(413, r.status());
    assertTrue(r.body().contains("1001 bytes exceeds the limit of 1000"), r.body());
    assertEquals(before, run.probedCount(), "the next step never ran");
  }

  static int port() {
    return run.port();
  }
}
